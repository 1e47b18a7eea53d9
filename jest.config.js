/** One Jest run for the whole workspace: unit tests next to the code, e2e tests in apps/. */
module.exports = {
  testEnvironment: 'node',
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/packages/gitops/tsconfig.spec.json' }],
  },
  testMatch: ['<rootDir>/packages/**/src/**/*.spec.ts', '<rootDir>/apps/**/src/**/*.spec.ts', '<rootDir>/generators/**/*.spec.ts', '<rootDir>/tools/**/*.spec.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/'],
  reporters: ['default', '<rootDir>/tools/ci/summary-reporter.js'],
  modulePathIgnorePatterns: ['<rootDir>/packages/gitops/dist/'],
  // Generator specs build whole platforms in memory (every generator reconciles the tree): seconds, not milliseconds.
  testTimeout: 60_000,
};
