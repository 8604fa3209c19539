/**
 * `npm run bench:restore`: backup and restore of the key service's PostgreSQL schema, and the
 * custody check, at the sizes a utility runs (docs/operations.md quotes the figures).
 *
 *  1. A schema holding 1,000,000 issuances (one audit event each), 100,000 meters' TID
 *     allocations and 10,000 signed audit checkpoints, filled by SQL (rows of realistic size;
 *     the hash chain itself is synthetic, which changes nothing in what is copied).
 *  2. `pg_dump --format=custom --schema` of it (time, file size), then the schema dropped and
 *     `pg_restore` run (one job, then two jobs), each timed.
 *  3. `key-service restore-complete` on the restored schema (process start included).
 *  4. The custody check over 1,000 vending keys in a SoftHSM token (plus the audit key): the
 *     token's inventory (every key's check value computed in the token), the database's
 *     references and the comparison, in process; then `key-service verify-custody` as an
 *     operator runs it (process start included).
 *
 * Run by hand, not in CI. PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test),
 * a fresh schema, dropped at the end; pg_dump and pg_restore from PATH (their major version must
 * match the server's). The token is a fresh SoftHSM token made by keys-dev/setup-token.sh.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { type KeyCustody, Pkcs11KeyCustody } from '@sts/hsm';
import type { DataSource } from 'typeorm';
import type * as AuditChain from '../apps/key-service/src/audit/audit-chain';
import type * as DataSourceModule from '../apps/key-service/src/database/data-source';
import type * as ReferencesModule from '../apps/key-service/src/recovery/custody-references';
import type * as VerificationModule from '../apps/key-service/src/recovery/custody-verification';
import { fmt, printRows } from './measure';

const load = createRequire(__filename);
function service<T>(path: string): T {
  return load(join(__dirname, '..', '..', 'apps', 'key-service', 'dist', path)) as T;
}
const { createDataSource, ensureSchema } = service<typeof DataSourceModule>('database/data-source');
const { checkpointMessage } = service<typeof AuditChain>('audit/audit-chain');
const { readKeyReferences } = service<typeof ReferencesModule>('recovery/custody-references');
const { verifyCustody } = service<typeof VerificationModule>('recovery/custody-verification');

const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `bench_restore_${process.pid}`;
const ISSUANCES = 1_000_000;
const METERS = 100_000;
const CHECKPOINT_EVERY = 100; // 10,000 checkpoints over 1,000,000 events
const KEYS = 1000;
const CLI = join(__dirname, '..', '..', 'apps', 'key-service', 'dist', 'cli.js');

function seconds(start: bigint): number {
  return Number(process.hrtime.bigint() - start) / 1e9;
}

function timed(fn: () => void): number {
  const start = process.hrtime.bigint();
  fn();
  return seconds(start);
}

async function timedAsync<T>(fn: () => Promise<T>): Promise<[T, number]> {
  const start = process.hrtime.bigint();
  const value = await fn();
  return [value, seconds(start)];
}

const mib = (bytes: number) => `${fmt(bytes / 1024 / 1024, 1)} MiB`;

/** Supply groups and their active DKGA02 keys, each key generated in the token. */
async function loadKeys(ds: DataSource, custody: KeyCustody): Promise<void> {
  const now = new Date().toISOString();
  for (let i = 0; i < KEYS; i++) {
    const sgc = String(100000 + i);
    const label = `vk-${sgc}-1-bench`;
    const info = await custody.generateKey({ label, algorithm: 'DES', usage: 'DERIVE' });
    await ds.query(
      'INSERT INTO supply_groups (id, sgc, name, cluster, state, pending_revision_id, created_at, ' +
        "updated_at, version) VALUES ($1, $2, $3, NULL, 'active', NULL, $4, $4, 1)",
      [`sg-${sgc}`, sgc, `Group ${sgc}`, now],
    );
    await ds.query(
      'INSERT INTO vending_keys (id, supply_group_id, sgc, krn, live_krn, key_type, dkga, ' +
        'key_length_bytes, allowed_eas, base_date, ken, activate_at, issue_until, expires_at, ' +
        'state, expected_kcv, kcv, token_label, load_method, supersedes_id, supersede_at, ' +
        'created_by, created_at, updated_at, destroyed_at, version) VALUES ' +
        "($1, $2, $3, 1, 1, 'VUDK', '02', 8, '07', 2014, 255, NULL, NULL, NULL, 'active', $4, $4, " +
        "$5, 'ceremony', NULL, NULL, 'bench', $6, $6, NULL, 1)",
      [`vk-${sgc}`, `sg-${sgc}`, sgc, info.kcv, label, now],
    );
  }
}

/** Issuances, TID allocations, audit events and checkpoints, by SQL. */
async function fillVolume(ds: DataSource, custody: KeyCustody): Promise<void> {
  const issuedAt = "now() - (i || ' seconds')::interval";
  const at = `to_char(${issuedAt}, 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`;
  const id =
    "substr(md5(i::text), 1, 8) || '-' || substr(md5(i::text), 9, 4) || '-4' || " +
    "substr(md5(i::text), 14, 3) || '-8' || substr(md5(i::text), 18, 3) || '-' || " +
    'substr(md5(i::text), 21, 12)';
  await ds.query(
    'INSERT INTO vending_issuances (id, client_id, kind, iin, drn, sgc, krn, vending_key_id, ' +
      'idempotency_key, request_hash, response, request_id, created_at) ' +
      `SELECT ${id}, 'c0ffee00-0000-4000-8000-000000000001', 'credit', '600727', ` +
      `lpad((i % ${METERS})::text, 11, '0'), lpad((100000 + i % ${KEYS})::text, 6, '0'), 1, ` +
      `'vk-' || (100000 + i % ${KEYS}), 'idem-' || i, ` +
      'md5(i::text) || md5((i + 1)::text), ' +
      '\'{"issuanceId":"\' || md5(i::text) || \'","kind":"credit","tokens":[{"token":"\' || ' +
      'lpad((i::bigint * 7919 % 100000000000)::text, 20, \'0\') || \'","tokenClass":0,"subclass":0,' +
      '"tid":\' || (5900000 + i / 10) || \',"description":"credit 5 kWh"}],"meter":{"iin":' +
      '"600727","drn":"\' || lpad((i % 100000)::text, 11, \'0\') || \'"},"vendingKey":{"sgc":' +
      '"100000","krn":1,"kcv":"abcdef"},"encodedAmount":"50"}\', ' +
      `'req-' || i, ${issuedAt} FROM generate_series(1, ${ISSUANCES}) AS s(i)`,
  );
  await ds.query(
    'INSERT INTO vending_issuance_tids (issuance_id, position, tid) ' +
      `SELECT ${id}, 0, 5900000 + i / ${METERS} FROM generate_series(1, ${ISSUANCES}) AS s(i)`,
  );
  await ds.query(
    'INSERT INTO vending_tid_allocations (vending_key_id, iin, drn, last_tid, updated_at) ' +
      `SELECT 'vk-' || (100000 + i % ${KEYS}), '600727', lpad(i::text, 11, '0'), 5900000 + i, ${at} ` +
      `FROM generate_series(0, ${METERS - 1}) AS s(i)`,
  );
  await ds.query(
    'INSERT INTO audit_events (seq, at, actor_id, actor_name, action, subject_type, subject_id, ' +
      'outcome, request_id, details, prev_hash, hash) ' +
      `SELECT i, ${at}, 'c0ffee00-0000-4000-8000-000000000001', 'vendor', 'vending.credit', ` +
      "'issuance', md5(i::text), 'success', 'req-' || i, " +
      '\'{"amount":"5","drn":"\' || lpad((i % 100000)::text, 11, \'0\') || \'","iin":"600727",' +
      '"krn":1,"sgc":"100000","tids":[\' || (5900000 + i / 10) || \']}\', ' +
      'md5((i - 1)::text) || md5(i::text), md5(i::text) || md5((i + 1)::text) ' +
      `FROM generate_series(1, ${ISSUANCES}) AS s(i)`,
  );
  await ds.query(
    'INSERT INTO audit_checkpoints (seq, hash, at, key_label, signature) ' +
      `SELECT i, md5(i::text) || md5((i + 1)::text), ${at}, 'sts-audit', ` +
      'md5(i::text) || md5((i + 2)::text) || md5((i + 3)::text) || md5((i + 4)::text) ' +
      `FROM generate_series(${CHECKPOINT_EVERY}, ${ISSUANCES}, ${CHECKPOINT_EVERY}) AS s(i)`,
  );
  // The newest checkpoint is signed by the token's audit key, as the custody check verifies it.
  const [last] = await ds.query<{ seq: string; hash: string; at: string }[]>(
    'SELECT seq, hash, at FROM audit_checkpoints ORDER BY seq DESC LIMIT 1',
  );
  const signature = await custody.sign(
    'sts-audit',
    checkpointMessage(Number(last.seq), last.hash, last.at),
  );
  await ds.query('UPDATE audit_checkpoints SET signature = $1 WHERE seq = $2', [
    Buffer.from(signature).toString('hex'),
    last.seq,
  ]);
  await ds.query('UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1', [last.seq, last.hash]);
  await ds.query('ANALYZE');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sts-bench-restore-'));
  const exports = execFileSync(
    'bash',
    [join(__dirname, '..', '..', 'keys-dev', 'setup-token.sh')],
    {
      env: { ...process.env, STS_HSM_DIR: dir, STS_HSM_TOKEN_LABEL: 'bench-restore' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const vars = Object.fromEntries(
    [...exports.matchAll(/^export ([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]),
  );
  const database = { type: 'postgres' as const, url: PG_URL, schema: SCHEMA };
  const operatorEnv = {
    PATH: process.env.PATH,
    SOFTHSM2_CONF: vars.SOFTHSM2_CONF,
    DATABASE_URL: PG_URL,
    STS_DB_SCHEMA: SCHEMA,
    STS_HSM_MODULE: vars.STS_HSM_MODULE,
    STS_HSM_TOKEN_LABEL: vars.STS_HSM_TOKEN_LABEL,
    STS_HSM_PIN: vars.STS_HSM_PIN,
    STS_SCHEDULER_SECONDS: '0',
    STS_AUDIT_CHECKPOINT_SECONDS: '0',
    STS_LOG_LEVEL: 'error',
  };
  process.env.SOFTHSM2_CONF = vars.SOFTHSM2_CONF;
  const dump = join(dir, 'key-service.dump');
  let ds = createDataSource(database);
  await ds.initialize();
  const custody = await Pkcs11KeyCustody.open({
    modulePath: vars.STS_HSM_MODULE,
    tokenLabel: vars.STS_HSM_TOKEN_LABEL,
    pin: vars.STS_HSM_PIN,
  });
  try {
    console.log(
      `bench:restore on ${cpus().length} cores, load average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} at start`,
    );
    await ensureSchema(ds, database);
    await ds.runMigrations({ transaction: 'each' });
    await custody.generateSigningKey('sts-audit');
    const [, keySeconds] = await timedAsync(() => loadKeys(ds, custody));
    const [, fillSeconds] = await timedAsync(() => fillVolume(ds, custody));
    const [size] = await ds.query<{ bytes: string }[]>(
      'SELECT SUM(pg_total_relation_size(c.oid))::bigint AS bytes FROM pg_class c ' +
        "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relkind = 'r'",
      [SCHEMA],
    );
    await ds.destroy();

    const dumpSeconds = timed(() =>
      execFileSync('pg_dump', ['--format=custom', `--schema=${SCHEMA}`, `--file=${dump}`, PG_URL]),
    );
    const restoreWith = (jobs: number) => {
      execFileSync('psql', [PG_URL, '-qc', `DROP SCHEMA "${SCHEMA}" CASCADE`], {
        env: { ...process.env, PGOPTIONS: '-c client_min_messages=warning' },
      });
      return timed(() =>
        execFileSync('pg_restore', [
          '--exit-on-error',
          `--jobs=${jobs}`,
          `--dbname=${PG_URL}`,
          dump,
        ]),
      );
    };
    const restore1 = restoreWith(1);
    const restore2 = restoreWith(2);
    await custody.close();

    const completeStart = process.hrtime.bigint();
    const complete = spawnSync(process.execPath, [CLI, 'restore-complete'], {
      env: operatorEnv,
      encoding: 'utf8',
    });
    const completeSeconds = seconds(completeStart);
    if (complete.status !== 0) throw new Error(`restore-complete failed: ${complete.stderr}`);

    const reopened = await Pkcs11KeyCustody.open({
      modulePath: vars.STS_HSM_MODULE,
      tokenLabel: vars.STS_HSM_TOKEN_LABEL,
      pin: vars.STS_HSM_PIN,
    });
    ds = createDataSource(database);
    await ds.initialize();
    const [inventory, inventorySeconds] = await timedAsync(() => reopened.inventory());
    const [references, referencesSeconds] = await timedAsync(() =>
      readKeyReferences(ds.manager, 'sts-audit'),
    );
    const compareStart = process.hrtime.bigint();
    const report = verifyCustody(references, inventory, {
      checkedAt: new Date().toISOString(),
      token: vars.STS_HSM_TOKEN_LABEL,
    });
    const compareSeconds = seconds(compareStart);
    await reopened.close();
    await ds.destroy();

    const cliStart = process.hrtime.bigint();
    const cli = spawnSync(process.execPath, [CLI, 'verify-custody'], {
      env: operatorEnv,
      encoding: 'utf8',
    });
    const cliSeconds = seconds(cliStart);

    printRows('database (PostgreSQL schema)', [
      ['issuances', fmt(ISSUANCES), ''],
      ['audit events', fmt(ISSUANCES), ''],
      ['audit checkpoints', fmt(ISSUANCES / CHECKPOINT_EVERY), ''],
      ['TID allocations (meters)', fmt(METERS), ''],
      ['vending keys (in the token)', fmt(KEYS), `generated in ${fmt(keySeconds, 1)} s`],
      ['tables and indexes on disk', mib(Number(size.bytes)), `filled in ${fmt(fillSeconds, 1)} s`],
    ]);
    printRows('backup and restore', [
      [
        'pg_dump --format=custom',
        `${fmt(dumpSeconds, 1)} s`,
        `dump file ${mib(statSync(dump).size)}`,
      ],
      ['pg_restore (1 job)', `${fmt(restore1, 1)} s`, 'into the dropped schema'],
      ['pg_restore --jobs=2', `${fmt(restore2, 1)} s`, 'into the dropped schema'],
      ['key-service restore-complete', `${fmt(completeSeconds, 1)} s`, 'process start included'],
    ]);
    printRows(`custody check over ${fmt(report.summary.referenced)} keys`, [
      [
        'token inventory',
        `${fmt(inventorySeconds, 2)} s`,
        `${fmt(inventory.length)} keys, check values in the token`,
      ],
      ['database references', `${fmt(referencesSeconds, 2)} s`, ''],
      ['comparison', `${fmt(compareSeconds * 1000, 1)} ms`, ''],
      [
        'key-service verify-custody',
        `${fmt(cliSeconds, 1)} s`,
        `exit ${cli.status}, process start included`,
      ],
      [
        'result',
        report.ok ? 'OK' : 'FAILED',
        `verified ${report.summary.verified}, failed ${report.summary.failed}, unexpected ${report.summary.unexpected}`,
      ],
    ]);
    console.log(
      `\nload average ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} at the end`,
    );
  } finally {
    const admin = createDataSource({ ...database, schema: 'public' });
    await admin.initialize();
    await admin.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`);
    await admin.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
