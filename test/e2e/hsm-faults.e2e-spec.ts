import { renameSync, writeFileSync } from 'node:fs';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { onPostgres } from '../helpers/databases';
import { startService, type TestService } from '../helpers/key-service-app';
import { auth, type Cast, createCast, expectStatus } from '../helpers/workflows';
import {
  ALL_ALLOWED,
  drn,
  type LoadedKey,
  loadKey,
  type MeterParams,
  onboardClient,
  virtualMeter,
} from './vending.support';

jest.setTimeout(120_000);

/**
 * The service on PostgreSQL with SoftHSM behind the PKCS#11 fault shim (test/pkcs11-shim): a
 * device error in the middle of a load of credit requests, every session dropped by the device,
 * and a call that hangs past STS_HSM_CALL_TIMEOUT_MS. While each lasts the service answers 503
 * HSM_UNAVAILABLE; afterwards it reconnects by itself. Every 201 holds a token the meter
 * accepts, nothing refused is half-written, no TID is issued twice and the audit chain verifies.
 */

const CALL_TIMEOUT_MS = 400;

/** Writes the shim's control file (re-read when a new file is renamed into place). */
let controlWrites = 0;
function shim(lines: Record<string, string | number> = {}): void {
  const control = process.env.STS_SHIM_CONTROL;
  if (!control) throw new Error('STS_SHIM_CONTROL is not set: run through the e2e project');
  const next = `${control}.${++controlWrites}`;
  writeFileSync(
    next,
    Object.entries(lines)
      .map(([k, v]) => `${k}=${v}\n`)
      .join(''),
  );
  renameSync(next, control);
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

onPostgres('token faults through the PKCS#11 shim', () => {
  let svc: TestService;
  let cast: Cast;
  let key: LoadedKey;
  let client: { id: string; key: string };
  let meterNo = 0;
  /** Every credit answer: status, code and (for 201) the token and its meter. */
  const answers: { status: number; code?: string; token?: string; meter: MeterParams }[] = [];

  const nextMeter = (): MeterParams => ({
    iin: '600727',
    drn: drn(String(++meterNo).padStart(10, '0')),
    sgc: '123456',
    krn: 1,
    tariffIndex: '01',
    ea: '07',
  });

  const credit = async (meter: MeterParams): Promise<Response> => {
    const res = await svc.http
      .post('/api/v1/vending/tokens/credit')
      .set(...auth(client.key))
      .send({ meter, subclass: 0, amount: '5' });
    answers.push({
      status: res.status,
      code: res.body.code as string | undefined,
      token: res.status === 201 ? (res.body.tokens[0].token as string) : undefined,
      meter,
    });
    return res;
  };

  /** Credit requests until one is answered 201 (the back-off between reconnections is 0.1-5 s). */
  const untilCreditWorks = async (): Promise<void> => {
    for (let attempt = 0; attempt < 200; attempt++) {
      const res = await credit(nextMeter());
      if (res.status === 201) return;
      expect(res.status).toBe(503);
      await sleep(50);
    }
    throw new Error('the service did not recover');
  };

  const expectTokenUnavailable = async (): Promise<void> => {
    const res = await credit(nextMeter());
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('HSM_UNAVAILABLE');
  };

  const details = async () =>
    expectStatus(await svc.http.get('/health/details').set(...auth(cast.auditor.key)), 200).body
      .checks.token as { connection: { state: string; reconnections: number; lastFault?: string } };

  beforeAll(async () => {
    shim();
    svc = await startService({
      database: 'postgres',
      token: 'shim',
      hsmCallTimeoutMs: CALL_TIMEOUT_MS,
    });
    cast = await createCast(svc);
    expectStatus(
      await svc.http
        .post('/api/v1/supply-groups')
        .set(...auth(cast.officerA.key))
        .send({ sgc: '123456', name: 'Group 123456', cluster: 'c1' }),
      201,
    );
    key = await loadKey(svc, cast, { sgc: '123456' });
    client = await onboardClient(svc, cast, 'faulty-vendor', ['123456'], ALL_ALLOWED, false);
    shim({ delay_us: 500 });
  });

  afterAll(async () => {
    shim();
    await svc?.close();
  });

  it('issues through a slow token and reports its latency on /health/details', async () => {
    for (let i = 0; i < 5; i++) expectStatus(await credit(nextMeter()), 201);
    const token = await details();
    expect(token.connection).toMatchObject({ state: 'available', callTimeoutMs: CALL_TIMEOUT_MS });
    expect(
      (token.connection as unknown as { latency: { samples: number } }).latency.samples,
    ).toBeGreaterThan(0);
  });

  it('answers 503 during a device error mid-load and recovers without a restart', async () => {
    const reconnections = (await details()).connection.reconnections;
    const load = Array.from({ length: 24 }, () => credit(nextMeter()));
    shim({ delay_us: 500, fail: 0x30 });
    const answered = await Promise.all(load);
    for (const res of answered) {
      expect([201, 503]).toContain(res.status);
      if (res.status === 503) expect(res.body.code).toBe('HSM_UNAVAILABLE');
    }
    await expectTokenUnavailable();
    const health = await svc.http.get('/health');
    expect(health.status).toBe(503);
    expect(health.body.checks.token).toEqual({ ok: false });
    const down = (await svc.http.get('/metrics')).text;
    expect(down).toMatch(/^sts_dependency_available\{dependency="hsm"\} 0$/m);
    expect(down).toMatch(/^sts_refused_requests_total\{cause="hsm_unavailable"\} [1-9]/m);

    shim({ delay_us: 500 });
    await untilCreditWorks();
    const token = await details();
    expect(token.connection.state).toBe('available');
    expect(token.connection.reconnections).toBeGreaterThan(reconnections);
    expect((await svc.http.get('/health')).status).toBe(200);
    const up = (await svc.http.get('/metrics')).text;
    expect(up).toMatch(/^sts_dependency_available\{dependency="hsm"\} 1$/m);
    // One line when the token went and one when it came back, not one per refused request.
    const changes = svc.logs
      .map((l) => JSON.parse(l) as { msg: string; dependency?: string; refusedRequests?: number })
      .filter((l) => l.dependency === 'hsm');
    expect(changes.map((l) => l.msg)).toEqual(['dependency unavailable', 'dependency available']);
    expect(changes[1].refusedRequests).toBeGreaterThan(0);
  });

  it('logs in again after the device drops every session', async () => {
    expectStatus(await credit(nextMeter()), 201);
    const reconnections = (await details()).connection.reconnections;
    shim({ delay_us: 500, drop_sessions: 'reset-1' });
    await untilCreditWorks();
    expectStatus(await credit(nextMeter()), 201);
    expect((await details()).connection.reconnections).toBeGreaterThan(reconnections);
  });

  it('answers 503 while a token call hangs past the timeout, then recovers', async () => {
    shim({ delay_us: 500, hang_ms: 1500, only: 'C_Encrypt' });
    await expectTokenUnavailable();
    expect((await details()).connection.lastFault).toMatch(/no answer within 400 ms/);
    shim({ delay_us: 500 });
    await untilCreditWorks();
  });

  it('left every answered token valid, nothing half-written, no TID twice, the chain intact', async () => {
    await sleep(1600); // calls abandoned on timeout have returned
    const issued = answers.filter((a) => a.status === 201);
    expect(answers.filter((a) => a.status !== 201 && a.status !== 503)).toEqual([]);
    expect(answers.filter((a) => a.status === 503).every((a) => a.code === 'HSM_UNAVAILABLE')).toBe(
      true,
    );
    for (const a of issued) {
      expect(virtualMeter(key, a.meter).enter(a.token!).outcome).toBe('CREDIT_ACCEPTED');
    }
    const ds = svc.app.get(DataSource);
    const [rows] = await ds.query<{ issued: string; distinct_tids: string; audited: string }[]>(
      `SELECT (SELECT COUNT(*) FROM vending_issuances) AS issued,
              (SELECT COUNT(*) FROM (SELECT DISTINCT i.vending_key_id, i.iin, i.drn, t.tid
                                       FROM vending_issuances i
                                       JOIN vending_issuance_tids t ON t.issuance_id = i.id) d)
                AS distinct_tids,
              (SELECT COUNT(*) FROM audit_events WHERE action = 'vending.token.credit') AS audited`,
    );
    expect(Number(rows.issued)).toBe(issued.length);
    expect(Number(rows.distinct_tids)).toBe(issued.length);
    expect(Number(rows.audited)).toBe(issued.length);
    const verification = expectStatus(
      await svc.http.get('/api/v1/audit/verification').set(...auth(cast.auditor.key)),
      200,
    );
    expect(verification.body.ok).toBe(true);
  });
});
