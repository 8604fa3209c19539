// The unit tier alone, as one flat jest config: what Stryker's jest runner loads (it cannot
// select a project of a multi-project config). ts-jest only transpiles here: the type check
// belongs to `npm run typecheck`, and a mutant must be killed by a test, not by the compiler.
const { projects } = require('./jest.config.js');

const unit = projects.find((project) => project.displayName === 'unit');

module.exports = {
  ...unit,
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json', isolatedModules: true }],
  },
};
