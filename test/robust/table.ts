// jest globalSetup/globalTeardown for the robustness suite: start an empty tally, print the table.
import * as fs from 'node:fs';
import { MUST_BE_ZERO, TALLY_FILE, type TallyRow } from './tally';

export function setup(): void {
  process.env.EC_ROBUST_TALLY = TALLY_FILE;
  fs.writeFileSync(TALLY_FILE, '');
}

export function render(rows: TallyRow[]): string {
  const nodes = [...new Set(rows.map((r) => r.node))].sort((a, b) => a - b);
  const keys = [...new Set(rows.map((r) => `${r.suite}\u0000${r.what}`))].sort();
  const sum = (suite: string, what: string, node: number) => rows.filter((r) => r.suite === suite && r.what === what && r.node === node).reduce((s, r) => s + r.n, 0);
  const head = ['suite', 'count', ...nodes.map((n) => `node ${n}`), 'must be 0'];
  const body = keys.map((k) => {
    const [suite, what] = k.split('\u0000');
    return [suite, what, ...nodes.map((n) => String(sum(suite, what, n))), (MUST_BE_ZERO as readonly string[]).includes(what) ? 'yes' : ''];
  });
  const widths = head.map((h, i) => Math.max(h.length, ...body.map((r) => r[i].length)));
  const line = (r: string[]) => '| ' + r.map((c, i) => c.padEnd(widths[i])).join(' | ') + ' |';
  return [line(head), '|' + widths.map((w) => '-'.repeat(w + 2)).join('|') + '|', ...body.map(line)].join('\n');
}

/** How to run a failed scenario again: its own replay command, or its seed on the robust suite. */
export function replayLine(r: TallyRow): string {
  return r.replay ?? `EC_ROBUST_SEED=${r.seed} EC_TEST_NODES=${r.node} npx jest test/robust   (${r.suite})`;
}

/** The rows of scenarios that failed: a count that must be 0 and is not, with the seed that replays it. */
export function failures(rows: TallyRow[]): TallyRow[] {
  return rows.filter((r) => r.seed !== undefined && r.n > 0 && (MUST_BE_ZERO as readonly string[]).includes(r.what));
}

export function teardown(): void {
  let rows: TallyRow[] = [];
  try {
    rows = fs.readFileSync(TALLY_FILE, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as TallyRow);
  } catch { /* nothing ran */ }
  fs.rmSync(TALLY_FILE, { force: true });
  if (!rows.length) return;
  const seeds = [...new Set(rows.filter((r) => r.seed !== undefined).map((r) => `${r.suite}: ${r.seed}`))];
  const replays = [...new Set(failures(rows).map(replayLine))];
  process.stdout.write(`\nRobustness counts (EC_ROBUST_SEED=<seed> replays a scenario):\n${render(rows)}\nseeds: ${seeds.join('; ') || '-'}\n${replays.map((r) => `replay: ${r}\n`).join('')}`);
}
