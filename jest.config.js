/** Unit specs live beside the code; e2e specs run the built plugin through real Nx and cargo. */
// Transpile only: types are checked once by `tsc -p tsconfig.json` in `npm test`.
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }];
module.exports = {
  // The suite leaves examples/ as it found it (tools/jest/example-untouched.cjs).
  globalSetup: '<rootDir>/tools/jest/global-setup.cjs',
  globalTeardown: '<rootDir>/tools/jest/global-teardown.cjs',
  projects: [
    {
      displayName: 'unit',
      rootDir: __dirname,
      testEnvironment: 'node',
      roots: ['<rootDir>/packages', '<rootDir>/tools'],
      testMatch: ['**/*.spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
    },
    {
      displayName: 'e2e',
      rootDir: __dirname,
      testEnvironment: 'node',
      roots: ['<rootDir>/e2e'],
      testMatch: ['**/*.spec.ts'],
      transform: { '^.+\\.ts$': tsJest },
    },
  ],
};
