import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { onPostgres } from '../helpers/databases';
import { PG_URL, startService, type TestService } from '../helpers/key-service-app';
import { DEV_COMPONENTS } from '../helpers/key-material';
import { TcpProxy } from '../helpers/tcp-proxy';
import { auth, type Cast, createCast, createSupplyGroup, expectStatus } from '../helpers/workflows';
import {
  csvOf,
  killWorker,
  meterIds,
  parseResults,
  planAndApprove,
  results,
  revision,
  startWorker,
  waitForState,
  type WorkerProcess,
} from './campaign-support';

jest.setTimeout(300_000);

/**
 * The fault suite: the service and its campaign workers reach PostgreSQL through a TCP proxy the
 * test can cut, worker processes are started and killed (SIGKILL) by the test. Heartbeat,
 * takeover and the longest reconnect wait are short here (0.5 s, 2 s, 2 s); the production
 * defaults are 5 s, 20 s and 10 s.
 */
const LIVENESS = { heartbeatMs: 500, takeoverMs: 2000 };
const RECONNECT = { minDelayMs: 250, maxDelayMs: 2000 };
/** Well under pg-boss's job expiry (300 s): a chunk back within this was taken over, not expired. */
const TAKEOVER_LIMIT_MS = 60_000;

interface CampaignView {
  state: string;
  progress: {
    issued: number;
    failed: number;
    pending: number;
    chunksDone: number;
    chunkCount: number;
    ratePerSecond: number;
    etaSeconds: number | null;
    stalled: { cause: string; since: string } | null;
    liveWorkers: number | null;
  };
}

onPostgres('Campaign liveness under faults', () => {
  let svc: TestService;
  let cast: Cast;
  let proxy: TcpProxy;
  let db: DataSource;
  const workers: ChildProcess[] = [];
  const SGC = '778899';
  const plan = {
    from: { sgc: SGC, krn: 1, tariffIndex: '01', baseDate: 1993 },
    to: { sgc: SGC, krn: 2, tariffIndex: '01', baseDate: 1993 },
    ea: '07',
    chunkSize: 10,
  };

  beforeAll(async () => {
    // This process serves the API only; campaign work happens in the worker processes.
    const target = new URL(PG_URL);
    proxy = await TcpProxy.start({ host: target.hostname, port: Number(target.port || 5432) });
    const viaProxy = new URL(PG_URL);
    viaProxy.port = String(proxy.port);
    svc = await startService({
      database: 'postgres',
      databaseUrl: viaProxy.toString(),
      campaigns: LIVENESS,
      reconnect: RECONNECT,
      campaignWorker: false,
    });
    db = svc.app.get(DataSource);
    cast = await createCast(svc);
    await createSupplyGroup(svc, cast, SGC);
    await revision(svc, cast, SGC, 'des');
    await revision(svc, cast, SGC, 'des', 1993, DEV_COMPONENTS.des.slice(1, 3));
  });

  afterAll(async () => {
    proxy?.restore();
    for (const w of workers) await killWorker(w);
    await svc?.close();
    await proxy?.close();
  });

  const worker = (deriveDelayMs: number): WorkerProcess => {
    const w = startWorker(svc, deriveDelayMs);
    workers.push(w.child);
    return w;
  };

  const read = async (id: string): Promise<CampaignView> =>
    expectStatus(await svc.http.get(`/api/v1/campaigns/${id}`).set(...auth(cast.auditor.key)), 200)
      .body as CampaignView;

  /** Polls `probe` until it returns a value (generous limit; never a timing assertion). */
  const until = async <T>(what: string, probe: () => Promise<T | undefined>, limitMs = 120_000) => {
    const limit = Date.now() + limitMs;
    for (;;) {
      const got = await probe();
      if (got !== undefined) return got;
      if (Date.now() > limit) throw new Error(`never happened: ${what}`);
      await sleep(100);
    }
  };

  const workerId = async (w: WorkerProcess): Promise<string> =>
    until(`worker ${w.child.pid} registered`, async () => {
      if (w.child.exitCode !== null) throw new Error(`worker exited: ${w.log.join('\n')}`);
      const rows = await db.query<{ id: string }[]>(
        'SELECT id FROM campaign_workers WHERE label LIKE $1',
        [`%:${w.child.pid}`],
      );
      return rows[0]?.id;
    });

  /** Pending chunks of campaign `id` that worker `wid` holds. */
  const held = async (id: string, wid: string): Promise<number[]> =>
    (
      await db.query<{ chunk_no: number }[]>(
        "SELECT chunk_no FROM campaign_chunks WHERE campaign_id = $1 AND claimed_by = $2 AND state = 'pending'",
        [id, wid],
      )
    ).map((r) => Number(r.chunk_no));

  /** Every chunk committed exactly once, and every meter issued with its two tokens, in order. */
  const expectEveryMeterOnce = async (id: string, count: number) => {
    const rows = parseResults(await results(svc, cast.officerA.key, id));
    expect(rows.map((r) => [r.row, r.status, r.tokens.length])).toEqual(
      Array.from({ length: count }, (_, i) => [i + 1, 'issued', 2]),
    );
    const events = expectStatus(
      await svc.http
        .get('/api/v1/audit/events')
        .query({ subjectId: id, action: 'campaign.chunk', limit: 500 })
        .set(...auth(cast.auditor.key)),
      200,
    ).body.items as { details: { chunk: number } }[];
    expect(events.map((e) => e.details.chunk).sort((a, b) => a - b)).toEqual(
      Array.from({ length: count / plan.chunkSize }, (_, i) => i),
    );
  };

  it('takes over the chunks of a worker killed with SIGKILL; with none alive says no_live_worker; a new worker finishes with an ETA again', async () => {
    const meters = meterIds(400, 80_000);
    const { id } = await planAndApprove(svc, cast, plan, csvOf(meters));
    expectStatus(
      await svc.http.post(`/api/v1/campaigns/${id}/start`).set(...auth(cast.officerA.key)),
      200,
    );
    const w1 = worker(20);
    const w2 = worker(20);
    const [id1, id2] = [await workerId(w1), await workerId(w2)];

    // Two workers share the run.
    const shared = await until('both workers alive and chunks done', async () => {
      const c = await read(id);
      return c.progress.chunksDone >= 5 && c.progress.liveWorkers === 2 ? c : undefined;
    });
    expect(shared.progress.stalled).toBeNull();

    // Kill worker 1 while it holds chunks it has not committed. Those it still holds once it is
    // dead are the ones to take over (it may commit one between the look and the kill).
    await until('worker 1 holds pending chunks', async () => {
      const chunks = await held(id, id1);
      return chunks.length > 0 ? chunks : undefined;
    });
    await killWorker(w1.child);
    const killedAt = Date.now();
    const victim = await held(id, id1);
    expect(victim.length).toBeGreaterThan(0);
    const lastBeat = (
      await db.query<{ heartbeat_at: string }[]>(
        'SELECT heartbeat_at FROM campaign_workers WHERE id = $1',
        [id1],
      )
    )[0].heartbeat_at;

    // Worker 2 takes them over (pg-boss alone would hold them until the jobs expire, 300 s).
    const taken = await until(
      'the dead worker’s chunks committed',
      async () => {
        const rows = await db.query<{ chunk_no: number; done_at: string | null }[]>(
          'SELECT chunk_no, done_at FROM campaign_chunks WHERE campaign_id = $1 AND chunk_no = ANY($2::int[])',
          [id, victim],
        );
        return rows.every((r) => r.done_at !== null) ? rows : undefined;
      },
      TAKEOVER_LIMIT_MS,
    );
    const takeoverMs = Date.now() - killedAt;
    // Never before the dead worker's heartbeat was older than the takeover time.
    for (const r of taken) {
      expect(Date.parse(r.done_at as string) - Date.parse(lastBeat)).toBeGreaterThanOrEqual(
        LIVENESS.takeoverMs,
      );
    }
    expect(w2.log.some((l) => l.includes('"msg":"campaign chunks taken over"'))).toBe(true);
    process.stdout.write(
      `takeover: ${victim.length} chunks of the killed worker committed ${takeoverMs} ms after SIGKILL ` +
        `(heartbeat ${LIVENESS.heartbeatMs} ms, takeover ${LIVENESS.takeoverMs} ms)\n`,
    );

    // Kill worker 2 too, holding chunks, with enough work left to watch a new worker.
    await until('worker 2 holds pending chunks', async () =>
      (await held(id, id2)).length > 0 ? true : undefined,
    );
    await killWorker(w2.child);
    const before = await read(id);
    expect(before.progress.pending).toBeGreaterThanOrEqual(50);

    // Nothing moves now: the progress says so, and why, instead of an ETA.
    const stalled = await until('stalled: no live worker', async () => {
      const c = await read(id);
      return c.progress.stalled ? c : undefined;
    });
    expect(stalled).toMatchObject({
      state: 'running',
      progress: { etaSeconds: null, liveWorkers: 0, stalled: { cause: 'no_live_worker' } },
    });
    expect(Date.parse(stalled.progress.stalled?.since ?? '')).toBeLessThanOrEqual(Date.now());
    const still = await read(id);
    expect(still.progress.issued).toBe(stalled.progress.issued);

    // A new worker takes the dead one's chunks at once and the ETA returns.
    const w3 = worker(10);
    const moving = await until('an ETA again', async () => {
      const c = await read(id);
      if (c.state === 'completed') throw new Error('completed before an ETA was seen');
      return c.progress.stalled === null && c.progress.etaSeconds !== null ? c : undefined;
    });
    expect(moving.progress.ratePerSecond).toBeGreaterThan(0);
    expect(moving.progress.liveWorkers).toBe(1);

    const done = await waitForState(svc, cast.auditor.key, id, ['completed', 'failed']);
    expect(done).toMatchObject({
      state: 'completed',
      progress: { total: 400, issued: 400, failed: 0, pending: 0, chunksDone: 40 },
    });
    await expectEveryMeterOnce(id, 400);
    await killWorker(w3.child);
  });

  it('rides out a 5-second database cut: 503s, one log line each way, bounded reconnects, recovery without restart', async () => {
    const meters = meterIds(200, 90_000);
    const { id } = await planAndApprove(svc, cast, plan, csvOf(meters));
    expectStatus(
      await svc.http.post(`/api/v1/campaigns/${id}/start`).set(...auth(cast.officerA.key)),
      200,
    );
    const w = worker(10);
    await until('some chunks done', async () =>
      (await read(id)).progress.chunksDone >= 3 ? true : undefined,
    );
    const metric = async () => {
      const text = (await svc.http.get('/metrics')).text;
      return Number(
        /sts_refused_requests_total\{cause="database_unavailable"\} (\d+)/.exec(text)?.[1] ?? 0,
      );
    };
    const refusedBefore = await metric();
    const serviceLogsFrom = svc.logs.length;
    const workerLogsFrom = w.log.length;

    proxy.cut();
    const cutEnds = Date.now() + 5000;
    const answers: { status: number; code: unknown; retryAfter: unknown }[] = [];
    while (Date.now() < cutEnds) {
      for (const path of [`/api/v1/campaigns/${id}`, '/api/v1/supply-groups']) {
        // An answer that does not come within 15 s fails the test (a refusal must be prompt).
        const res = await svc.http
          .get(path)
          .set(...auth(cast.auditor.key))
          .timeout(15_000);
        answers.push({
          status: res.status,
          code: res.body.code,
          retryAfter: res.headers['retry-after'],
        });
      }
      await sleep(20);
    }
    const attemptsDuringCut = proxy.refused;
    proxy.restore();

    // Every request during the cut was refused with 503 DATABASE_UNAVAILABLE, most with when
    // to retry (all but those answered before the gate had confirmed the outage).
    expect(answers.length).toBeGreaterThan(20);
    expect(answers.filter((a) => a.status !== 503 || a.code !== 'DATABASE_UNAVAILABLE')).toEqual(
      [],
    );
    expect(answers.filter((a) => a.retryAfter !== undefined).length).toBeGreaterThan(
      answers.length / 2,
    );

    // Recovery without a restart (the gate opens at its next reconnect attempt).
    let refusedAfter = 0;
    await until('the API answers again', async () => {
      const res = await svc.http.get(`/api/v1/campaigns/${id}`).set(...auth(cast.auditor.key));
      if (res.status === 503) refusedAfter += 1;
      return res.status === 200 ? true : undefined;
    });
    // Every refusal is counted in /metrics by cause.
    expect(await metric()).toBe(refusedBefore + answers.length + refusedAfter);

    // The reconnect attempts of both processes were bounded (each request used to make its own).
    expect(attemptsDuringCut).toBeLessThan(80);

    // One line when the outage began, one when it ended (duration, refusals), nothing per request.
    const serviceLines = svc.logs
      .slice(serviceLogsFrom)
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.level === 'warn' || l.level === 'error');
    expect(serviceLines.map((l) => l.msg)).toEqual([
      'dependency unavailable',
      'dependency available',
    ]);
    expect(serviceLines[1]).toMatchObject({ dependency: 'database' });
    expect(serviceLines[1].unavailableMs).toBeGreaterThan(0);
    expect(serviceLines[1].refusedRequests).toBeGreaterThan(0);
    expect(serviceLines[1].refusedRequests).toBeLessThanOrEqual(answers.length + refusedAfter);

    const done = await waitForState(
      svc,
      cast.auditor.key,
      id,
      ['completed', 'failed'],
      120_000,
    ).catch((error: unknown) => {
      throw new Error(`${String(error)}\nworker log:\n${w.log.join('\n')}`);
    });
    expect(done).toMatchObject({
      state: 'completed',
      progress: { total: 200, issued: 200, failed: 0, pending: 0 },
    });
    await expectEveryMeterOnce(id, 200);

    // The worker: one line each way for the database, and a bounded number of chunk retries.
    const workerLines = w.log
      .slice(workerLogsFrom)
      .filter((l) => l.startsWith('{'))
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    const states = workerLines.filter((l) => String(l.msg).startsWith('dependency'));
    expect(states.map((l) => [l.msg, l.dependency])).toEqual([
      ['dependency unavailable', 'database'],
      ['dependency available', 'database'],
    ]);
    expect(workerLines.length).toBeLessThan(30);
    process.stdout.write(
      `database cut 5 s: ${answers.length} requests refused (503), ${attemptsDuringCut} connection ` +
        `attempts through the proxy from both processes, service log lines ${serviceLines.length}, ` +
        `worker log lines ${workerLines.length}\n`,
    );
    await killWorker(w.child);
  });
});
