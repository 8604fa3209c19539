import { onPostgres } from '../helpers/databases';
import { startService, type TestService } from '../helpers/key-service-app';
import { auth, createCast, expectStatus } from '../helpers/workflows';
import {
  ALL_ALLOWED,
  drn,
  loadKey,
  type LoadedKey,
  type MeterParams,
  onboardClient,
  vendingCounts,
  virtualMeter,
} from './vending.support';

jest.setTimeout(120_000);

/** The default of STS_VENDING_TID_WINDOW_MINUTES (docs/vending.md, "Why 50 minutes"). */
const DEFAULT_WINDOW = 50;
const BURST = 200;

/**
 * A burst of credit requests for one meter at once, with the default TID window: the first
 * `DEFAULT_WINDOW` (one more if a minute begins during the burst) are issued on consecutive
 * TIDs, which the meter accepts in any order; every other one is refused with 422
 * STS_TID_WINDOW_EXHAUSTED and a Retry-After, and records nothing.
 */
onPostgres(`${BURST} concurrent credits for one meter`, () => {
  let svc: TestService;
  let key: LoadedKey;
  let client: { id: string; key: string };

  beforeAll(async () => {
    delete process.env.STS_VENDING_TID_WINDOW_MINUTES;
    svc = await startService({ database: 'postgres' });
    const cast = await createCast(svc);
    expectStatus(
      await svc.http
        .post('/api/v1/supply-groups')
        .set(...auth(cast.officerA.key))
        .send({ sgc: '123456', name: 'Group 123456', cluster: 'c1' }),
      201,
    );
    key = await loadKey(svc, cast, { sgc: '123456' });
    client = await onboardClient(svc, cast, 'burst-vendor', ['123456'], ALL_ALLOWED, false);
  });

  afterAll(() => svc?.close());

  it(`issues the window's worth on consecutive TIDs and refuses the rest with Retry-After`, async () => {
    const meter: MeterParams = {
      iin: '600727',
      drn: drn('0000000077'),
      sgc: '123456',
      krn: 1,
      tariffIndex: '01',
      ea: '07',
    };
    const before = await vendingCounts(svc);
    const answers = await Promise.all(
      Array.from({ length: BURST }, () =>
        svc.http
          .post('/api/v1/vending/tokens/credit')
          .set(...auth(client.key))
          .send({ meter, subclass: 0, amount: '1' }),
      ),
    );
    const issued = answers.filter((r) => r.status === 201);
    const refused = answers.filter((r) => r.status !== 201);
    expect(issued.length).toBeGreaterThanOrEqual(DEFAULT_WINDOW);
    expect(issued.length).toBeLessThanOrEqual(DEFAULT_WINDOW + 1);
    for (const r of refused) {
      expect(r.status).toBe(422);
      expect(r.body.code).toBe('STS_TID_WINDOW_EXHAUSTED');
      const wait = r.body.details.retryAfterSeconds as number;
      expect(wait).toBeGreaterThanOrEqual(1);
      expect(wait).toBeLessThanOrEqual(60);
      expect(r.headers['retry-after']).toBe(String(wait));
    }
    const tids = issued.map((r) => r.body.tids[0] as number).sort((a, b) => a - b);
    expect(tids.every((t, i) => i === 0 || t === tids[i - 1] + 1)).toBe(true);
    // Entered newest first, as a burst printed together may be: the meter takes every one.
    const virtual = virtualMeter(key, meter);
    const newestFirst = [...issued].sort(
      (a, b) => (b.body.tids[0] as number) - (a.body.tids[0] as number),
    );
    for (const r of newestFirst) {
      expect(virtual.enter(r.body.tokens[0].token as string).outcome).toBe('CREDIT_ACCEPTED');
    }
    const after = await vendingCounts(svc);
    expect(after.issuances - before.issuances).toBe(issued.length);
  });
});
