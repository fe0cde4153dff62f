// The test matrix (test/helpers/nodes.ts): which configurations the suites run, from the environment.
// In test/e2e because it needs the installed nodes (npm run nodes), as the suites it configures do.
import { alternatingConfigs, fuzzConfigs, fuzzRuns, replayEnv, swapConfigs, testConfigs, testNodes, type TestConfig } from '../helpers/nodes';

const withEnv = <T>(env: Record<string, string | undefined>, f: () => T): T => {
  const before = { ...process.env };
  Object.assign(process.env, env);
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  try { return f(); } finally { process.env = before; }
};
const labels = (cs: { label: string }[]) => cs.map((c) => c.label);

describe('test matrix', () => {
  test('the default (no environment): both engines on 20, 22, 24 and 26, swap on the stand-in', () => {
    withEnv({ EC_TEST_ENGINES: undefined, EC_TEST_NODES: undefined, EC_TEST_MATRIX: undefined }, () => {
      expect(labels(testConfigs())).toEqual([
        'node 20', 'node 20 swap', 'node 22', 'node 22 swap', 'node 24', 'node 24 swap', 'node 26', 'node 26 swap', 'node 26 no LiveEdit, swap',
      ]);
      expect(labels(alternatingConfigs())).toEqual(['node 20', 'node 22 swap', 'node 24', 'node 26 swap', 'node 26 no LiveEdit, swap']);
      expect(labels(testNodes())).toEqual(['node 20', 'node 22', 'node 24', 'node 26', 'node 26 no LiveEdit']);
    });
  });
  test('both engines: every line with each, the stand-in with swap only', () => {
    withEnv({ EC_TEST_ENGINES: 'liveedit,swap', EC_TEST_NODES: '20,26,nolive', EC_TEST_MATRIX: undefined }, () => {
      expect(labels(testConfigs())).toEqual(['node 20', 'node 20 swap', 'node 26', 'node 26 swap', 'node 26 no LiveEdit, swap']);
      expect(testConfigs().map((c) => c.engine)).toEqual(['liveedit', 'swap', 'liveedit', 'swap', 'swap']);
      expect(labels(alternatingConfigs())).toEqual(['node 20', 'node 26 swap', 'node 26 no LiveEdit, swap']);
      expect(labels(testNodes())).toEqual(['node 20', 'node 26', 'node 26 no LiveEdit']);
      expect(testNodes().every((c) => c.engine === 'auto')).toBe(true);
    });
  });
  test('the fuzzers: each fixture × line on one engine in turn, both engines on every line and for every fixture; LiveEdit too where asked; the stand-in takes what 26 runs with LiveEdit', () => {
    withEnv({ EC_TEST_ENGINES: undefined, EC_TEST_NODES: '20,22,24,26,nolive', EC_TEST_MATRIX: undefined }, () => {
      const runs = (fixtures: number, both: (c: TestConfig, i: number) => boolean = () => false) =>
        fuzzConfigs().map((c) => `${c.label}: ${[...Array(fixtures).keys()].filter((i) => fuzzRuns(c, i, both(c, i))).join(' ')}`);
      expect(runs(3)).toEqual([
        'node 20: 0 2', 'node 20 swap: 1', 'node 22: 1', 'node 22 swap: 0 2', 'node 24: 0 2', 'node 24 swap: 1', 'node 26: 1', 'node 26 swap: 0 2',
        'node 26 no LiveEdit, swap: 1',
      ]);
      // a scenario with a listed seed (fixture 0 on 26, in turn on swap) runs with LiveEdit too
      expect(runs(3, (c, i) => c.major === 26 && i === 0)).toEqual(expect.arrayContaining(['node 26: 0 1', 'node 26 swap: 0 2', 'node 26 no LiveEdit, swap: 1']));
      // without 26 among the lines the stand-in runs every case
      withEnv({ EC_TEST_NODES: '24,nolive' }, () => expect(runs(3)).toEqual(['node 24: 0 2', 'node 24 swap: 1', 'node 26 no LiveEdit, swap: 0 1 2']));
      // narrowing the lines does not move a scenario to the other engine
      withEnv({ EC_TEST_NODES: '22' }, () => expect(runs(3)).toEqual(['node 22: 1', 'node 22 swap: 0 2']));
      // one engine wanted: every scenario on it
      withEnv({ EC_TEST_ENGINES: 'swap', EC_TEST_NODES: '22' }, () => expect(runs(3)).toEqual(['node 22 swap: 0 1 2']));
    });
  });
  test('EC_TEST_MATRIX=full gives the fuzzers and the alternating suites the whole cross product', () => {
    withEnv({ EC_TEST_ENGINES: 'liveedit,swap', EC_TEST_NODES: '20,22', EC_TEST_MATRIX: 'full' }, () => {
      expect(labels(alternatingConfigs())).toEqual(['node 20', 'node 20 swap', 'node 22', 'node 22 swap']);
      expect(fuzzConfigs().every((c) => [0, 1, 2].every((i) => fuzzRuns(c, i)))).toBe(true);
    });
  });
  test('LiveEdit only: no stand-in, nothing doubled', () => {
    withEnv({ EC_TEST_ENGINES: 'liveedit', EC_TEST_NODES: '20,22,nolive', EC_TEST_MATRIX: undefined }, () => {
      expect(labels(testConfigs())).toEqual(['node 20', 'node 22']);
      expect(labels(alternatingConfigs())).toEqual(['node 20', 'node 22']);
      expect(fuzzConfigs().every((c) => [0, 1, 2].every((i) => fuzzRuns(c, i)))).toBe(true);
      // a suite about the swap engine itself runs it anyway
      expect(labels(swapConfigs())).toEqual(['node 20 swap', 'node 22 swap', 'node 26 no LiveEdit, swap']);
    });
  });
  test('a replay line names the line and the engine', () => {
    withEnv({ EC_TEST_ENGINES: undefined, EC_TEST_NODES: '22,nolive' }, () => {
      expect(testConfigs().map(replayEnv)).toEqual(['EC_TEST_NODES=22 EC_TEST_ENGINES=liveedit', 'EC_TEST_NODES=22 EC_TEST_ENGINES=swap', 'EC_TEST_NODES=nolive']);
    });
  });
  test('an unknown engine is an error that names it', () => {
    withEnv({ EC_TEST_ENGINES: 'fast', EC_TEST_NODES: '20' }, () => expect(() => testConfigs()).toThrow("EC_TEST_ENGINES: unknown engine 'fast'"));
  });
});
