import type { Response } from 'supertest';
import { forEachDatabase } from '../helpers/databases';
import { startService, type TestService } from '../helpers/key-service-app';
import { auth, createCast, createSupplyGroup, expectStatus } from '../helpers/workflows';
import {
  ALL_ALLOWED,
  drn,
  type LoadedKey,
  loadKey,
  type MeterParams,
  onboardClient,
  vendingCounts,
  virtualMeter,
} from './vending.support';

jest.setTimeout(120_000);

const PARALLEL = 200;

forEachDatabase('vending under concurrency', (database) => {
  let svc: TestService;
  let client: { id: string; key: string };
  let key: LoadedKey;

  beforeAll(async () => {
    svc = await startService({ database, vending: { tidWindowMinutes: PARALLEL + 20 } });
    const cast = await createCast(svc);
    await createSupplyGroup(svc, cast, '600727');
    key = await loadKey(svc, cast, { sgc: '600727' });
    client = await onboardClient(svc, cast, 'vendor-parallel', ['600727'], ALL_ALLOWED, false);
  }, 180_000);
  afterAll(async () => {
    await svc.close();
  });

  const creditFor = (meter: MeterParams, idem?: string): Promise<Response> => {
    let req = svc.http.post('/api/v1/vending/tokens/credit').set(...auth(client.key));
    if (idem) req = req.set('Idempotency-Key', idem);
    return req.send({ meter, subclass: 0, amount: '1' }).then((r) => r);
  };

  it(`${PARALLEL} parallel credit requests for one meter get ${PARALLEL} distinct TIDs, all accepted`, async () => {
    const meter: MeterParams = {
      iin: '600727',
      drn: drn('1234567890'),
      sgc: '600727',
      krn: key.krn,
      tariffIndex: '01',
      ea: '07',
    };
    const responses = await Promise.all(Array.from({ length: PARALLEL }, () => creditFor(meter)));
    for (const r of responses) expectStatus(r, 201);
    const issued = responses
      .map((r) => ({ tid: r.body.tids[0] as number, token: r.body.tokens[0].token as string }))
      .sort((a, b) => a.tid - b.tid);
    expect(new Set(issued.map((i) => i.tid)).size).toBe(PARALLEL);
    expect(issued[PARALLEL - 1].tid - issued[0].tid).toBe(PARALLEL - 1);
    const vm = virtualMeter(key, meter);
    const outcomes = issued.map((i) => vm.enter(i.token).outcome);
    expect(outcomes.filter((o) => o === 'CREDIT_ACCEPTED')).toHaveLength(PARALLEL);
    expect(vm.credit[0]).toBeCloseTo(PARALLEL);
  });

  it('parallel retries with one Idempotency-Key issue exactly one token', async () => {
    const meter: MeterParams = {
      iin: '600727',
      drn: drn('1234567891'),
      sgc: '600727',
      krn: key.krn,
      tariffIndex: '01',
      ea: '07',
    };
    const before = await vendingCounts(svc);
    const responses = await Promise.all(
      Array.from({ length: 20 }, () => creditFor(meter, 'same-order')),
    );
    for (const r of responses) expectStatus(r, 201);
    expect(new Set(responses.map((r) => r.body.tokens[0].token as string)).size).toBe(1);
    expect(new Set(responses.map((r) => r.body.issuanceId as string)).size).toBe(1);
    const after = await vendingCounts(svc);
    expect(after.issuances).toBe(before.issuances + 1);
  });
});
