/** @type {import('jest').Config} */
const project = (name, extra = {}) => ({
  displayName: name,
  testEnvironment: 'node',
  roots: [`<rootDir>/test/${name}`],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  ...extra,
});

module.exports = {
  // End-to-end tests spawn real node processes and partly wait on them: with two workers on CI's two
  // cores, 38 % of the CPU time was idle over a whole fresh-clone CI run (vmstat; the run's processes
  // used 101 % of one core), 20-23 % with three. On the same head (2026-12-03, fresh clones, quiet
  // machine): three workers 742 s, 14 % idle; four 709 s, 6 % idle, all green (README, "Where npm
  // test's time goes"). `--maxWorkers` on the command line overrides it.
  maxWorkers: 4,
  // A global option: jest does not take it from a project's config.
  testTimeout: 60000,
  projects: [
    project('unit'),
    project('e2e'),
    // The robustness suite counts aborts, lost edits and wedged sessions and prints a table at the
    // end. A project's global setup and teardown run only when a test of that project is selected,
    // so `jest test/unit` or `jest test/e2e` does not start (or print) the tally.
    project('robust', {
      globalSetup: '<rootDir>/test/robust/globalSetup.ts',
      globalTeardown: '<rootDir>/test/robust/globalTeardown.ts',
    }),
  ],
};
