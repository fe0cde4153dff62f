/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  // End-to-end tests spawn real node processes; two workers match the two cores of CI.
  maxWorkers: 2,
  testTimeout: 60000,
  // The robustness suite (test/robust) counts aborts, lost edits and wedged sessions and prints a table.
  globalSetup: '<rootDir>/test/robust/globalSetup.ts',
  globalTeardown: '<rootDir>/test/robust/globalTeardown.ts',
};
