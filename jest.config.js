// Four tiers: unit (*.spec.ts beside the code, in-memory HSM), integration (*.int-spec.ts,
// real SoftHSM token and databases), e2e (test/e2e, the whole app over HTTP), fuzz (test/fuzz,
// generated requests from docs/openapi.json against the whole app).
const moduleNameMapper = {
  '^@sts/core$': '<rootDir>/libs/sts-core/src/index.ts',
  // The console imports the STS core's DES alone (apps/console/vite.config.mjs).
  '^@sts/core/des$': '<rootDir>/libs/sts-core/src/des.ts',
  '^@sts/hsm$': '<rootDir>/libs/hsm/src/index.ts',
  '^@sts/audit-verifier$': '<rootDir>/tools/audit-verifier/audit-verifier.js',
};
const transform = {
  '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
};
const common = {
  rootDir: __dirname,
  testEnvironment: 'node',
  moduleNameMapper,
  transform,
  // Stryker's sandbox copies of the project (see stryker.config.mjs).
  modulePathIgnorePatterns: ['<rootDir>/.stryker-tmp/'],
};
// Suites that start tokens, databases and the service: a bound on a hung step, not a speed test.
const slow = { ...common, setupFilesAfterEnv: ['<rootDir>/test/helpers/step-timeout.ts'] };

module.exports = {
  projects: [
    {
      ...common,
      displayName: 'unit',
      testMatch: ['<rootDir>/{apps,libs,tools}/**/*.spec.ts'],
    },
    {
      ...slow,
      displayName: 'integration',
      testMatch: ['<rootDir>/{apps,libs,test}/**/*.int-spec.ts'],
    },
    {
      ...slow,
      displayName: 'e2e',
      globalSetup: '<rootDir>/test/helpers/e2e-global-setup.ts',
      testMatch: ['<rootDir>/test/e2e/**/*.e2e-spec.ts'],
    },
    {
      ...slow,
      displayName: 'fuzz',
      globalSetup: '<rootDir>/test/helpers/e2e-global-setup.ts',
      testMatch: ['<rootDir>/test/fuzz/**/*.fuzz-spec.ts'],
    },
  ],
};
