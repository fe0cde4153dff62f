// The node binaries and patch engines the end-to-end tests run targets with: the system node (20), the
// ones `npm run nodes` installs from the npm registry into nodes/node_modules, and the stand-in for
// Node 27 (./node26-nolive/node: node 26 with LiveEdit off and run-time enabling refused).
//
// The lists, made in one place (configs below); by default both engines (LiveEdit and swap) on 20, 22,
// 24 and 26, and the swap engine on the stand-in:
// - testConfigs(): every line × every engine, and the stand-in with the swap engine. For the suites
//   whose subject the engine changes: patching, the prompt (retry, restart) and its answers, attach,
//   loading (the transform), the controller's faults mid-patch, and the fuzzers' regression tests.
// - fuzzRuns(): which of them runs a costly case (a seeded fuzz scenario: fixture × line; a pause fuzz
//   regression that repeats a race at a person's pace): each case on one engine per line, in turn (so
//   each line runs both engines across the cases and each case both engines across the lines), a
//   scenario with a listed regression seed with LiveEdit too; the stand-in runs those 26 runs with
//   LiveEdit.
// - alternatingConfigs(): each line with one engine in turn (20 LiveEdit, 22 swap, 24 LiveEdit, 26
//   swap) and the stand-in with swap: for a suite that costs a minute a configuration and whose
//   subject is mostly not the engine (workers: threads, children, clusters).
// - testNodes(): every line once, with the engine a user gets by default (auto). For the suites that
//   do not depend on the engine: process plumbing (exit codes, signals, stdio), the lifeline and the
//   controller's faults, the cache, the watcher; and the suites that check what `auto` gives a user
//   (framework, honest, swap, TypeScript).
// A suite picks its engine with useEngine() on its describe.each line: the engine reaches the CLI,
// the API and a program started with --require edit-continue/register through EDIT_CONTINUE_ENGINE.
//
// EC_TEST_NODES=20,26,nolive narrows the lines (nolive: the stand-in); EC_TEST_ENGINES=liveedit or
// =swap one engine (then every list runs that one wherever it runs); EC_TEST_MATRIX=full runs the
// costly cases and alternatingConfigs() on every line × engine too.
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
 * The engines the suites run with by default: both (issue 11: every end-to-end suite whose subject the
 * engine changes runs with LiveEdit and with the swap engine on every line). EC_TEST_ENGINES narrows.
 */
const DEFAULT_ENGINES: TestEngine[] = ['liveedit', 'swap'];
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
 * For a suite that costs a minute a configuration: each line with one engine in turn (20 LiveEdit, 22
 * swap, 24 LiveEdit, 26 swap, when both are wanted) and the stand-in with swap, so that `npm test`
 * stays in its time budget. The engine a line gets comes from the line itself, not from its place in
 * EC_TEST_NODES, so narrowing the lines does not change it. EC_TEST_MATRIX=full: every line × engine.
 */
export function alternatingConfigs(): TestConfig[] {
  const all = testConfigs();
  if (process.env.EC_TEST_MATRIX === 'full') return all;
  const engines = wantedEngines();
  return all.filter((c) => c.noLiveEdit || c.engine === engineInTurn(engines, c.major, 0));
}

/** The engine in turn for a line (20, 24: the first wanted; 22, 26: the second) and a case's index. */
function engineInTurn(engines: TestEngine[], major: number, index: number): TestEngine {
  return engines[(Math.floor(major / 2) + index) % engines.length];
}

/**
 * The configurations the seeded fuzzers run on: every line × every engine and the stand-in
 * (testConfigs()); fuzzRuns() says which of their scenarios each one runs.
 */
export function fuzzConfigs(): TestConfig[] {
  return testConfigs();
}

/**
 * Does configuration `c` run the fuzz scenario of fixture number `index` (its place in the suite's
 * fixture list, or the case's number)? A fuzz scenario costs 5 to 15 s, so by default each (case, line) runs on one
 * engine, in turn: fixture i on line L runs engine (L/2 + i) mod 2. Every line thus runs both engines
 * across its fixtures, and every fixture both engines across the lines. The stand-in (swap) runs the
 * cases node 26 runs with LiveEdit: on node 26's V8 every case runs with swap once and half of them
 * with LiveEdit too (all of them on the stand-in when 26 is not among the lines). A scenario `alsoLiveEdit` says so of (one whose seed found a bug
 * with LiveEdit: tally.ts REGRESSION_SEEDS) runs with LiveEdit on its line as well as with its engine
 * in turn. EC_TEST_MATRIX=full, or one engine wanted: every scenario on every configuration.
 */
export function fuzzRuns(c: TestConfig, index: number, alsoLiveEdit = false): boolean {
  if ((alsoLiveEdit && c.engine === 'liveedit') || c.engine === 'auto' || process.env.EC_TEST_MATRIX === 'full') return true;
  const engines = wantedEngines();
  // the stand-in is node 26's V8 with LiveEdit off: it takes the cases node 26 runs with LiveEdit, so
  // that on 26 each case runs with swap once (with LiveEdit there or not), and all when 26 is not run
  if (c.noLiveEdit) return !(wantedLines().includes(26) && engines.length > 1) || engineInTurn(engines, 26, index) !== 'swap';
  return c.engine === engineInTurn(engines, c.major, index);
}

/**
 * The environment that runs one configuration again, for a replay line:
 * `EC_TEST_NODES=22 EC_TEST_ENGINES=swap`, or `EC_TEST_NODES=nolive` for the stand-in.
 */
export function replayEnv(c: Pick<TestConfig, 'major' | 'engine' | 'noLiveEdit'>): string {
  if (c.noLiveEdit) return 'EC_TEST_NODES=nolive';
  return `EC_TEST_NODES=${c.major}${c.engine === 'auto' ? '' : ` EC_TEST_ENGINES=${c.engine}`}`;
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
