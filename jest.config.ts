import type { Config } from 'jest';

// Jest in ESM mode (see ../shared/docs/stack-notes.md): sources import each other with `.ts`
// suffixes, which Node 24 runs directly; ts-jest transpiles them for jest's VM modules.
const config: Config = {
  testEnvironment: 'node',
  extensionsToTreatAsEsm: ['.ts'],
  moduleFileExtensions: ['ts', 'js', 'json'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, diagnostics: false }],
  },
  moduleNameMapper: {
    '^(\\.{1,2}/.*)\\.js$': '$1',
  },
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // Integration and contract suites start servers and databases: run files in parallel on
  // the 2 cores, but give each test enough time for argon2 and real HTTP round trips.
  testTimeout: 30_000,
  maxWorkers: 2,
  globalSetup: '<rootDir>/test/helpers/global-setup.ts',
  globalTeardown: '<rootDir>/test/helpers/global-teardown.ts',
};

export default config;
