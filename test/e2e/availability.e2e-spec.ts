import { DataSource } from 'typeorm';
import { AuditService } from '../../apps/key-service/src/audit/audit.service';
import { forEachDatabase } from '../helpers/databases';
import { startService, type TestService } from '../helpers/key-service-app';
import { DEV_COMPONENTS, kcvOf, xorHex } from '../helpers/key-material';
import { type CustodyMode, toggleCustody } from '../helpers/toggle-custody';
import {
  auth,
  type Cast,
  createCast,
  createSupplyGroup,
  desRevision,
  expectStatus,
} from '../helpers/workflows';

forEachDatabase('errors and availability', (database) => {
  let svc: TestService;
  let cast: Cast;
  let setMode: (m: CustodyMode) => void = () => undefined;
  let ceremonyId: string;
  let keyId: string;

  const auditCount = async () =>
    Number(
      (
        await svc.app
          .get(DataSource)
          .query<{ n: number }[]>('SELECT COUNT(*) AS n FROM audit_events')
      )[0].n,
    );

  beforeAll(async () => {
    svc = await startService({
      database,
      custody: (inner) => {
        const t = toggleCustody(inner);
        setMode = t.set;
        return t.custody;
      },
    });
    cast = await createCast(svc);
    await createSupplyGroup(svc, cast, '600727');
    const start = expectStatus(
      await svc.http
        .post('/api/v1/supply-groups/600727/vending-keys')
        .set(...auth(cast.officerA.key))
        .send(desRevision()),
      201,
    );
    ceremonyId = start.body.ceremony.id as string;
    keyId = start.body.vendingKey.id as string;
  });
  afterAll(async () => svc.close());

  it('answers 400 naming the field and changes nothing', async () => {
    const before = await auditCount();
    const res = await svc.http
      .post('/api/v1/supply-groups')
      .set(...auth(cast.officerA.key))
      .send({ sgc: '600729', name: '' });
    expect(res.status).toBe(400);
    expect(res.body).toMatchObject({ statusCode: 400, code: 'VALIDATION_FAILED' });
    // Both rules the empty name breaks (length, a visible character) name it.
    expect(new Set((res.body.details.fields as { field: string }[]).map((f) => f.field))).toEqual(
      new Set(['name']),
    );
    /** A supply-group creation with this raw body (and content type, JSON unless given). */
    const postRaw = (body?: string, type = 'application/json') => {
      const req = svc.http
        .post('/api/v1/supply-groups')
        .set(...auth(cast.officerA.key))
        .set('Content-Type', type);
      return body === undefined ? req : req.send(body);
    };
    const malformed = await postRaw('{"sgc": ');
    expect(malformed.status).toBe(400);
    expect(malformed.body.details.fields[0].field).toBe('body');
    expect(malformed.body.message).toBe('body: is not valid JSON');
    // A malformed body is not echoed (JSON.parse's own message quotes the text around the error).
    const secretish = await postRaw('{"component": x0123456789abcdef}');
    expect(secretish.status).toBe(400);
    expect(JSON.stringify(secretish.body)).not.toContain('012345');
    const poisoned = await postRaw(
      '{"sgc": "600729", "name": "n", "__proto__": {"isAdmin": true}}',
    );
    expect(poisoned.status).toBe(400);
    expect(poisoned.body.details.fields[0].field).toBe('body.__proto__');
    const tooLarge = await svc.http
      .post('/api/v1/supply-groups')
      .set(...auth(cast.officerA.key))
      .send({ sgc: '600729', name: 'x'.repeat(200 * 1024) });
    expect(tooLarge.status).toBe(400);
    expect(tooLarge.body.details.fields[0]).toEqual({
      field: 'body',
      message: 'body: is too large',
    });
    // Only JSON bodies (text/csv is for the routes that stream it: campaign meter lists).
    for (const type of ['text/csv', 'text/plain', 'application/xml']) {
      const wrongType = await postRaw('sgc,name\n600729,x\n', type);
      expect(wrongType.status).toBe(400);
      expect(wrongType.body.details.fields[0].field).toBe('Content-Type');
      expect(wrongType.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
    // An empty JSON body is an empty object: here it fails validation on the fields it lacks.
    const empty = await postRaw();
    expect(empty.status).toBe(400);
    expect((empty.body.details.fields as { field: string }[]).map((f) => f.field)).toEqual(
      expect.arrayContaining(['sgc', 'name']),
    );
    expect(
      (await svc.http.get('/api/v1/supply-groups/600729').set(...auth(cast.officerA.key))).status,
    ).toBe(404);
    expect(await auditCount()).toBe(before);
  });

  it('answers 404 for unknown routes and resources in the one error shape', async () => {
    const route = await svc.http.get('/api/v1/nothing-here').set(...auth(cast.officerA.key));
    expect(route.status).toBe(404);
    expect(route.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
    const group = await svc.http
      .get('/api/v1/supply-groups/000001')
      .set(...auth(cast.officerA.key));
    expect(group.body).toMatchObject({ statusCode: 404, code: 'NOT_FOUND' });
  });

  it('answers 503 when the token is unavailable, with nothing half-written', async () => {
    setMode('down');
    try {
      const res = await svc.http
        .post(`/api/v1/ceremonies/${ceremonyId}/components`)
        .set(...auth(cast.custodians[0].key))
        .send({ component: DEV_COMPONENTS.des[0], kcv: kcvOf('DES', DEV_COMPONENTS.des[0]) });
      expect(res.status).toBe(503);
      expect(res.body.code).toBe('HSM_UNAVAILABLE');
      // Counted by cause in /metrics, not logged request by request.
      const metrics = await svc.http.get('/metrics');
      expect(metrics.text).toMatch(/^sts_refused_requests_total\{cause="hsm_unavailable"\} [1-9]/m);
      expect(svc.logs.filter((l) => l.includes('"code":"HSM_UNAVAILABLE"'))).toEqual([]);
      const health = await svc.http.get('/health');
      expect(health.status).toBe(503);
      expect(health.body.checks.token).toEqual({ ok: false });
      const details = await svc.http.get('/health/details').set(...auth(cast.auditor.key));
      expect(details.status).toBe(503);
      expect(details.body.checks.token).toMatchObject({ ok: false, detail: 'UNAVAILABLE' });
    } finally {
      setMode('up');
    }
    const ceremony = await svc.http
      .get(`/api/v1/ceremonies/${ceremonyId}`)
      .set(...auth(cast.auditor.key));
    expect(ceremony.body.components).toEqual([]);
    // The same component goes in once the token is back: nothing was left behind.
    expectStatus(
      await svc.http
        .post(`/api/v1/ceremonies/${ceremonyId}/components`)
        .set(...auth(cast.custodians[0].key))
        .send({ component: DEV_COMPONENTS.des[0], kcv: kcvOf('DES', DEV_COMPONENTS.des[0]) }),
      200,
    );
  });

  it('answers 500 with only an error id, which the log carries', async () => {
    setMode('broken');
    let res;
    try {
      res = await svc.http
        .post(`/api/v1/ceremonies/${ceremonyId}/components`)
        .set(...auth(cast.custodians[1].key))
        .send({ component: DEV_COMPONENTS.des[1], kcv: kcvOf('DES', DEV_COMPONENTS.des[1]) });
    } finally {
      setMode('up');
    }
    expect(res.status).toBe(500);
    expect(Object.keys(res.body).sort()).toEqual(['code', 'errorId', 'message', 'statusCode']);
    expect(res.body.code).toBe('INTERNAL');
    expect(res.body.message).not.toContain('driver');
    expect(
      svc.logs.some((l) => l.includes(res.body.errorId as string) && l.includes('"level":"error"')),
    ).toBe(true);
    const key = await svc.http.get(`/api/v1/vending-keys/${keyId}`).set(...auth(cast.auditor.key));
    expect(key.body.state).toBe('loading');
  });

  it('reports health to anyone as status only: no label, database type or self-test report', async () => {
    const health = expectStatus(await svc.http.get('/health'), 200);
    expect(health.body).toEqual({
      status: 'ok',
      checks: { database: { ok: true }, token: { ok: true }, selfTest: { ok: true } },
    });
    expect(health.text).not.toContain(svc.config.hsm.tokenLabel);
  });

  it('reports the details (database, token label, self-test) to operators only', async () => {
    const anonymous = await svc.http.get('/health/details');
    expect([anonymous.status, anonymous.body.code]).toEqual([401, 'UNAUTHENTICATED']);
    const custodian = await svc.http.get('/health/details').set(...auth(cast.custodians[0].key));
    expect([custodian.status, custodian.body.code]).toEqual([403, 'FORBIDDEN']);
    const health = expectStatus(
      await svc.http.get('/health/details').set(...auth(cast.auditor.key)),
      200,
    );
    expect(health.body.status).toBe('ok');
    expect(health.body.checks.database).toMatchObject({ ok: true, type: database });
    expect(health.body.checks.token).toMatchObject({
      ok: true,
      label: svc.config.hsm.tokenLabel,
    });
    expect(health.body.checks.selfTest.ok).toBe(true);
    expect(health.body.checks.selfTest.report.checks.length).toBeGreaterThan(0);
  });

  it('serves Prometheus metrics', async () => {
    const res = expectStatus(await svc.http.get('/metrics'), 200);
    expect(res.text).toContain('sts_http_requests_total');
    expect(res.text).toContain('sts_audit_events_total');
  });

  it('logs JSON lines with a request id, echoing a well-formed X-Request-Id', async () => {
    const res = await svc.http
      .get('/api/v1/principals/me')
      .set(...auth(cast.auditor.key))
      .set('X-Request-Id', 'req-12345678');
    expect(res.headers['x-request-id']).toBe('req-12345678');
    // Answers are not cached (no ETag) and do not name the framework (no X-Powered-By).
    expect([res.headers.etag, res.headers['x-powered-by']]).toEqual([undefined, undefined]);
    const line = svc.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .find((l) => l.requestId === 'req-12345678');
    expect(line).toMatchObject({ msg: 'request', route: '/api/v1/principals/me', status: 200 });
  });

  it('loses nothing when the database fails after a token write: the retry succeeds', async () => {
    const audit = svc.app.get(AuditService);
    const record = audit.record.bind(audit);
    // The database drops out once, at the audit append after the named token write.
    const failOnce = (action: string) => {
      const spy = jest.spyOn(audit, 'record').mockImplementation(async (em, ...inputs) => {
        if (!inputs.some((i) => i.action === action)) return record(em, ...inputs);
        spy.mockRestore();
        throw new Error('Connection terminated unexpectedly (test)');
      });
    };
    const [c1, c2] = cast.custodians;
    const kekHex = xorHex(DEV_COMPONENTS.aes);
    const created = expectStatus(
      await svc.http
        .post('/api/v1/keks')
        .set(...auth(cast.officerA.key))
        .send({
          name: 'kmc-retry',
          lengthBytes: 16,
          expectedKcv: kcvOf('AES', kekHex),
          componentCount: 2,
          custodianIds: [c1.id, c2.id],
        }),
      201,
    );
    const id = created.body.ceremony.id as string;
    const kekId = created.body.kek.id as string;
    const submit = (who: { key: string }, component: string) =>
      svc.http
        .post(`/api/v1/ceremonies/${id}/components`)
        .set(...auth(who.key))
        .send({ component, kcv: kcvOf('AES', component) });
    const components = async () =>
      (
        expectStatus(
          await svc.http.get(`/api/v1/ceremonies/${id}`).set(...auth(cast.auditor.key)),
          200,
        ).body as { components: unknown[] }
      ).components;

    // First component: stored in the token, then the transaction fails.
    failOnce('ceremony.component');
    const lost = await submit(c1, DEV_COMPONENTS.aes[0]);
    expect(lost.status).toBe(503);
    expect(lost.body.code).toBe('DATABASE_UNAVAILABLE');
    expect(await components()).toEqual([]);
    expectStatus(await submit(c1, DEV_COMPONENTS.aes[0]), 200);
    expect(await components()).toHaveLength(1);

    // Last component: the key is combined in the token, then the transaction fails.
    failOnce('ceremony.complete');
    const lostLast = await submit(c2, DEV_COMPONENTS.aes[1]);
    expect(lostLast.status).toBe(503);
    expect(lostLast.body.code).toBe('DATABASE_UNAVAILABLE');
    expect(await components()).toHaveLength(1);
    const pending = expectStatus(
      await svc.http.get(`/api/v1/keks/${kekId}`).set(...auth(cast.auditor.key)),
      200,
    );
    expect(pending.body.state).not.toBe('active');
    await expect(svc.custody.describeKey(pending.body.tokenLabel as string)).rejects.toMatchObject({
      code: 'NOT_FOUND',
    });
    const done = expectStatus(await submit(c2, DEV_COMPONENTS.aes[1]), 200);
    expect(done.body.state).toBe('completed');
    const kek = expectStatus(
      await svc.http.get(`/api/v1/keks/${kekId}`).set(...auth(cast.auditor.key)),
      200,
    );
    expect(kek.body).toMatchObject({ state: 'active', kcv: kcvOf('AES', kekHex) });
    // The components kept for a retry are gone once the ceremony has ended.
    await expect(
      svc.custody.completeCeremony(
        id,
        2,
        { label: `${kek.body.tokenLabel as string}-again`, algorithm: 'AES', usage: 'UNWRAP' },
        kcvOf('AES', kekHex),
      ),
    ).rejects.toMatchObject({ code: 'NOT_FOUND' });
  });

  it('answers 503 when the database is unavailable', async () => {
    await svc.app.get(DataSource).destroy();
    const res = await svc.http.get('/api/v1/supply-groups').set(...auth(cast.officerA.key));
    expect(res.status).toBe(503);
    expect(res.body.code).toBe('DATABASE_UNAVAILABLE');
    const health = await svc.http.get('/health');
    expect(health.status).toBe(503);
    expect(health.body.checks.database.ok).toBe(false);
  });
});
