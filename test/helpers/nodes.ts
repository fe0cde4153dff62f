// The node binaries and patch engines the end-to-end tests run targets with: the system node (20), the
// ones `npm run nodes` installs from the npm registry into nodes/node_modules, and the stand-in for
// Node 27 (./node26-nolive/node: node 26 with LiveEdit off and run-time enabling refused).
//
// Two lists, made in one place (configs below):
// - testConfigs(): every line × every engine, and the stand-in with the swap engine. For the suites
//   whose subject the engine changes: patching, the prompt (retry, restart), attach, loading (the
//   transform), the edit and pause fuzzers.
// - testNodes(): every line once, with the engine a user gets by default (auto). For the suites that
//   do not depend on the engine: process plumbing (exit codes, signals, stdio), the lifeline and the
//   controller's faults, the cache, the watcher.
// A suite picks its engine with useEngine() on its describe.each line: the engine reaches the CLI,
// the API and a program started with --require edit-continue/register through EDIT_CONTINUE_ENGINE.
//
// EC_TEST_NODES=20,26,nolive narrows the lines (nolive: the stand-in); EC_TEST_ENGINES=liveedit,swap
// the engines; EC_TEST_MATRIX=full gives the random fuzzers every line × engine too (fuzzConfigs).
import * as fs from 'node:fs';
import * as path from 'node:path';

export type TestEngine = 'liveedit' | 'swap';

export interface TestNode {
  /** The node line (26 for the stand-in). */
  major: number;
  bin: string;
}

export interface TestConfig extends TestNode {
  /** The engine the suite runs with; 'auto' lets edit-continue choose (the user's default). */
  engine: TestEngine | 'auto';
  /** For test titles: `node 22`, `node 22 swap`, `node 26 no LiveEdit, swap`. */
  label: string;
  /** The Node 27 stand-in: no LiveEdit at all. */
  noLiveEdit: boolean;
}

const ROOT = path.resolve(__dirname, '..', '..');

/** The Node 27 stand-in (see ./node26-nolive/node). */
export const NO_LIVE_EDIT_NODE = path.join(__dirname, 'node26-nolive', 'node');

/**
 * The engines the cross-product suites run with by default: LiveEdit, the engine `auto` picks where
 * it exists (README, "Choosing the engine"). The swap engine runs them too when asked for
 * (EC_TEST_ENGINES=liveedit,swap, or EC_TEST_ENGINES=swap EC_TEST_NODES=nolive); by default it runs
 * in the swapConfigs() suites, on every line and the stand-in.
 * If `auto` comes to prefer swap, swap goes here and LiveEdit stays on a line or two.
 */
const DEFAULT_ENGINES: TestEngine[] = ['liveedit'];
const DEFAULT_LINES = '20,22,24,26,nolive';

function installed(major: number): string | null {
  const bin = path.join(ROOT, 'nodes', 'node_modules', `node${major}`, 'bin', 'node');
  return fs.existsSync(bin) ? bin : null;
}

function binOf(major: number): string {
  if (major === Number(process.versions.node.split('.')[0])) return process.execPath;
  const bin = installed(major);
  if (!bin) throw new Error(`node ${major} is not installed for the tests: run 'npm run nodes'`);
  return bin;
}

function wantedLines(): (number | 'nolive')[] {
  return (process.env.EC_TEST_NODES ?? DEFAULT_LINES).split(',').map((s) => s.trim()).filter(Boolean)
    .map((s) => (s === 'nolive' ? 'nolive' : Number(s)));
}

function wantedEngines(): TestEngine[] {
  const v = process.env.EC_TEST_ENGINES;
  if (!v) return DEFAULT_ENGINES;
  const out = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const e of out) if (e !== 'liveedit' && e !== 'swap') throw new Error(`EC_TEST_ENGINES: unknown engine '${e}' (liveedit, swap)`);
  return out as TestEngine[];
}

function standIn(engine: TestEngine | 'auto'): TestConfig {
  if (!installed(26)) throw new Error("node 26 is not installed for the tests (the Node 27 stand-in runs it): run 'npm run nodes'");
  return { major: 26, bin: NO_LIVE_EDIT_NODE, engine, label: engine === 'auto' ? 'node 26 no LiveEdit' : `node 26 no LiveEdit, ${engine}`, noLiveEdit: true };
}

/**
 * Every line × every engine, and the stand-in with the swap engine only (LiveEdit is what it lacks;
 * what LiveEdit does there without it is checked in test/e2e/engine.test.ts).
 */
export function testConfigs(engines = wantedEngines()): TestConfig[] {
  const out: TestConfig[] = [];
  for (const line of wantedLines()) {
    if (line === 'nolive') {
      if (engines.includes('swap')) out.push(standIn('swap'));
      continue;
    }
    const bin = binOf(line);
    for (const engine of engines) out.push({ major: line, bin, engine, label: engine === 'liveedit' ? `node ${line}` : `node ${line} ${engine}`, noLiveEdit: false });
  }
  return out;
}

/** For a suite about the swap engine itself: every line and the stand-in with swap, whatever EC_TEST_ENGINES says. */
export function swapConfigs(): TestConfig[] {
  return testConfigs(['swap']);
}

/**
 * For the random (seeded) fuzzers, which cost a minute a configuration: each line with one engine in
 * turn (20 LiveEdit, 22 swap, 24 LiveEdit, 26 swap, when both are wanted) and the stand-in with swap,
 * so that `npm test` stays near its time budget; their fixed-seed regressions run on testConfigs().
 * EC_TEST_MATRIX=full runs every line with every engine (`EC_TEST_MATRIX=full npm run test:robust`).
 */
export function fuzzConfigs(): TestConfig[] {
  const all = testConfigs();
  if (process.env.EC_TEST_MATRIX === 'full') return all;
  const engines = wantedEngines();
  const lines = [...new Set(all.filter((c) => !c.noLiveEdit).map((c) => c.major))];
  return all.filter((c) => c.noLiveEdit || c.engine === engines[lines.indexOf(c.major) % engines.length]);
}

/**
 * Every line once, with edit-continue's own choice of engine (auto). The stand-in is among them only
 * when the swap engine is (auto picks it there).
 */
export function testNodes(): TestConfig[] {
  const out: TestConfig[] = [];
  for (const line of wantedLines()) {
    if (line === 'nolive') {
      if (wantedEngines().includes('swap')) out.push(standIn('auto'));
      continue;
    }
    out.push({ major: line, bin: binOf(line), engine: 'auto', label: `node ${line}`, noLiveEdit: false });
  }
  return out;
}

/**
 * The engine a configuration's programs run with: its own, or for `auto` the one edit-continue picks
 * by default today (the swap engine where there is no LiveEdit, the stand-in; LiveEdit elsewhere).
 * Tests whose expectation differs by engine (LiveEdit waits for a running function, EC301; the swap
 * engine installs at once) ask this. If the default changes, change it here.
 */
export function engineOf(c: Pick<TestConfig, 'engine' | 'noLiveEdit'>): TestEngine {
  if (c.engine !== 'auto') return c.engine;
  return c.noLiveEdit ? 'swap' : 'liveedit';
}

/** Is the stand-in among the lines (EC_TEST_NODES has `nolive`, as by default)? Node 26 must then be installed. */
export function standInWanted(): boolean {
  if (!wantedLines().includes('nolive')) return false;
  standIn('auto');
  return true;
}

/**
 * Run the enclosing describe block's programs with `engine`: sets EDIT_CONTINUE_ENGINE for the CLIs,
 * API sessions and plain node programs it starts (they take the environment of the test process).
 * Call at describe level (on the describe.each line).
 */
export function useEngine(engine: TestEngine | 'auto'): void {
  let before: string | undefined;
  beforeAll(() => {
    before = process.env.EDIT_CONTINUE_ENGINE;
    if (engine === 'auto') delete process.env.EDIT_CONTINUE_ENGINE;
    else process.env.EDIT_CONTINUE_ENGINE = engine;
  });
  afterAll(() => {
    if (before === undefined) delete process.env.EDIT_CONTINUE_ENGINE;
    else process.env.EDIT_CONTINUE_ENGINE = before;
  });
}

export const ROOT_DIR = ROOT;
