import { DataSource } from 'typeorm';
import { forEachDatabase } from '../helpers/databases';
import { startService, type TestService } from '../helpers/key-service-app';
import { auth, type Cast, createCast, expectStatus } from '../helpers/workflows';

/** The session cookie's `name=value` from a Set-Cookie answer. */
function cookieOf(setCookie: string | string[] | undefined): string {
  const header = Array.isArray(setCookie) ? setCookie[0] : (setCookie ?? '');
  return header.split(';', 1)[0];
}

forEachDatabase('console sessions', (database) => {
  let svc: TestService;
  let cast: Cast;

  beforeAll(async () => {
    svc = await startService({ database, token: 'memory' });
    cast = await createCast(svc);
  });
  afterAll(async () => svc.close());

  async function signIn(key: string) {
    const res = expectStatus(await svc.http.post('/api/v1/sessions').set(...auth(key)), 201);
    return { res, cookie: cookieOf(res.headers['set-cookie']), csrf: res.body.csrfToken as string };
  }

  it('exchanges an API key for an HttpOnly, SameSite=Strict cookie; the database keeps only a hash', async () => {
    const { res, cookie } = await signIn(cast.officerA.key);
    const setCookie = String(res.headers['set-cookie']);
    expect(setCookie).toMatch(
      /^sts_session=[0-9a-f-]{36}\.[A-Za-z0-9_-]{43}; Path=\/api; HttpOnly; SameSite=Strict; Max-Age=43200$/,
    );
    expect(res.headers['cache-control']).toBe('no-store');
    expect(res.body.principal).toMatchObject({ id: cast.officerA.id, roles: ['security-officer'] });
    const secret = cookie.split('.')[1];
    const ds = svc.app.get(DataSource);
    const rows = await ds.query('SELECT * FROM console_sessions');
    expect(JSON.stringify(rows)).not.toContain(secret);
    expect(JSON.stringify(rows)).not.toContain(cast.officerA.key.slice(-43));
    const me = expectStatus(await svc.http.get('/api/v1/principals/me').set('Cookie', cookie), 200);
    expect(me.body.id).toBe(cast.officerA.id);
  });

  it('refuses a state-changing call without the CSRF token and changes nothing', async () => {
    const { cookie, csrf } = await signIn(cast.officerA.key);
    const refused = await svc.http
      .post('/api/v1/supply-groups')
      .set('Cookie', cookie)
      .send({ sgc: '600001', name: 'no csrf' });
    expect(refused.status).toBe(403);
    expect(refused.body.code).toBe('CSRF_TOKEN_INVALID');
    const wrong = await svc.http
      .post('/api/v1/supply-groups')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', `${csrf.startsWith('A') ? 'B' : 'A'}${csrf.slice(1)}`)
      .send({ sgc: '600001', name: 'wrong csrf' });
    expect(wrong.status).toBe(403);
    const group = await svc.http
      .get('/api/v1/supply-groups/600001')
      .set(...auth(cast.officerA.key));
    expect(group.status).toBe(404);
    expectStatus(
      await svc.http
        .post('/api/v1/supply-groups')
        .set('Cookie', cookie)
        .set('X-CSRF-Token', csrf)
        .send({ sgc: '600001', name: 'with csrf' }),
      201,
    );
  });

  it('records the person as the actor of a call made in a session', async () => {
    const { cookie, csrf } = await signIn(cast.officerB.key);
    expectStatus(
      await svc.http
        .post('/api/v1/supply-groups')
        .set('Cookie', cookie)
        .set('X-CSRF-Token', csrf)
        .send({ sgc: '600002', name: 'by officer B' }),
      201,
    );
    const events = expectStatus(
      await svc.http
        .get('/api/v1/audit/events')
        .query({ action: 'supply-group.create', subjectId: '600002' })
        .set(...auth(cast.auditor.key)),
      200,
    );
    expect(events.body.items).toHaveLength(1);
    expect(events.body.items[0]).toMatchObject({
      actorId: cast.officerB.id,
      actorName: 'officer-b',
    });
    const started = expectStatus(
      await svc.http
        .get('/api/v1/audit/events')
        .query({ action: 'session.start', actorId: cast.officerB.id })
        .set(...auth(cast.auditor.key)),
      200,
    );
    expect(started.body.items.length).toBeGreaterThan(0);
  });

  it('ends after 15 minutes idle; a renewal restarts the idle time', async () => {
    const { cookie, csrf } = await signIn(cast.auditor.key);
    svc.clock.advance(14 * 60_000);
    const renewed = expectStatus(
      await svc.http
        .post('/api/v1/sessions/current/renew')
        .set('Cookie', cookie)
        .set('X-CSRF-Token', csrf),
      200,
    );
    expect(renewed.body.csrfToken).toBe(csrf);
    svc.clock.advance(14 * 60_000);
    expectStatus(await svc.http.get('/api/v1/sessions/current').set('Cookie', cookie), 200);
    svc.clock.advance(15 * 60_000 + 1000);
    const ended = await svc.http.get('/api/v1/sessions/current').set('Cookie', cookie);
    expect(ended.status).toBe(401);
    expect(ended.body.code).toBe('UNAUTHENTICATED');
    expect(ended.body.message).toMatch(/session has ended/);
  });

  it('signs out: the cookie is cleared and no longer authenticates', async () => {
    const { cookie, csrf } = await signIn(cast.custodians[0].key);
    const out = await svc.http
      .delete('/api/v1/sessions/current')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', csrf);
    expect(out.status).toBe(204);
    expect(String(out.headers['set-cookie'])).toMatch(
      /^sts_session=; Path=\/api; HttpOnly; SameSite=Strict; Max-Age=0/,
    );
    expect((await svc.http.get('/api/v1/principals/me').set('Cookie', cookie)).status).toBe(401);
  });

  it('ends when the key it was opened with is replaced', async () => {
    const holder = await svc.principal(['auditor'], 'rotating-auditor');
    const { cookie } = await signIn(holder.key);
    expectStatus(await svc.http.get('/api/v1/principals/me').set('Cookie', cookie), 200);
    expectStatus(
      await svc.http.post('/api/v1/principals/me/api-key').set(...auth(holder.key)),
      200,
    );
    expect((await svc.http.get('/api/v1/principals/me').set('Cookie', cookie)).status).toBe(401);
  });

  it('is opened only with an API key: a session cannot open another, and key callers have none', async () => {
    const { cookie, csrf } = await signIn(cast.officerA.key);
    const again = await svc.http
      .post('/api/v1/sessions')
      .set('Cookie', cookie)
      .set('X-CSRF-Token', csrf);
    expect(again.status).toBe(401);
    const none = await svc.http.get('/api/v1/sessions/current').set(...auth(cast.officerA.key));
    expect(none.status).toBe(404);
    const forged = await svc.http
      .get('/api/v1/principals/me')
      .set('Cookie', `${cookie.split('.')[0]}.${'A'.repeat(43)}`);
    expect(forged.status).toBe(401);
  });
});
