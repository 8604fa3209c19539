/**
 * `npm run bench:audit`: the audit trail on PostgreSQL with a SoftHSM audit key.
 *
 *  1. Append rate with the chain intact (row lock on audit_head, hash chain, signed checkpoints
 *     every 1,000 events):
 *     - the request path, measured against the 5,000 events/s target: 64 concurrent callers,
 *       each awaiting AuditService.recordDurably of one event (group commit: the events handed
 *       over while a batch commits share the next transaction), in one process and in two
 *       processes (two DataSources with their own pools and committers on one schema);
 *     - AuditService.record inside callers' transactions, one event per transaction (a change
 *       and its record in one transaction) and 100 per transaction (bulk producers).
 *  2. Verification of 1,000,000 events: the chain is extended to a million events, then
 *     AuditService.verify() re-hashes every event and checks every checkpoint signature.
 *
 * PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); a fresh schema is
 * created and dropped. The token is a fresh SoftHSM token made by keys-dev/setup-token.sh.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Pkcs11KeyCustody } from '@sts/hsm';
import type { DataSource } from 'typeorm';
import type * as AuditChain from '../apps/key-service/src/audit/audit-chain';
import type * as AuditServiceModule from '../apps/key-service/src/audit/audit.service';
import type * as ClockModule from '../apps/key-service/src/common/clock';
import type * as LoggerModule from '../apps/key-service/src/common/json-logger';
import type * as RequestContextModule from '../apps/key-service/src/common/request-context';
import {
  type AppConfig,
  DEFAULT_CAMPAIGN_LIVENESS,
  DEFAULT_RECONNECT,
  DEFAULT_VENDING,
} from '../apps/key-service/src/config/app-config';
import type * as DataSourceModule from '../apps/key-service/src/database/data-source';
import type * as TxModule from '../apps/key-service/src/database/transaction-runner';
import type * as MetricsModule from '../apps/key-service/src/health/metrics.service';
import { fmt } from './measure';

/** The key service's compiled modules (built by `npm run build` before the benchmark runs). */
const load = createRequire(__filename);
function service<T>(path: string): T {
  return load(join(__dirname, '..', '..', 'apps', 'key-service', 'dist', path)) as T;
}
const { createDataSource, ensureSchema } = service<typeof DataSourceModule>('database/data-source');
const { TransactionRunner } = service<typeof TxModule>('database/transaction-runner');
const { AuditService } = service<typeof AuditServiceModule>('audit/audit.service');
const { Clock } = service<typeof ClockModule>('common/clock');
const { JsonLogger } = service<typeof LoggerModule>('common/json-logger');
const { MetricsService } = service<typeof MetricsModule>('health/metrics.service');
const { runWithContext } = service<typeof RequestContextModule>('common/request-context');
const { canonicalJson, eventHash } = service<typeof AuditChain>('audit/audit-chain');

const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `bench_audit_${process.pid}`;
const TARGET_EVENTS = 1_000_000;
const REQUEST_TARGET = 5000;

type Audit = InstanceType<typeof AuditServiceModule.AuditService>;

function event(i: number): AuditServiceModule.AuditInput {
  return {
    actor: { id: '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f', name: 'bench-officer' },
    action: 'vending-key.activate',
    subjectType: 'vending-key',
    subjectId: `0000${i.toString(16).padStart(8, '0')}-0000-4000-8000-000000000000`,
    details: { sgc: '600727', krn: (i % 9) + 1, from: 'pending-approval', to: 'active' },
  };
}

async function appendRate(
  tx: InstanceType<typeof TxModule.TransactionRunner>,
  audit: InstanceType<typeof AuditServiceModule.AuditService>,
  total: number,
  perTransaction: number,
  concurrency: number,
): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        const base = next;
        next += perTransaction;
        const batch = Array.from({ length: perTransaction }, (_, k) => event(base + k));
        await tx.run((em) => audit.record(em, ...batch));
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return total / seconds;
}

/**
 * The request path: `callers` concurrent callers, each awaiting `recordDurably` of one event
 * (with its own request id) before issuing the next; the callers are spread over `services`.
 */
async function durableRate(services: Audit[], total: number, callers: number): Promise<number> {
  let next = 0;
  const start = process.hrtime.bigint();
  await Promise.all(
    Array.from({ length: callers }, async (_, c) => {
      const audit = services[c % services.length];
      while (next < total) {
        const i = next++;
        await runWithContext({ requestId: `bench-${i}` }, () => audit.recordDurably(event(i)));
      }
    }),
  );
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  return total / seconds;
}

/** Extends the chain to `target` events quickly (multi-row inserts of precomputed hashes). */
async function extendChain(ds: DataSource, target: number): Promise<void> {
  const head = (
    await ds.query<{ seq: string; hash: string }[]>('SELECT seq, hash FROM audit_head WHERE id = 1')
  )[0];
  let seq = Number(head.seq);
  let hash = head.hash;
  const at = new Date().toISOString();
  const ROWS = 2000;
  while (seq < target) {
    const values: unknown[] = [];
    const tuples: string[] = [];
    for (let k = 0; k < ROWS && seq < target; k++) {
      seq += 1;
      const e = event(seq);
      const fields = {
        seq,
        at,
        actorId: e.actor.id,
        actorName: e.actor.name,
        action: e.action,
        subjectType: e.subjectType,
        subjectId: e.subjectId,
        outcome: 'success',
        requestId: 'bench',
        details: canonicalJson(e.details),
      };
      const next = eventHash(hash, fields);
      const p = values.length;
      tuples.push(`(${Array.from({ length: 12 }, (_, j) => `$${p + j + 1}`).join(',')})`);
      values.push(
        seq,
        at,
        fields.actorId,
        fields.actorName,
        fields.action,
        fields.subjectType,
        fields.subjectId,
        fields.outcome,
        fields.requestId,
        fields.details,
        hash,
        next,
      );
      hash = next;
    }
    await ds.query(
      'INSERT INTO audit_events (seq, at, actor_id, actor_name, action, subject_type, subject_id, outcome, request_id, details, prev_hash, hash) VALUES ' +
        tuples.join(','),
      values,
    );
  }
  await ds.query('UPDATE audit_head SET seq = $1, hash = $2 WHERE id = 1', [seq, hash]);
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sts-bench-audit-'));
  const exports = execFileSync(
    'bash',
    [join(__dirname, '..', '..', 'keys-dev', 'setup-token.sh')],
    {
      env: { ...process.env, STS_HSM_DIR: dir, STS_HSM_TOKEN_LABEL: 'bench-audit' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    },
  );
  const vars = Object.fromEntries(
    [...exports.matchAll(/^export ([A-Z0-9_]+)=(.*)$/gm)].map((m) => [m[1], m[2]]),
  );
  process.env.SOFTHSM2_CONF = vars.SOFTHSM2_CONF;
  const config: AppConfig = {
    database: { type: 'postgres', url: PG_URL, schema: SCHEMA },
    http: { host: '127.0.0.1', port: 0 },
    hsm: {
      module: vars.STS_HSM_MODULE,
      tokenLabel: vars.STS_HSM_TOKEN_LABEL,
      pin: vars.STS_HSM_PIN,
      maxInFlight: 8,
      callTimeoutMs: 5000,
    },
    audit: { keyLabel: 'sts-audit', checkpointEvery: 1000, checkpointSeconds: 0 },
    approvals: { quorum: 1, ttlSeconds: 86_400 },
    enrolmentTtlSeconds: 72 * 3600,
    schedulerSeconds: 0,
    authCacheMs: 1000,
    reconnect: DEFAULT_RECONNECT,
    campaigns: DEFAULT_CAMPAIGN_LIVENESS,
    campaignWorker: true,
    vending: DEFAULT_VENDING,
    logLevel: 'error',
  };
  const custody = await Pkcs11KeyCustody.open({
    modulePath: config.hsm.module,
    tokenLabel: config.hsm.tokenLabel,
    pin: config.hsm.pin,
  });
  const ds = createDataSource(config.database);
  await ds.initialize();
  try {
    await ensureSchema(ds, config.database);
    await ds.runMigrations({ transaction: 'each' });
    const tx = new TransactionRunner(ds);
    const logger = new JsonLogger('error', () => undefined);
    const audit = new AuditService(tx, new Clock(), logger, new MetricsService(), config, custody);
    await audit.onModuleInit();
    // A second "process": its own pool, transaction runner and group committer, same schema.
    const ds2 = createDataSource(config.database);
    await ds2.initialize();
    const audit2 = new AuditService(
      new TransactionRunner(ds2),
      new Clock(),
      logger,
      new MetricsService(),
      config,
      custody,
    );
    await audit2.onModuleInit();

    console.log(
      `audit benchmark: PostgreSQL ${PG_URL.replace(/\/\/[^@]*@/, '//')} schema ${SCHEMA}, SoftHSM audit key`,
    );
    await appendRate(tx, audit, 2000, 1, 8); // warm-up
    await durableRate([audit], 5000, 64); // warm-up
    const durable = await durableRate([audit], 100_000, 64);
    const durableTwo = await durableRate([audit, audit2], 100_000, 64);
    const single = await appendRate(tx, audit, 20_000, 1, 16);
    const batched = await appendRate(tx, audit, 200_000, 100, 4);
    await audit2.onApplicationShutdown();
    await ds2.destroy();
    await audit.checkpointNow();
    const small = await audit.verify();
    const appended = small.eventsChecked;

    await extendChain(ds, TARGET_EVENTS);
    await audit.checkpointNow();
    const start = process.hrtime.bigint();
    const full = await audit.verify();
    const verifySeconds = Number(process.hrtime.bigint() - start) / 1e9;
    const checkpoints = (await audit.checkpoints()).length;

    const verdict = (rate: number): string =>
      `${rate >= REQUEST_TARGET ? 'meets' : 'BELOW'} target >= ${fmt(REQUEST_TARGET)} events/s`;
    const rows = [
      [
        'REQUEST PATH: recordDurably, 1 event per call, 64 concurrent callers',
        `${fmt(durable)} events/s`,
        verdict(durable),
      ],
      [
        '  same, 2 processes (2 pools, 2 committers) x 32 callers',
        `${fmt(durableTwo)} events/s`,
        'one chain, contended head lock',
      ],
      [
        "record() in the caller's transaction, 1 event each, 16 concurrent",
        `${fmt(single)} events/s`,
        'one commit per event',
      ],
      [
        "record() in the caller's transaction, 100 events each, 4 concurrent",
        `${fmt(batched)} events/s`,
        'bulk producers',
      ],
      ['chain after appends', `${small.ok ? 'intact' : 'BROKEN'} (${fmt(appended)} events)`, ''],
      [
        `verify ${fmt(full.eventsChecked)} events, ${fmt(full.checkpointsChecked)} signed checkpoints`,
        `${fmt(verifySeconds, 1)} s (${full.ok ? 'intact' : 'BROKEN'})`,
        'target < 30 s',
      ],
    ];
    const w0 = Math.max(...rows.map((r) => r[0].length));
    const w1 = Math.max(...rows.map((r) => r[1].length));
    for (const r of rows) console.log(`  ${r[0].padEnd(w0)}  ${r[1].padStart(w1)}  ${r[2]}`);
    console.log(`  (${fmt(checkpoints)} checkpoints in the table)`);
    console.log(
      `  The 5,000 events/s target is measured on the REQUEST PATH line (recordDurably).`,
    );
    if (!small.ok || !full.ok) process.exitCode = 1;
  } finally {
    await ds.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`).catch(() => undefined);
    await ds.destroy();
    await custody.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
