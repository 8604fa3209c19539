// The unit suites that own the mutated modules of stryker.config.mjs, as one flat jest config
// (Stryker's jest runner cannot select a project of a multi-project config). Each module must be
// pinned by its own tests: the library by its own suites, each service module by the spec beside
// it. Suites named *.property.spec.ts are left out: hundreds of random inputs through a whole
// pipeline cost per mutant what the rest costs in total, and a mutant's verdict should not hang
// on a seed (fixed-input tests pin the same behaviour). ts-jest only transpiles (tsconfig.json
// sets isolatedModules): a mutant is killed by a test, never by the compiler.
const { projects } = require('./jest.config.js');

const unit = projects.find((project) => project.displayName === 'unit');

module.exports = {
  ...unit,
  displayName: 'mutation',
  testMatch: [
    '<rootDir>/libs/sts-core/src/**/*.spec.ts',
    '<rootDir>/apps/key-service/src/vending/rules/*.spec.ts',
    '<rootDir>/apps/key-service/src/audit/{audit-chain,offline-verifier}*.spec.ts',
    '<rootDir>/tools/audit-verifier/*.spec.ts',
    '<rootDir>/apps/key-service/src/common/validation-fast-path*.spec.ts',
  ],
  testPathIgnorePatterns: ['/node_modules/', '\\.property\\.spec\\.ts$'],
};
