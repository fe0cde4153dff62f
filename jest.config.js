/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: 'tsconfig.test.json' }] },
  // End-to-end tests spawn real node processes; two workers match the two cores of CI.
  maxWorkers: 2,
  testTimeout: 60000,
};
