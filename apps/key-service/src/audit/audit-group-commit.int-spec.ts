/**
 * Group commit of audit events (AuditService.recordDurably / recordAlone) on a real database:
 * SQLite in a temp dir and a fresh PostgreSQL schema (STS_TEST_DATABASE_URL, default
 * postgres://postgres@127.0.0.1:5432/test). PostgreSQL never passes silently: see
 * forEachDatabase; STS_TEST_REQUIRE_POSTGRES=1 also overrides STS_TEST_SKIP_POSTGRES=1.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InMemoryKeyCustody, type KeyCustody } from '@sts/hsm';
import type { DataSource, EntityManager } from 'typeorm';
import { forEachDatabase, postgresReachable } from '../../../../test/helpers/databases';
import { PG_URL, type DatabaseKind } from '../../../../test/helpers/key-service-app';
import { Clock } from '../common/clock';
import { JsonLogger } from '../common/json-logger';
import { runWithContext } from '../common/request-context';
import {
  type AppConfig,
  DEFAULT_CAMPAIGN_LIVENESS,
  DEFAULT_RECONNECT,
  DEFAULT_VENDING,
} from '../config/app-config';
import { createDataSource, ensureSchema } from '../database/data-source';
import { TransactionRunner } from '../database/transaction-runner';
import { MetricsService } from '../health/metrics.service';
import { type AuditInput, AuditService } from './audit.service';

jest.setTimeout(60_000);

const ACTOR = { id: '6f1c2d3e-4a5b-4c6d-8e9f-0a1b2c3d4e5f', name: 'group-commit-test' };

function event(subjectId: string, details: Record<string, unknown> = {}): AuditInput {
  return { actor: ACTOR, action: 'token.issue', subjectType: 'meter', subjectId, details };
}

/** One "process": its own DataSource (pool), transaction runner and AuditService (committer). */
interface Node {
  readonly ds: DataSource;
  readonly tx: TransactionRunner;
  readonly audit: AuditService;
  readonly logs: string[];
}

interface StoredEvent {
  seq: number;
  subjectId: string;
  requestId: string;
  at: string;
}

type Run = TransactionRunner['run'];

if (process.env.STS_TEST_REQUIRE_POSTGRES === '1' && !postgresReachable()) {
  describe('audit group commit on PostgreSQL (STS_TEST_REQUIRE_POSTGRES=1)', () => {
    it('needs a reachable PostgreSQL server', () => {
      throw new Error(`PostgreSQL is not reachable at ${PG_URL} and STS_TEST_REQUIRE_POSTGRES=1`);
    });
  });
}

forEachDatabase('audit group commit', (kind: DatabaseKind) => {
  const dir = mkdtempSync(join(tmpdir(), 'sts-audit-gc-'));
  const schema = `t_audit_gc_${process.pid}_${Date.now().toString(36)}`;
  const database: AppConfig['database'] =
    kind === 'sqlite'
      ? { type: 'sqlite', path: join(dir, 'audit.sqlite') }
      : { type: 'postgres', url: PG_URL, schema };
  const config: AppConfig = {
    database,
    http: { host: '127.0.0.1', port: 0 },
    hsm: {
      module: 'memory',
      tokenLabel: 'memory',
      pin: 'memory',
      maxInFlight: 8,
      callTimeoutMs: 5000,
    },
    // Node `a` signs only when asked (so its transactions are the test's alone); `b` every 100.
    audit: { keyLabel: 'sts-audit', checkpointEvery: 1_000_000, checkpointSeconds: 0 },
    approvals: { quorum: 1, ttlSeconds: 3600 },
    enrolmentTtlSeconds: 72 * 3600,
    schedulerSeconds: 0,
    authCacheMs: 1000,
    reconnect: DEFAULT_RECONNECT,
    campaigns: DEFAULT_CAMPAIGN_LIVENESS,
    campaignWorker: true,
    vending: DEFAULT_VENDING,
    logLevel: 'debug',
  };
  // One token for every node, as processes of one deployment share the audit key.
  const custody: KeyCustody = new InMemoryKeyCustody({ allowInsecureInMemoryKeys: true });
  const nodes: Node[] = [];
  let a: Node;

  async function openNode(checkpointEvery = config.audit.checkpointEvery): Promise<Node> {
    const ds = createDataSource(database);
    await ds.initialize();
    const tx = new TransactionRunner(ds);
    const logs: string[] = [];
    const logger = new JsonLogger('debug', (line) => logs.push(line));
    const audit = new AuditService(
      tx,
      new Clock(),
      logger,
      new MetricsService(),
      {
        ...config,
        audit: { ...config.audit, checkpointEvery },
      },
      custody,
    );
    await audit.onModuleInit();
    const node = { ds, tx, audit, logs };
    nodes.push(node);
    return node;
  }

  async function stored(node: Node): Promise<StoredEvent[]> {
    const rows = await node.ds.query<
      { seq: string | number; subjectId: string; requestId: string; at: string }[]
    >(
      'SELECT seq, subject_id AS "subjectId", request_id AS "requestId", at FROM audit_events ORDER BY seq',
    );
    return rows.map((r) => ({ ...r, seq: Number(r.seq) }));
  }

  async function headSeq(node: Node): Promise<number> {
    const rows = await node.ds.query<{ seq: string | number }[]>(
      'SELECT seq FROM audit_head WHERE id = 1',
    );
    return Number(rows[0].seq);
  }

  /** Makes the next transaction of `node` do its work and then fail instead of committing. */
  function failNextCommit(node: Node, message: string): void {
    const run: Run = node.tx.run.bind(node.tx);
    const failing = <T>(work: (em: EntityManager) => Promise<T>): Promise<T> =>
      run(async (em) => {
        await work(em);
        throw new Error(message);
      });
    jest.spyOn(node.tx, 'run').mockImplementationOnce(failing);
  }

  beforeAll(async () => {
    const setup = createDataSource(database);
    await setup.initialize();
    await ensureSchema(setup, database);
    await setup.runMigrations({ transaction: 'each' });
    await setup.destroy();
    a = await openNode();
  });

  afterEach(() => jest.restoreAllMocks());

  afterAll(async () => {
    for (const node of nodes) await node.audit.onApplicationShutdown();
    if (kind === 'postgres' && nodes.length > 0) {
      await nodes[0].ds.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
    }
    for (const node of nodes) await node.ds.destroy();
    await custody.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('commits concurrent callers together, in call order, each with its own request id', async () => {
    const before = await headSeq(a);
    const runs = jest.spyOn(a.tx, 'run');
    const calls = Array.from({ length: 300 }, (_, i) =>
      runWithContext({ requestId: `req-order-${i}` }, () =>
        a.audit.recordDurably(event(`order-${i}`, { n: i })),
      ),
    );
    await Promise.all(calls);
    // All 300 were handed over in one tick: one transaction (the bound is 500 events).
    expect(runs.mock.calls).toHaveLength(1);
    const written = (await stored(a)).filter((e) => e.seq > before);
    expect(written.map((e) => e.subjectId)).toEqual(calls.map((_, i) => `order-${i}`));
    expect(written.map((e) => e.requestId)).toEqual(calls.map((_, i) => `req-order-${i}`));
    expect(written.map((e) => e.seq)).toEqual(calls.map((_, i) => before + 1 + i));
    expect(await headSeq(a)).toBe(before + 300);
    await a.audit.checkpointNow();
    const result = await a.audit.verify();
    expect(result).toMatchObject({
      ok: true,
      eventsChecked: before + 300,
      lastSignedSeq: before + 300,
    });
  });

  it('rejects only the caller whose event is invalid; the rest of the batch is written', async () => {
    const before = await headSeq(a);
    const outcomes = await Promise.allSettled([
      ...Array.from({ length: 10 }, (_, i) => a.audit.recordDurably(event(`good-${i}`))),
      a.audit.recordDurably(event('bad-secret', { meter: { pin: '1234' } })),
      a.audit.recordDurably(event('x'.repeat(65))),
      a.audit.recordDurably(event('bad-number', { amount: Number.NaN })),
      ...Array.from({ length: 10 }, (_, i) => a.audit.recordDurably(event(`good-${10 + i}`))),
    ]);
    expect(outcomes.map((o) => o.status)).toEqual([
      ...Array<string>(10).fill('fulfilled'),
      'rejected',
      'rejected',
      'rejected',
      ...Array<string>(10).fill('fulfilled'),
    ]);
    const reasons = outcomes
      .filter((o): o is PromiseRejectedResult => o.status === 'rejected')
      .map((o) => (o.reason as Error).message);
    expect(reasons).toEqual([
      'audit details.meter.pin: secret-bearing field refused',
      'audit subjectId: must be a string of at most 64 characters',
      'non-finite number',
    ]);
    const written = (await stored(a)).filter((e) => e.seq > before).map((e) => e.subjectId);
    expect(written).toEqual(Array.from({ length: 20 }, (_, i) => `good-${i}`));
    expect((await a.audit.verify()).ok).toBe(true);
  });

  it('a failed batch rejects every caller of it and writes nothing; the next batch is written', async () => {
    const before = await headSeq(a);
    const countBefore = (await stored(a)).length;
    failNextCommit(a, 'injected commit failure');
    const failed = await Promise.allSettled(
      Array.from({ length: 25 }, (_, i) => a.audit.recordDurably(event(`lost-${i}`))),
    );
    expect(
      failed.map((o) => (o.status === 'rejected' ? (o.reason as Error).message : 'ok')),
    ).toEqual(Array<string>(25).fill('injected commit failure'));
    expect(await headSeq(a)).toBe(before);
    expect(await stored(a)).toHaveLength(countBefore);

    await Promise.all(
      Array.from({ length: 5 }, (_, i) => a.audit.recordDurably(event(`kept-${i}`))),
    );
    const written = (await stored(a)).filter((e) => e.seq > before).map((e) => e.subjectId);
    expect(written).toEqual(['kept-0', 'kept-1', 'kept-2', 'kept-3', 'kept-4']);
    expect((await a.audit.verify()).ok).toBe(true);
  });

  it('recordAlone goes through the group commit and never throws: a lost event is logged', async () => {
    const before = await headSeq(a);
    failNextCommit(a, 'injected commit failure');
    await expect(
      Promise.all([a.audit.recordAlone(event('denied-1')), a.audit.recordAlone(event('denied-2'))]),
    ).resolves.toEqual([undefined, undefined]);
    const errors = a.logs
      .map((l) => JSON.parse(l) as { level: string; msg: string; action?: string })
      .filter((l) => l.msg === 'audit event could not be written');
    expect(errors.map((l) => l.action)).toEqual(['token.issue', 'token.issue']);
    expect(await headSeq(a)).toBe(before);

    await runWithContext({ requestId: 'req-denied-3' }, () =>
      a.audit.recordAlone(event('denied-3'), event('denied-4')),
    );
    const written = (await stored(a)).filter((e) => e.seq > before);
    expect(written.map((e) => [e.subjectId, e.requestId])).toEqual([
      ['denied-3', 'req-denied-3'],
      ['denied-4', 'req-denied-3'],
    ]);
  });

  it('interleaves with record() inside callers’ transactions; the chain stays one line', async () => {
    const before = await headSeq(a);
    await Promise.all([
      ...Array.from({ length: 40 }, (_, i) => a.audit.recordDurably(event(`durable-${i}`))),
      ...Array.from({ length: 10 }, (_, i) =>
        a.tx.run((em) => a.audit.record(em, event(`tx-${i}-a`), event(`tx-${i}-b`))),
      ),
    ]);
    const written = (await stored(a)).filter((e) => e.seq > before);
    expect(written.map((e) => e.seq)).toEqual(Array.from({ length: 60 }, (_, i) => before + 1 + i));
    expect(new Set(written.map((e) => e.subjectId)).size).toBe(60);
    // A caller's events stay adjacent: record() appends them under one head lock.
    for (let i = 0; i < 10; i++) {
      const at = written.findIndex((e) => e.subjectId === `tx-${i}-a`);
      expect(written[at + 1].subjectId).toBe(`tx-${i}-b`);
    }
    expect((await a.audit.verify()).ok).toBe(true);
  });

  if (kind === 'postgres') {
    // Two processes, modelled as two DataSources with their own pools and committers on one
    // schema. (Not on SQLite: better-sqlite3 waits for a file lock synchronously, so two
    // connections in one process cannot take turns; a SQLite deployment is one process.)
    it('two processes appending at once contend on the head lock and keep one verified chain', async () => {
      // Two processes of one deployment: the same cadence, each signing when its appends cross
      // it.
      const p = await openNode(100);
      const b = await openNode(100);
      const before = await headSeq(a);
      const waves = 4;
      const perWave = 60;
      for (let w = 0; w < waves; w++) {
        await Promise.all(
          Array.from({ length: perWave }, (_, i) => [
            runWithContext({ requestId: `req-a-${w}-${i}` }, () =>
              p.audit.recordDurably(event(`a-${w}-${i}`)),
            ),
            runWithContext({ requestId: `req-b-${w}-${i}` }, () =>
              b.audit.recordDurably(event(`b-${w}-${i}`), event(`b-${w}-${i}-2`)),
            ),
            p.tx.run((em) => p.audit.record(em, event(`a-tx-${w}-${i}`))),
          ]).flat(),
        );
      }
      const total = waves * perWave * 4;
      expect(await headSeq(b)).toBe(before + total);
      const written = (await stored(b)).filter((e) => e.seq > before);
      expect(written.map((e) => e.seq)).toEqual(
        Array.from({ length: total }, (_, i) => before + 1 + i),
      );
      expect(new Set(written.map((e) => e.subjectId)).size).toBe(total);
      for (const e of written.filter((x) => /^[ab]-\d+-\d+$/.test(x.subjectId))) {
        expect(e.requestId).toBe(`req-${e.subjectId}`);
      }
      // Each process keeps its own callers' order.
      const order = (prefix: string): string[] =>
        written.map((e) => e.subjectId).filter((s) => new RegExp(`^${prefix}-\\d+-\\d+$`).test(s));
      const expected = (prefix: string): string[] =>
        Array.from(
          { length: waves * perWave },
          (_, k) => `${prefix}-${Math.floor(k / perWave)}-${k % perWave}`,
        );
      expect(order('a')).toEqual(expected('a'));
      expect(order('b')).toEqual(expected('b'));

      await b.audit.checkpointNow();
      // The history before this test was written by `a`, which signs only when asked: the
      // whole chain verifies under its cadence.
      const result = await a.audit.verify();
      expect(result).toMatchObject({ ok: true, eventsChecked: before + total });
      expect(result.lastSignedSeq).toBe(before + total);
      // While they contend, the two processes sign every multiple of their cadence exactly.
      const multiples = Array.from(
        { length: Math.floor((before + total) / 100) - Math.floor(before / 100) },
        (_, i) => (Math.floor(before / 100) + 1 + i) * 100,
      );
      const unsigned = async () => {
        const signed = new Set((await b.audit.checkpoints()).map((c) => c.seq));
        return multiples.filter((m) => !signed.has(m));
      };
      for (let i = 0; i < 100 && (await unsigned()).length > 0; i++) {
        await new Promise((r) => setTimeout(r, 30)); // the last wave's checkpoints may be signing
      }
      expect(multiples.length).toBeGreaterThanOrEqual(9);
      expect(await unsigned()).toEqual([]);
    });
  }
});
