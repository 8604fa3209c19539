#!/usr/bin/env node
// Runs the API fuzzing tier (test/fuzz) with more requests than `npm test` sends:
//   npm run fuzz:api -- --runs 1000 [--seed 12345]
// --runs: requests per operation and database; --seed: replay a run (printed on failure and in
// the summary line of each database).
import { spawnSync } from 'node:child_process';
import { parseArgs } from 'node:util';

const { values } = parseArgs({
  options: { runs: { type: 'string', default: '1000' }, seed: { type: 'string' } },
});
for (const [name, value] of Object.entries(values)) {
  if (value !== undefined && !/^\d+$/.test(value)) {
    console.error(`--${name}: must be a whole number`);
    process.exit(2);
  }
}
const env = {
  ...process.env,
  FUZZ_RUNS: values.runs,
  ...(values.seed !== undefined ? { FUZZ_SEED: values.seed } : {}),
};
const jest = spawnSync(
  process.execPath,
  ['node_modules/jest/bin/jest.js', '--selectProjects', 'fuzz', '--runInBand'],
  { env, stdio: 'inherit' },
);
process.exit(jest.status ?? 1);
