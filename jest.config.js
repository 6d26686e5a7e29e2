/** Unit specs live beside the code; e2e specs run the built plugin through real Nx and cargo. */
// Transpile only: types are checked once by `tsc -p tsconfig.json` in `npm test`.
const tsJest = ['ts-jest', { tsconfig: '<rootDir>/tsconfig.spec.json' }];
// @decimalturn/toml-patch is ESM only. Node 20.19 require()s it, but Jest's own loader does so only on
// Node 24.9+, so the unit specs transpile that one package to CommonJS.
const esmOnly = ['@decimalturn/toml-patch'];
const esmTransform = {
  [`/node_modules/(${esmOnly.join('|')})/.+\\.js$`]: ['ts-jest', { tsconfig: { allowJs: true, module: 'commonjs', isolatedModules: true } }],
};
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
      transform: { '^.+\\.ts$': tsJest, ...esmTransform },
      transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
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
