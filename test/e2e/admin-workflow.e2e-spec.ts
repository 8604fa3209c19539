import { forEachDatabase } from '../helpers/databases';
import { startService, type TestService } from '../helpers/key-service-app';
import { auth, expectStatus, itemsOf } from '../helpers/workflows';

forEachDatabase('admin workflow', (database) => {
  let svc: TestService;

  beforeAll(async () => {
    svc = await startService({ database });
  });
  afterAll(async () => svc.close());

  it('installs the first admins once, each with a key only its holder knows', async () => {
    const me = expectStatus(
      await svc.http.get('/api/v1/principals/me').set(...auth(svc.adminKey)),
      200,
    );
    expect(me.body).toMatchObject({
      name: 'admin',
      roles: ['admin'],
      state: 'active',
      enrolmentPending: false,
    });
    const { PrincipalsService } =
      await import('../../apps/key-service/src/principals/principals.service');
    const again = await svc.app
      .get(PrincipalsService)
      .install({ admins: ['second'], officers: [], custodians: [], auditors: [] });
    expect(again).toBeUndefined();
  });

  it('issues an officer key in two parts to two admins, stored only as a verifier', async () => {
    const res = expectStatus(
      await svc.http
        .post('/api/v1/principals')
        .set(...auth(svc.adminKey))
        .send({ name: 'olga', roles: ['security-officer'] }),
      202,
    );
    expect(res.body.principal.state).toBe('pending');
    const first = res.body.apiKeyPart as string;
    expect(first).toMatch(/^sts_[0-9a-f]{16}_[A-Za-z0-9_-]{22}$/);
    const approved = expectStatus(
      await svc.http
        .post(`/api/v1/approvals/${res.body.approval.id}/approve`)
        .set(...auth(svc.secondAdminKey))
        .send({ payloadHash: res.body.approval.payloadHash }),
      200,
    );
    const second = approved.body.result.apiKeyPart as string;
    expect(second).toMatch(/^[A-Za-z0-9_-]{21}$/);
    const enrolmentKey = first + second;
    const secret = enrolmentKey.slice('sts_'.length + 16 + 1);
    const read = expectStatus(
      await svc.http.get(`/api/v1/principals/${res.body.principal.id}`).set(...auth(svc.adminKey)),
      200,
    );
    expect(read.body).toMatchObject({ state: 'active', enrolmentPending: true });
    const approval = expectStatus(
      await svc.http.get(`/api/v1/approvals/${res.body.approval.id}`).set(...auth(svc.adminKey)),
      200,
    );
    const { DataSource } = await import('typeorm');
    const ds = svc.app.get(DataSource);
    const stored = JSON.stringify([
      read.body,
      approval.body,
      await ds.query('SELECT * FROM principals'),
      await ds.query('SELECT * FROM approvals'),
      await ds.query('SELECT * FROM audit_events'),
    ]);
    for (const part of [secret.slice(0, 22), second, secret]) expect(stored).not.toContain(part);

    // The enrolment key is good for one thing: exchanging itself for the holder's own key.
    const early = await svc.http.get('/api/v1/principals/me').set(...auth(enrolmentKey));
    expect([early.status, early.body.code]).toEqual([401, 'ENROLMENT_REQUIRED']);
    const own = expectStatus(
      await svc.http.post('/api/v1/principals/me/api-key').set(...auth(enrolmentKey)),
      200,
    );
    expect(own.body.enrolmentPending).toBe(false);
    expectStatus(await svc.http.get('/api/v1/principals/me').set(...auth(own.body.apiKey)), 200);
    expect((await svc.http.get('/api/v1/principals/me').set(...auth(enrolmentKey))).status).toBe(
      401,
    );
  });

  it('distinguishes 401 (no or unknown key) from 403 (known key, wrong role)', async () => {
    const none = await svc.http.get('/api/v1/principals');
    expect(none.status).toBe(401);
    expect(none.body.code).toBe('UNAUTHENTICATED');
    const garbage = await svc.http
      .get('/api/v1/principals')
      .set(...auth('sts_0000000000000000_' + 'A'.repeat(43)));
    expect(garbage.status).toBe(401);
    const officer = await svc.principal(['security-officer']);
    const forbidden = await svc.http.get('/api/v1/principals').set(...auth(officer.key));
    expect(forbidden.status).toBe(403);
    expect(forbidden.body.code).toBe('FORBIDDEN');
    const audit = await svc.principal(['auditor']);
    const denied = await svc.http
      .get('/api/v1/audit/events?action=access.denied')
      .set(...auth(audit.key));
    expect(itemsOf(denied).some((e) => e.actorId === officer.id)).toBe(true);
  });

  it('records a refused change as evidence once, and malformed input not at all', async () => {
    const officer = await svc.principal(['security-officer']);
    const custodian = await svc.principal(['custodian']);
    const create = (key: string, body: object) =>
      svc.http
        .post('/api/v1/supply-groups')
        .set(...auth(key))
        .send(body);
    expectStatus(await create(officer.key, { sgc: '445566', name: 'Refusals' }), 201);
    const duplicate = await create(officer.key, { sgc: '445566', name: 'Again' });
    expect([duplicate.status, duplicate.body.code]).toEqual([409, 'ALREADY_EXISTS']);
    expect((await create(officer.key, { sgc: 'x', name: 'Bad' })).status).toBe(400);
    expect((await create(custodian.key, { sgc: '445567', name: 'Role' })).status).toBe(403);

    const auditor = await svc.principal(['auditor']);
    const eventsOf = async (action: string, actorId: string) =>
      itemsOf(
        await svc.http.get(`/api/v1/audit/events?action=${action}`).set(...auth(auditor.key)),
      ).filter((e) => e.actorId === actorId);
    const refused = await eventsOf('request.refused', officer.id);
    expect(refused).toHaveLength(1);
    expect(refused[0]).toMatchObject({
      subjectType: 'route',
      subjectId: 'POST /api/v1/supply-groups',
      outcome: 'failure',
    });
    expect(refused[0].details).toMatchObject({ code: 'ALREADY_EXISTS' });
    expect(await eventsOf('access.denied', custodian.id)).toHaveLength(1);
    expect(await eventsOf('request.refused', custodian.id)).toHaveLength(0);
  });

  it("issues another principal's key through a second admin; the old key works until then", async () => {
    const p = await svc.principal(['auditor']);
    const req = expectStatus(
      await svc.http.post(`/api/v1/principals/${p.id}/api-key`).set(...auth(svc.adminKey)),
      202,
    );
    expectStatus(await svc.http.get('/api/v1/principals/me').set(...auth(p.key)), 200);
    const approved = expectStatus(
      await svc.http
        .post(`/api/v1/approvals/${req.body.approval.id}/approve`)
        .set(...auth(svc.secondAdminKey))
        .send({ payloadHash: req.body.approval.payloadHash }),
      200,
    );
    expect((await svc.http.get('/api/v1/principals/me').set(...auth(p.key))).status).toBe(401);
    const whole = `${req.body.apiKeyPart}${approved.body.result.apiKeyPart}`;
    const own = expectStatus(
      await svc.http.post('/api/v1/principals/me/api-key').set(...auth(whole)),
      200,
    );
    expectStatus(await svc.http.get('/api/v1/principals/me').set(...auth(own.body.apiKey)), 200);
  });

  it('replaces its own key: the old one stops working at once', async () => {
    const p = await svc.principal(['auditor']);
    const res = expectStatus(
      await svc.http.post('/api/v1/principals/me/api-key').set(...auth(p.key)),
      200,
    );
    expect((await svc.http.get('/api/v1/principals/me').set(...auth(p.key))).status).toBe(401);
    expectStatus(await svc.http.get('/api/v1/principals/me').set(...auth(res.body.apiKey)), 200);
  });

  it('disables a principal, whose key then gets 401', async () => {
    const p = await svc.principal(['custodian']);
    expectStatus(
      await svc.http
        .patch(`/api/v1/principals/${p.id}`)
        .set(...auth(svc.adminKey))
        .send({ state: 'disabled' }),
      200,
    );
    expect((await svc.http.get('/api/v1/principals/me').set(...auth(p.key))).status).toBe(401);
  });

  it('enforces separation of duties and vending-client scope, naming the field', async () => {
    const mixed = await svc.http
      .post('/api/v1/principals')
      .set(...auth(svc.adminKey))
      .send({ name: 'mixed', roles: ['admin', 'security-officer'] });
    expect(mixed.status).toBe(400);
    expect(mixed.body.details.fields[0].field).toBe('roles');
    const unscoped = await svc.http
      .post('/api/v1/principals')
      .set(...auth(svc.adminKey))
      .send({ name: 'vendor', roles: ['vending-client'] });
    expect(unscoped.status).toBe(400);
    expect(unscoped.body.details.fields[0].field).toBe('sgcScope');
    const unknownField = await svc.http
      .post('/api/v1/principals')
      .set(...auth(svc.adminKey))
      .send({ name: 'x', roles: ['auditor'], superuser: true });
    expect(unknownField.status).toBe(400);
    expect(unknownField.body.details.fields[0].field).toBe('superuser');
    const badRole = await svc.http
      .post('/api/v1/principals')
      .set(...auth(svc.adminKey))
      .send({ name: 'y', roles: ['root'] });
    expect(badRole.status).toBe(400);
    expect(badRole.body.details.fields[0].field).toBe('roles');
    const names = itemsOf<{ name: string }>(
      await svc.http.get('/api/v1/principals').set(...auth(svc.adminKey)),
    ).map((p) => p.name);
    expect(names).not.toEqual(expect.arrayContaining(['mixed', 'vendor', 'x', 'y']));
  });

  it('refuses a duplicate name with 409, and any change of oneself', async () => {
    const dup = await svc.http
      .post('/api/v1/principals')
      .set(...auth(svc.adminKey))
      .send({ name: 'olga', roles: ['auditor'] });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('ALREADY_EXISTS');
    const me = await svc.http.get('/api/v1/principals/me').set(...auth(svc.adminKey));
    const demote = await svc.http
      .patch(`/api/v1/principals/${me.body.id}`)
      .set(...auth(svc.adminKey))
      .send({ state: 'disabled' });
    expect(demote.status).toBe(403);
    expect(demote.body.code).toBe('SELF_CHANGE');
  });

  it('answers 404 for an unknown principal and 400 for a malformed id', async () => {
    const missing = await svc.http
      .get('/api/v1/principals/00000000-0000-4000-8000-000000000000')
      .set(...auth(svc.adminKey));
    expect(missing.status).toBe(404);
    expect(missing.body.code).toBe('NOT_FOUND');
    const malformed = await svc.http
      .get('/api/v1/principals/not-a-uuid')
      .set(...auth(svc.adminKey));
    expect(malformed.status).toBe(400);
    expect(malformed.body.details.fields[0].field).toBe('id');
  });
});
