import { spawnSync } from 'node:child_process';
import { PG_URL, type DatabaseKind } from './key-service-app';

let reachable: boolean | undefined;

/** Whether PostgreSQL answers at PG_URL (checked once, synchronously, so describe blocks can use it). */
export function postgresReachable(): boolean {
  if (reachable === undefined) {
    const probe = spawnSync(
      process.execPath,
      [
        '-e',
        `const { Client } = require('pg');
         const c = new Client({ connectionString: process.argv[1], connectionTimeoutMillis: 3000 });
         c.connect().then(() => c.query('SELECT 1')).then(() => c.end()).then(() => process.exit(0), () => process.exit(1));`,
        PG_URL,
      ],
      { cwd: __dirname, timeout: 10_000, encoding: 'utf8' },
    );
    reachable = probe.status === 0;
  }
  return reachable;
}

/**
 * Runs `body` once per database. PostgreSQL suites never pass silently: see {@link onPostgres}.
 */
export function forEachDatabase(name: string, body: (kind: DatabaseKind) => void): void {
  describe(`${name} on SQLite`, () => body('sqlite'));
  onPostgres(name, () => body('postgres'));
}

/**
 * A suite that needs PostgreSQL. When the server is not reachable it fails with a message saying
 * so, unless STS_TEST_SKIP_POSTGRES=1 asks to skip it, in which case the skipped block's name
 * says why.
 */
export function onPostgres(name: string, body: () => void): void {
  if (postgresReachable()) {
    describe(`${name} on PostgreSQL`, body);
  } else if (process.env.STS_TEST_SKIP_POSTGRES === '1') {
    // Skipped on request: STS_TEST_SKIP_POSTGRES=1 and no PostgreSQL at PG_URL.
    describe.skip(
      `${name} on PostgreSQL (skipped: STS_TEST_SKIP_POSTGRES=1, ${PG_URL} unreachable)`,
      body,
    );
  } else {
    describe(`${name} on PostgreSQL`, () => {
      it('needs a reachable PostgreSQL server', () => {
        throw new Error(
          `PostgreSQL is not reachable at ${PG_URL}: start it, set STS_TEST_DATABASE_URL, ` +
            'or set STS_TEST_SKIP_POSTGRES=1 to skip the PostgreSQL suites explicitly',
        );
      });
    });
  }
}
