import { forEachDatabase } from '../helpers/databases';
import { startService, type TestService } from '../helpers/key-service-app';
import {
  auth,
  type Cast,
  createCast,
  createSupplyGroup,
  expectStatus,
  itemsOf,
} from '../helpers/workflows';
import { drn, loadKey, type LoadedKey } from './vending.support';

const METER = { iin: '600727', drn: drn('0000000001') };
const path = (m: { iin: string; drn: string }) => `/api/v1/meter-keys/${m.iin}/${m.drn}`;

forEachDatabase('meter key registry', (database) => {
  let svc: TestService;
  let cast: Cast;
  let client: { id: string; key: string };
  let stranger: { id: string; key: string };
  let krn1: LoadedKey;

  beforeAll(async () => {
    svc = await startService({ database });
    cast = await createCast(svc);
    await createSupplyGroup(svc, cast, '600727');
    await createSupplyGroup(svc, cast, '600728');
    const issueUntil = new Date(svc.clock.now().getTime() + 90 * 86_400_000).toISOString();
    krn1 = await loadKey(svc, cast, { sgc: '600727', baseDate: 1993, issueUntil });
    await loadKey(svc, cast, { sgc: '600728' });
    client = await svc.principal(['vending-client'], 'vendor-1', ['600727']);
    stranger = await svc.principal(['vending-client'], 'vendor-2', ['600728']);
  });
  afterAll(async () => svc.close());

  it('registers the key a meter holds and reads it back, audited', async () => {
    const body = { sgc: '600727', krn: 1, tariffIndex: '01', ea: '07', baseDate: 1993 };
    const put = expectStatus(
      await svc.http
        .put(path(METER))
        .set(...auth(client.key))
        .send(body),
      200,
    );
    expect(put.body).toMatchObject({
      meter: METER,
      sgc: '600727',
      krn: 1,
      tariffIndex: '01',
      keyType: 2,
      ea: '07',
      baseDate: 1993,
      vendingKeyId: krn1.id,
      source: 'registered',
      recordedBy: client.id,
      lastKeyChange: null,
      keyChangeDue: null,
    });
    const got = expectStatus(await svc.http.get(path(METER)).set(...auth(cast.auditor.key)), 200);
    expect(got.body).toEqual(put.body);
    const events = expectStatus(
      await svc.http
        .get(`/api/v1/audit/events?action=meter-key.register&subjectId=${METER.iin}-${METER.drn}`)
        .set(...auth(cast.auditor.key)),
      200,
    );
    expect(itemsOf(events)).toHaveLength(1);
  });

  it('keeps a vending client to its supply groups', async () => {
    const read = await svc.http.get(path(METER)).set(...auth(stranger.key));
    expect(read.status).toBe(404);
    const write = await svc.http
      .put(path(METER))
      .set(...auth(stranger.key))
      .send({ sgc: '600727', krn: 1, tariffIndex: '01', ea: '07' });
    expect(write.status).toBe(403);
    expect(write.body.code).toBe('OUT_OF_SCOPE');
    const list = expectStatus(
      await svc.http.get('/api/v1/meter-keys').set(...auth(stranger.key)),
      200,
    );
    expect(itemsOf(list)).toEqual([]);
  });

  it.each([
    [
      { iin: '600727', drn: '00000000010' },
      { sgc: '600727', krn: 1, tariffIndex: '01', ea: '07' },
      400,
      'drn',
    ],
    [METER, { sgc: '600727', krn: 3, tariffIndex: '01', ea: '07' }, 404, 'krn'],
    [METER, { sgc: '600727', krn: 1, tariffIndex: '1', ea: '07' }, 400, 'tariffIndex'],
    [METER, { sgc: '600727', krn: 1, tariffIndex: '01', ea: '11' }, 422, 'ea'],
    [
      METER,
      { sgc: '600727', krn: 1, tariffIndex: '01', ea: '07', baseDate: 2014 },
      422,
      'meter.baseDate',
    ],
  ])(
    'refuses %j %j with %i naming the field, changing nothing',
    async (meter, body, status, field) => {
      const before = await svc.http.get(path(METER)).set(...auth(cast.auditor.key));
      const res = await svc.http
        .put(path(meter))
        .set(...auth(client.key))
        .send(body);
      expect(res.status).toBe(status);
      expect(JSON.stringify(res.body)).toContain(field);
      const after = await svc.http.get(path(METER)).set(...auth(cast.auditor.key));
      expect(after.body).toEqual(before.body);
    },
  );

  it('says a key change is due once the revision is superseded, with rollover', async () => {
    const krn2 = await loadKey(svc, cast, { sgc: '600727', baseDate: 2014 });
    const got = expectStatus(await svc.http.get(path(METER)).set(...auth(client.key)), 200);
    expect(got.body.keyChangeDue).toEqual({
      sgc: '600727',
      krn: 2,
      tariffIndex: '01',
      baseDate: 2014,
      vendingKeyId: krn2.id,
      reason: 'superseded',
      ro: 1,
    });
  });

  it('answers 409 to a refusal report when no key-change set was issued', async () => {
    const res = await svc.http
      .post(`${path(METER)}/key-change-refusals`)
      .set(...auth(client.key))
      .send({ changeId: '00000000-0000-4000-8000-000000000000' });
    expect(res.status).toBe(409);
    expect(res.body.details.field).toBe('changeId');
  });

  it('registers a list in bulk (officers), reporting bad lines, and counts meters per revision', async () => {
    const csv =
      'IIN,DRN,SGC,KRN,tariffIndex,EA\n' +
      `600727,${drn('0000000002')},600727,1,01,07\n` +
      `600727,${drn('0000000003')},600727,2,02,07\n` +
      `600727,00000000030,600727,1,01,07\n` +
      `600727,${drn('0000000004')},600727,7,01,07\n` +
      `600727,${drn('0000000005')},600727,1\n`;
    const refusedForClient = await svc.http
      .post('/api/v1/meter-keys/import')
      .set(...auth(client.key))
      .set('content-type', 'text/csv')
      .send(csv);
    expect(refusedForClient.status).toBe(403);
    const res = expectStatus(
      await svc.http
        .post('/api/v1/meter-keys/import')
        .set(...auth(cast.officerA.key))
        .set('content-type', 'text/csv')
        .send(csv),
      200,
    );
    expect(res.body).toMatchObject({ rows: 5, registered: 2, refused: 3 });
    expect(res.body.badRows).toEqual([
      { row: 4, field: 'drn', message: expect.stringContaining('check digit') },
      { row: 5, field: 'krn', message: expect.stringContaining('KRN 7') },
      { row: 6, field: 'row', message: expect.stringContaining('6 fields') },
    ]);
    expect(res.body.sha256).toMatch(/^[0-9a-f]{64}$/);
    const counts = expectStatus(
      await svc.http.get('/api/v1/meter-keys/counts?sgc=600727').set(...auth(cast.officerA.key)),
      200,
    );
    expect(counts.body).toEqual([
      { sgc: '600727', krn: 1, meters: 2 },
      { sgc: '600727', krn: 2, meters: 1 },
    ]);
    const onKrn2 = expectStatus(
      await svc.http.get('/api/v1/meter-keys?sgc=600727&krn=2').set(...auth(client.key)),
      200,
    );
    expect(itemsOf(onKrn2).map((m) => m.meter)).toEqual([
      { iin: '600727', drn: drn('0000000003') },
    ]);
    const badHeader = await svc.http
      .post('/api/v1/meter-keys/import')
      .set(...auth(cast.officerA.key))
      .set('content-type', 'text/csv')
      .send('iin,drn,sgc\n');
    expect(badHeader.status).toBe(400);
    expect(badHeader.body.details.fields[0].field).toBe('body');
  });
});
