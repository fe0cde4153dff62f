// The robustness suite's counts: every scenario records what it saw (aborts, lost edits, wedged
// sessions, …) and the suite prints one table at the end (./table.ts, jest's globalTeardown).
// Counts go to a JSON-lines file so that jest's workers can all write them.
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const TALLY_FILE = process.env.EC_ROBUST_TALLY ?? path.join(os.tmpdir(), `ec-robust-${process.ppid}.jsonl`);

/** Counts that must be 0 for the suite to pass. */
export const MUST_BE_ZERO = ['target aborts', 'edits lost', 'false patched', 'wedged sessions', 'programs left paused', 'programs left running'] as const;

export interface TallyRow {
  suite: string;
  node: number;
  /** What was counted: a MUST_BE_ZERO name, or another measure (steps, saves, …). */
  what: string;
  n: number;
  /** Seed to replay the scenario, where there is one. */
  seed?: number;
}

export function tally(row: TallyRow): void {
  fs.appendFileSync(TALLY_FILE, JSON.stringify(row) + '\n');
}

/** Long soak runs: `npm run test:robust -- --long` sets EC_ROBUST_LONG=1. */
export const LONG = process.env.EC_ROBUST_LONG === '1';

/** A seed from EC_ROBUST_SEED (replay), else a fresh one; always printed with a failure. */
export function seedFor(name: string): number {
  const fixed = process.env.EC_ROBUST_SEED;
  if (fixed) return Number(fixed);
  let h = Date.now() >>> 0;
  for (const c of name) h = (Math.imul(h ^ c.charCodeAt(0), 2654435761) >>> 0);
  return h;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same scenario. */
export function rng(seed: number): { next(): number; int(n: number): number; pick<T>(xs: readonly T[]): T } {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return { next, int: (n) => Math.floor(next() * n), pick: (xs) => xs[Math.floor(next() * xs.length)] };
}
