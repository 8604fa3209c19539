import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { forEachDatabase } from '../helpers/databases';
import { startService, type TestService } from '../helpers/key-service-app';
import { auth, type Cast, createCast, createSupplyGroup, expectStatus } from '../helpers/workflows';
import { ALL_ALLOWED, drn, loadKey, onboardClient } from './vending.support';

jest.setTimeout(60_000);

const SGC = '600727';
const NO_SUCH_ID = '00000000-0000-0000-0000-000000000000';

/** The fields a 400 names. */
function fieldsOf(res: Response): string[] {
  expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
  return (res.body.details.fields as { field: string }[]).map((f) => f.field);
}

forEachDatabase('bad input', (database) => {
  let svc: TestService;
  let cast: Cast;
  let client: { id: string; key: string };
  const meter = { iin: SGC, drn: drn('0000000001'), sgc: SGC, krn: 1, tariffIndex: '01', ea: '07' };

  /** Rows of every table but the `request.refused` audit events: a refusal changes none. */
  const counts = async () => {
    const ds = svc.app.get(DataSource);
    const out: Record<string, number> = {};
    for (const { tableName } of ds.entityMetadatas) {
      const where = tableName === 'audit_events' ? " WHERE action <> 'request.refused'" : '';
      const [row] = await ds.query<{ n: string }[]>(
        `SELECT COUNT(*) AS n FROM "${tableName}"${where}`,
      );
      out[tableName] = Number(row.n);
    }
    return out;
  };

  beforeAll(async () => {
    svc = await startService({ database });
    cast = await createCast(svc);
    await createSupplyGroup(svc, cast, SGC);
    await loadKey(svc, cast, { sgc: SGC });
    client = await onboardClient(svc, cast, 'vendor', [SGC], ALL_ALLOWED);
  });
  afterAll(async () => svc?.close());

  const officer = (method: 'post' | 'patch' | 'put', path: string) =>
    svc.http[method](`/api/v1${path}`).set(...auth(cast.officerA.key));
  const vend = (path: string, body: unknown) =>
    svc.http
      .post(`/api/v1/vending/${path}`)
      .set(...auth(client.key))
      .send(body as object);

  it('refuses every malformed body with a 400 naming the field, and writes nothing', async () => {
    const before = await counts();
    const raw = (text: string) =>
      officer('post', '/supply-groups').set('Content-Type', 'application/json').send(text);
    expect(fieldsOf(await raw('['.repeat(5000) + ']'.repeat(5000)))).toEqual(['body']);
    // A body that is not an object is refused as a whole, not field by field.
    for (const text of ['[]', '[{"sgc":"600728","name":"n"}]', '837917974', '"str"', 'null']) {
      expect(fieldsOf(await raw(text))).toEqual(['body']);
    }
    expect(
      fieldsOf(await raw(`{"sgc":"600728","name":${'['.repeat(32)}${']'.repeat(32)}}`)),
    ).toEqual(['body']);
    // Brackets inside strings are text, not nesting.
    expect(fieldsOf(await raw(`{"sgc":"600728","name":"${'['.repeat(100)}","x":1}`))).toEqual([
      'x',
    ]);
    expect(fieldsOf(await raw('{"sgc":"600728","name":"n","prototype":{}}'))).toEqual([
      'body.prototype',
    ]);
    expect(
      fieldsOf(await raw('{"sgc":"600728","name":"n","constructor":{"prototype":{}}}')),
    ).toEqual(['body.constructor']);
    for (const name of ['a\u0000b', '   ', '\t', 'x\u001b[2J']) {
      expect(
        fieldsOf(await officer('post', '/supply-groups').send({ sgc: '600728', name })),
      ).toEqual(['name']);
      expect(fieldsOf(await officer('patch', `/supply-groups/${SGC}`).send({ name }))).toEqual([
        'name',
      ]);
    }
    expect(fieldsOf(await officer('patch', `/supply-groups/${SGC}`).send({ name: null }))).toEqual(
      expect.arrayContaining(['name']),
    );
    expect(fieldsOf(await officer('patch', `/supply-groups/${SGC}`).send({ state: null }))).toEqual(
      ['state'],
    );
    const plan = {
      name: ' \u0000',
      from: { sgc: SGC, krn: 1, tariffIndex: '01', baseDate: 2014 },
      to: [{ sgc: SGC, krn: 2, tariffIndex: '01', baseDate: 2014 }],
      ea: '07',
    };
    expect(fieldsOf(await officer('post', '/campaigns').send(plan))).toEqual(['name', 'to']);

    expect(
      fieldsOf(
        await vend('tokens/test', {
          meter: [{ iin: meter.iin, drn: meter.drn }],
          subclass: 0,
          control: '1',
          manufacturerCode: 1,
        }),
      ),
    ).toEqual(['meter']);
    expect(fieldsOf(await vend('derived-keys', { meter: [] }))).toEqual(['meter']);
    expect(fieldsOf(await vend('tokens/key-change', { meter, target: [] }))).toEqual(['target']);
    for (const stated of [{ keyType: null }, { baseDate: null }]) {
      const res = await vend('tokens/credit', {
        meter: { ...meter, ...stated },
        subclass: 0,
        amount: '1',
      });
      expect(fieldsOf(res)).toEqual([`meter.${Object.keys(stated)[0]}`]);
    }
    for (const amount of ['0', '0.0', '000.00000']) {
      expect(fieldsOf(await vend('tokens/credit', { meter, subclass: 4, amount }))).toEqual([
        'amount',
      ]);
    }
    expect(await counts()).toEqual(before);
  });

  it('refuses a body on a route that takes none, and a bad query value', async () => {
    const before = await counts();
    for (const body of ['[]', '"str"', '123', 'null', '{"a":1}']) {
      const res = await svc.http
        .post('/api/v1/principals/me/api-key')
        .set(...auth(cast.auditor.key))
        .set('Content-Type', 'application/json')
        .send(body);
      expect(fieldsOf(res)).toEqual(['body']);
    }
    // Authentication comes first: without a key the answer is 401, whatever the body.
    expectStatus(
      await svc.http
        .post('/api/v1/principals/me/api-key')
        .set('Content-Type', 'application/json')
        .send('{"a":1}'),
      401,
    );
    const audit = (query: Record<string, string>) =>
      svc.http
        .get('/api/v1/audit/events')
        .query(query)
        .set(...auth(cast.auditor.key));
    expect(fieldsOf(await audit({ after: '99999999999999999999' }))).toEqual(['after']);
    expect(fieldsOf(await audit({ subjectId: '\u0000' }))).toEqual(['subjectId']);
    expect(fieldsOf(await audit({ actorId: 'a b' }))).toEqual(['actorId']);
    expectStatus(await audit({ after: String(Number.MAX_SAFE_INTEGER) }), 200);
    expect(await counts()).toEqual(before);
    // An empty body, or `{}`, is no body.
    const rotated = expectStatus(
      await svc.http
        .post('/api/v1/principals/me/api-key')
        .set(...auth(cast.auditor.key))
        .set('Content-Type', 'application/json')
        .send('{}'),
      200,
    );
    cast.auditor.key = rotated.body.apiKey as string;
  });

  it('says text/csv is expected on the meter-list upload', async () => {
    for (const type of ['text/plain', 'application/xml', 'application/json', undefined]) {
      let req = officer('put', `/campaigns/${NO_SUCH_ID}/meters`);
      if (type) req = req.set('Content-Type', type);
      const res = await req.send(type === 'application/json' ? '{}' : 'iin,drn\n');
      expect(fieldsOf(res)).toEqual(['Content-Type']);
      expect(res.body.message).toBe('Content-Type: must be text/csv');
    }
  });

  it('answers a malformed X-Request-Id with a 400 naming the header', async () => {
    for (const id of ['short', 'has spaces in it', 'x'.repeat(65)]) {
      const res = await svc.http
        .get('/api/v1/principals/me')
        .set(...auth(cast.officerA.key))
        .set('X-Request-Id', id);
      expect(fieldsOf(res)).toEqual(['X-Request-Id']);
      expect(res.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('answers a decision on an approval that does not exist with a plain 404', async () => {
    const errorsBefore = svc.logs.filter((l) => l.includes('"level":"error"')).length;
    const approve = await officer('post', `/approvals/${NO_SUCH_ID}/approve`).send({
      payloadHash: '0'.repeat(64),
    });
    const reject = await officer('post', `/approvals/${NO_SUCH_ID}/reject`).send({});
    expect([approve.status, reject.status]).toEqual([404, 404]);
    expect(svc.logs.filter((l) => l.includes('"level":"error"')).length).toBe(errorsBefore);
  });
});
