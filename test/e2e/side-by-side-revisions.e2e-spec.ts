import { forEachDatabase } from '../helpers/databases';
import { startService, type TestService } from '../helpers/key-service-app';
import {
  approve,
  auth,
  type Cast,
  createCast,
  createSupplyGroup,
  expectStatus,
} from '../helpers/workflows';
import { ALL_ALLOWED, drn, loadKey, type LoadedKey, onboardClient } from './vending.support';

const DAY = 86_400_000;

forEachDatabase('side by side revisions', (database) => {
  let svc: TestService;
  let cast: Cast;
  let client: { id: string; key: string };
  let krn1: LoadedKey;
  let krn2: LoadedKey;

  const credit = (krn: number) =>
    svc.http
      .post('/api/v1/vending/tokens/credit')
      .set(...auth(client.key))
      .send({
        meter: {
          iin: '600727',
          drn: drn('0000000007'),
          sgc: '600727',
          krn,
          tariffIndex: '01',
          ea: '07',
        },
        subclass: 0,
        amount: '10',
      });
  const inDays = (days: number) => new Date(svc.clock.now().getTime() + days * DAY).toISOString();

  beforeAll(async () => {
    svc = await startService({ database });
    cast = await createCast(svc);
    await createSupplyGroup(svc, cast, '600727');
    krn1 = await loadKey(svc, cast, { sgc: '600727', baseDate: 2014, issueUntil: inDays(30) });
    krn2 = await loadKey(svc, cast, { sgc: '600727', baseDate: 2014 });
    client = await onboardClient(svc, cast, 'vendor', ['600727'], ALL_ALLOWED, false);
  });
  afterAll(async () => svc.close());

  it('vends on the superseded revision until its issue-until, beside its successor', async () => {
    const old = expectStatus(
      await svc.http.get(`/api/v1/vending-keys/${krn1.id}`).set(...auth(cast.auditor.key)),
      200,
    );
    expect(old.body.state).toBe('superseded');
    expect(expectStatus(await credit(1), 201).body.vendingKey).toMatchObject({
      id: krn1.id,
      krn: 1,
    });
    expect(expectStatus(await credit(2), 201).body.vendingKey).toMatchObject({
      id: krn2.id,
      krn: 2,
    });
  });

  it('moves the issue-until under dual control only', async () => {
    const until = inDays(60);
    const request = expectStatus(
      await svc.http
        .post(`/api/v1/vending-keys/${krn1.id}/issue-until`)
        .set(...auth(cast.officerA.key))
        .send({ issueUntil: until, reason: 'meters still to move' }),
      202,
    );
    expect(request.body).toMatchObject({
      action: 'key.issue-until',
      payload: {
        params: expect.objectContaining({ issueUntil: until, krn: 1, state: 'superseded' }),
      },
    });
    const own = await svc.http
      .post(`/api/v1/approvals/${request.body.id as string}/approve`)
      .set(...auth(cast.officerA.key))
      .send({ payloadHash: request.body.payloadHash });
    expect(own.status).toBe(403);
    await approve(
      svc,
      cast.officerB.key,
      request.body.id as string,
      request.body.payloadHash as string,
    );
    const key = expectStatus(
      await svc.http.get(`/api/v1/vending-keys/${krn1.id}`).set(...auth(cast.auditor.key)),
      200,
    );
    expect(key.body.issueUntil).toBe(until);
    svc.clock.advance(31 * DAY);
    expect(expectStatus(await credit(1), 201).body.vendingKey.krn).toBe(1);
    svc.clock.advance(30 * DAY);
    expect((await credit(1)).body.code).toBe('STS_KEY_ISSUE_PERIOD_ENDED');
  });

  it.each([
    [{ issueUntil: '2020-01-01T00:00:00.000Z', reason: 'x' }, 'issueUntil'],
    [{ issueUntil: 'tomorrow', reason: 'x' }, 'issueUntil'],
    [{ issueUntil: '2099-01-01T00:00:00.000Z' }, 'reason'],
  ])('refuses %j with a 400 naming %s', async (body, field) => {
    const res = await svc.http
      .post(`/api/v1/vending-keys/${krn2.id}/issue-until`)
      .set(...auth(cast.officerA.key))
      .send(body);
    expect(res.status).toBe(400);
    const fields = (res.body as { details: { fields: { field: string }[] } }).details.fields;
    expect(fields.map((f) => f.field)).toContain(field);
  });
});
