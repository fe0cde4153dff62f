// The test matrix (test/helpers/nodes.ts): which configurations the suites run, from the environment.
// In test/e2e because it needs the installed nodes (npm run nodes), as the suites it configures do.
import { fuzzConfigs, swapConfigs, testConfigs, testNodes } from '../helpers/nodes';

const withEnv = <T>(env: Record<string, string | undefined>, f: () => T): T => {
  const before = { ...process.env };
  Object.assign(process.env, env);
  for (const [k, v] of Object.entries(env)) if (v === undefined) delete process.env[k];
  try { return f(); } finally { process.env = before; }
};
const labels = (cs: { label: string }[]) => cs.map((c) => c.label);

describe('test matrix', () => {
  test('both engines: every line with each, the stand-in with swap only', () => {
    withEnv({ EC_TEST_ENGINES: 'liveedit,swap', EC_TEST_NODES: '20,26,nolive', EC_TEST_MATRIX: undefined }, () => {
      expect(labels(testConfigs())).toEqual(['node 20', 'node 20 swap', 'node 26', 'node 26 swap', 'node 26 no LiveEdit, swap']);
      expect(testConfigs().map((c) => c.engine)).toEqual(['liveedit', 'swap', 'liveedit', 'swap', 'swap']);
      expect(labels(fuzzConfigs())).toEqual(['node 20', 'node 26 swap', 'node 26 no LiveEdit, swap']);
      expect(labels(testNodes())).toEqual(['node 20', 'node 26', 'node 26 no LiveEdit']);
      expect(testNodes().every((c) => c.engine === 'auto')).toBe(true);
    });
  });
  test('EC_TEST_MATRIX=full gives the fuzzers the whole cross product', () => {
    withEnv({ EC_TEST_ENGINES: 'liveedit,swap', EC_TEST_NODES: '20,22', EC_TEST_MATRIX: 'full' }, () => {
      expect(labels(fuzzConfigs())).toEqual(['node 20', 'node 20 swap', 'node 22', 'node 22 swap']);
    });
  });
  test('LiveEdit only (the default while the swap engine is being built): no stand-in, nothing doubled', () => {
    withEnv({ EC_TEST_ENGINES: 'liveedit', EC_TEST_NODES: '20,22,nolive', EC_TEST_MATRIX: undefined }, () => {
      expect(labels(testConfigs())).toEqual(['node 20', 'node 22']);
      expect(labels(fuzzConfigs())).toEqual(['node 20', 'node 22']);
      // a suite about the swap engine itself runs it anyway
      expect(labels(swapConfigs())).toEqual(['node 20 swap', 'node 22 swap', 'node 26 no LiveEdit, swap']);
    });
  });
  test('an unknown engine is an error that names it', () => {
    withEnv({ EC_TEST_ENGINES: 'fast', EC_TEST_NODES: '20' }, () => expect(() => testConfigs()).toThrow("EC_TEST_ENGINES: unknown engine 'fast'"));
  });
});
