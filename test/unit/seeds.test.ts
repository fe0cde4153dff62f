// The robustness suite's seeds: `npm test` runs a fixed set (test/robust/tally.ts REGRESSION_SEEDS),
// `npm run fuzz` draws fresh ones, EC_ROBUST_SEED replays one; a failure's replay line reaches the table.
import { failures, replayLine } from '../robust/table';

type Tally = typeof import('../robust/tally');

/** tally.ts as a run with these environment variables sees it (it reads them when loaded). */
function load(env: Record<string, string | undefined>): Tally {
  const saved = { EC_ROBUST_SEED: process.env.EC_ROBUST_SEED, EC_ROBUST_FRESH: process.env.EC_ROBUST_FRESH };
  delete process.env.EC_ROBUST_SEED;
  delete process.env.EC_ROBUST_FRESH;
  for (const [k, v] of Object.entries(env)) if (v !== undefined) process.env[k] = v;
  try {
    let mod: Tally | undefined;
    jest.isolateModules(() => { mod = require('../robust/tally') as Tally; });
    return mod!;
  } finally {
    for (const [k, v] of Object.entries(saved)) { if (v === undefined) delete process.env[k]; else process.env[k] = v; }
  }
}

describe('seedFor', () => {
  test('npm test: a listed scenario runs its listed seed, every run', () => {
    const t = load({});
    expect(t.seedFor('edit-fuzz sync loop 20')).toBe(922208518);
    expect(t.seedFor('pause-fuzz timer worker 24')).toBe(2770650975);
    expect(t.seedFor('pause-fuzz hot loop 26')).toBe(4259116378);
    expect(load({}).seedFor('pause-fuzz hot loop 26')).toBe(4259116378);
    // found the abort at a function's end (once an open bug), fixed: npm test runs it again
    expect(t.seedFor('pause-fuzz timer worker 26')).toBe(4266262094);
    // and no scenario runs a seed that finds a bug still open
    for (const [name, open] of Object.entries(t.OPEN_BUG_SEEDS)) expect({ name, seed: t.seedFor(name) }).not.toEqual({ name, seed: open.seed });
  });

  test('npm test: any other scenario runs a seed made from its name alone', () => {
    const a = load({}).seedFor('edit-fuzz classes 22');
    expect(load({}).seedFor('edit-fuzz classes 22')).toBe(a);
    expect(a).toBe(load({}).stableSeed('edit-fuzz classes 22'));
    expect(load({}).seedFor('edit-fuzz classes 24')).not.toBe(a);
    expect(Number.isInteger(a) && a >= 0 && a < 2 ** 32).toBe(true);
  });

  test('npm run fuzz (EC_ROBUST_FRESH=1): seeds differ from the fixed ones', () => {
    const t = load({ EC_ROBUST_FRESH: '1' });
    expect(t.FRESH).toBe(true);
    expect(t.seedFor('pause-fuzz hot loop 26')).not.toBe(4259116378);
    expect(t.seedFor('edit-fuzz classes 22')).not.toBe(t.stableSeed('edit-fuzz classes 22'));
  });

  test('EC_ROBUST_SEED replays one seed, fresh or not', () => {
    expect(load({ EC_ROBUST_SEED: '12345' }).seedFor('edit-fuzz sync loop 20')).toBe(12345);
    expect(load({ EC_ROBUST_SEED: '12345', EC_ROBUST_FRESH: '1' }).seedFor('anything')).toBe(12345);
  });
});

describe('the table lists a replay line for each failed scenario', () => {
  test('only counts that must be 0 and are not; the scenario\'s own command, else the seed on the suite', () => {
    const rows = [
      { suite: 'pause-fuzz', node: 24, what: 'target aborts', n: 1, seed: 7, replay: "EC_ROBUST_SEED=7 EC_TEST_NODES=24 npx jest test/robust/pause-fuzz.test.ts -t 'hot loop'" },
      { suite: 'pause-fuzz', node: 24, what: 'steps', n: 40, seed: 7, replay: 'x' },
      { suite: 'process faults', node: 20, what: 'programs left running', n: 0, seed: 9 },
      { suite: 'process faults', node: 22, what: 'programs left running', n: 1, seed: 11 },
    ];
    expect(failures(rows).map(replayLine)).toEqual([
      "EC_ROBUST_SEED=7 EC_TEST_NODES=24 npx jest test/robust/pause-fuzz.test.ts -t 'hot loop'",
      'EC_ROBUST_SEED=11 EC_TEST_NODES=22 npx jest test/robust   (process faults)',
    ]);
  });
});
