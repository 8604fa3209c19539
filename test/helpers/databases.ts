import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DataSource } from 'typeorm';
import type { AppConfig } from '../../apps/key-service/src/config/app-config';
import { createDataSource, ensureSchema } from '../../apps/key-service/src/database/data-source';
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

/** A scratch database for one integration suite (see {@link scratchDatabase}). */
export interface ScratchDatabase {
  /** The configuration the service would take for it. */
  readonly config: AppConfig['database'];
  readonly isPostgres: boolean;
  /** The PostgreSQL schema (unused on SQLite). */
  readonly schema: string;
  /** An open data source on it, from the suite's first `beforeAll` on. */
  readonly ds: DataSource;
}

/**
 * A fresh SQLite file or PostgreSQL schema for the suite that calls it (inside a
 * {@link forEachDatabase} body): opened, with the migrations applied when `migrate`, before the
 * suite's own `beforeAll` hooks, and removed after its tests.
 */
export function scratchDatabase(
  kind: DatabaseKind,
  name: string,
  options: { readonly migrate?: boolean } = {},
): ScratchDatabase {
  const dir = mkdtempSync(join(tmpdir(), `sts-${name}-`));
  const schema = `t_${name.replace(/\W/g, '_')}_${process.pid}_${Date.now().toString(36)}`;
  const config: AppConfig['database'] =
    kind === 'sqlite'
      ? { type: 'sqlite', path: join(dir, `${name}.sqlite`) }
      : { type: 'postgres', url: PG_URL, schema };
  let ds: DataSource | undefined;

  beforeAll(async () => {
    const opened = createDataSource(config);
    await opened.initialize();
    ds = opened;
    await ensureSchema(opened, config);
    if (options.migrate) await opened.runMigrations({ transaction: 'each' });
  });

  afterAll(async () => {
    if (ds) {
      if (kind === 'postgres') await ds.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      await ds.destroy();
    }
    rmSync(dir, { recursive: true, force: true });
  });

  return {
    config,
    isPostgres: kind === 'postgres',
    schema,
    get ds(): DataSource {
      if (!ds)
        throw new Error(`scratch database ${name} is not open yet (use it in a test or hook)`);
      return ds;
    },
  };
}
