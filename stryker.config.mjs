// Mutation testing of the code that decides what a customer is credited, whether a key may be
// used and what an auditor can verify. See docs/testing.md.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'jest',
  jest: {
    projectType: 'custom',
    configFile: 'jest.mutation.config.js',
    enableFindRelatedTests: true,
  },
  plugins: ['@stryker-mutator/jest-runner', './scripts/stryker-ignore-error-messages.mjs'],
  ignorers: ['error-messages'],
  coverageAnalysis: 'perTest',
  ignoreStatic: true,
  concurrency: 2,
  mutate: [
    'libs/sts-core/src/amount.ts',
    'libs/sts-core/src/crc.ts',
    'libs/sts-core/src/tid.ts',
    'libs/sts-core/src/tokens.ts',
    'libs/sts-core/src/token-codec.ts',
    'libs/sts-core/src/dkga.ts',
    'libs/sts-core/src/ea07.ts',
    'libs/sts-core/src/key-params.ts',
    'libs/sts-core/src/meter-id.ts',
    'libs/sts-core/src/virtual-meter.ts',
    'apps/key-service/src/vending/rules/sts-rules.ts',
    'apps/key-service/src/vending/rules/encoded-values.ts',
    'tools/audit-verifier/audit-verifier.js',
    'apps/key-service/src/common/validation-fast-path.ts',
  ],
  reporters: ['clear-text', 'progress-append-only', 'json'],
  jsonReporter: { fileName: 'reports/mutation/mutation.json' },
  incremental: true,
  incrementalFile: 'reports/stryker-incremental.json',
  tempDirName: '.stryker-tmp',
  cleanTempDir: 'always',
  thresholds: { high: 95, low: 90, break: 90 },
};
