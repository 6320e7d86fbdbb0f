/** @type {import('jest').Config} */
const transform = {
  '^.+\\.ts$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }],
};

module.exports = {
  testEnvironment: 'node',
  transform,
  moduleFileExtensions: ['ts', 'js', 'json'],
  testMatch: ['<rootDir>/test/**/*.test.ts'],
  // One Azurite for the whole run, on free loopback ports, in memory (test/support/global-setup.ts).
  globalSetup: '<rootDir>/test/support/global-setup.ts',
  globalTeardown: '<rootDir>/test/support/global-teardown.ts',
  testTimeout: 30000,
  maxWorkers: 2,
  // A worker's heap grows by several megabytes per test file (each file loads the SDKs afresh), to
  // 700-900 MB by the end of a run; tearing down a heap that size after the last file took longer than
  // the half second jest waits for a worker to exit, so it was force-killed with a warning. A worker
  // whose heap passes this limit after a file is replaced by a fresh one instead.
  workerIdleMemoryLimit: '350MB',
};
