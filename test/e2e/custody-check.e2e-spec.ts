import { rmSync } from 'node:fs';
import { dirname } from 'node:path';
import type { INestApplication } from '@nestjs/common';
import { Pkcs11KeyCustody } from '@sts/hsm';
import request from 'supertest';
import { createApp } from '../../apps/key-service/src/app-factory';
import { JsonLogger } from '../../apps/key-service/src/common/json-logger';
import { DEV_COMPONENTS } from '../helpers/key-material';
import { startService, type TestService } from '../helpers/key-service-app';
import {
  auth,
  type Cast,
  createCast,
  createSupplyGroup,
  expectStatus,
  tokenLabelOf,
} from '../helpers/workflows';
import {
  ALL_ALLOWED,
  drn,
  type LoadedKey,
  loadKey,
  type MeterParams,
  onboardClient,
  vendingCounts,
} from './vending.support';

jest.setTimeout(120_000);

/**
 * The custody check against a token that no longer matches the database (a token restored from
 * an older backup, or another key under a label): the failing key is refused with 503 and the
 * reason, every other key keeps vending; at start as on request.
 */
describe('custody check and vending (SQLite, SoftHSM)', () => {
  let svc: TestService;
  let cast: Cast;
  let good: LoadedKey;
  let lost: LoadedKey;
  let lostLabel: string;
  let client: { id: string; key: string };
  let restarted: INestApplication | undefined;

  const meter = (k: LoadedKey): MeterParams => ({
    iin: '600727',
    drn: drn('0000000201'),
    sgc: k.sgc,
    krn: k.krn,
    tariffIndex: '01',
    ea: '07',
  });
  const credit = (http: ReturnType<typeof request>, k: LoadedKey) =>
    http
      .post('/api/v1/vending/tokens/credit')
      .set(...auth(client.key))
      .send({ meter: meter(k), subclass: 0, amount: '5' });
  const check = async (http: ReturnType<typeof request>) =>
    expectStatus(
      await http.post('/api/v1/custody/verification').set(...auth(cast.officerA.key)),
      200,
    ).body as {
      ok: boolean;
      summary: Record<string, number>;
      keys: { id: string; ok: boolean; failure?: string; problems: string[] }[];
    };

  beforeAll(async () => {
    svc = await startService({ database: 'sqlite' });
    cast = await createCast(svc);
    await createSupplyGroup(svc, cast, '123456');
    await createSupplyGroup(svc, cast, '654321');
    good = await loadKey(svc, cast, { sgc: '123456' });
    lost = await loadKey(svc, cast, {
      sgc: '654321',
      components: [DEV_COMPONENTS.des[0], DEV_COMPONENTS.des[2]],
    });
    lostLabel = await tokenLabelOf(svc, cast, lost.id);
    client = await onboardClient(svc, cast, 'vendor', ['123456', '654321'], ALL_ALLOWED);
  });

  afterAll(async () => {
    await restarted?.close();
    if (svc.config.database.type === 'sqlite') {
      rmSync(dirname(dirname(svc.config.database.path)), { recursive: true, force: true });
    }
  });

  it('passes on a token that holds every key as recorded, and vends with both keys', async () => {
    expect(await check(svc.http)).toMatchObject({
      ok: true,
      summary: { referenced: 4, verified: 4, failed: 0, unexpected: 0 },
    });
    expectStatus(await credit(svc.http, good), 201);
    expectStatus(await credit(svc.http, lost), 201);
  });

  it('lets officers and auditors read the report, and no one else', async () => {
    for (const who of [cast.officerA.key, cast.auditor.key]) {
      expectStatus(await svc.http.get('/api/v1/custody/verification').set(...auth(who)), 200);
    }
    for (const who of [client.key, cast.custodians[0].key, svc.adminKey]) {
      expectStatus(await svc.http.get('/api/v1/custody/verification').set(...auth(who)), 403);
      expectStatus(await svc.http.post('/api/v1/custody/verification').set(...auth(who)), 403);
    }
  });

  it('refuses a key missing from the token with 503 and the reason; the other key vends on', async () => {
    await svc.custody.destroyKey(lostLabel);
    const report = await check(svc.http);
    expect(report.ok).toBe(false);
    expect(report.keys.find((k) => k.id === lost.id)).toMatchObject({
      ok: false,
      failure: 'MISSING',
    });
    const before = await vendingCounts(svc);
    const refused = expectStatus(await credit(svc.http, lost), 503);
    expect(refused.body).toMatchObject({
      code: 'KEY_CUSTODY_FAILED',
      details: { field: 'meter.krn', vendingKeyId: lost.id, failure: 'MISSING' },
    });
    expect(refused.body.message).toContain(lostLabel);
    expect(await vendingCounts(svc)).toEqual(before);
    expectStatus(await credit(svc.http, good), 201);
  });

  it('names another key under the recorded label by its check value', async () => {
    await svc.custody.generateKey({ label: lostLabel, algorithm: 'DES', usage: 'DERIVE' });
    const report = await check(svc.http);
    expect(report.keys.find((k) => k.id === lost.id)).toMatchObject({
      ok: false,
      failure: 'CHECK_VALUE_MISMATCH',
    });
    expect(expectStatus(await credit(svc.http, lost), 503).body).toMatchObject({
      code: 'KEY_CUSTODY_FAILED',
      details: { failure: 'CHECK_VALUE_MISMATCH' },
    });
    const events = expectStatus(
      await svc.http
        .get('/api/v1/audit/events?action=custody.verify&outcome=failure')
        .set(...auth(cast.auditor.key)),
      200,
    ).body as { items: { actorId: string }[] };
    expect(events.items.length).toBeGreaterThanOrEqual(2);
    expect(events.items[0].actorId).toBe(cast.officerA.id);
  });

  it('refuses the key from the start of a restarted service, before anyone asks', async () => {
    await svc.app.close();
    const custody = await Pkcs11KeyCustody.open({
      modulePath: svc.config.hsm.module,
      tokenLabel: svc.config.hsm.tokenLabel,
      pin: svc.config.hsm.pin,
    });
    restarted = await createApp(svc.config, {
      custody,
      logger: new JsonLogger('warn', () => undefined),
    });
    const http = request(restarted.getHttpServer());
    const latest = expectStatus(
      await http.get('/api/v1/custody/verification').set(...auth(cast.auditor.key)),
      200,
    ).body as { keys: { id: string; failure?: string }[] };
    expect(latest.keys.find((k) => k.id === lost.id)?.failure).toBe('CHECK_VALUE_MISMATCH');
    expect(expectStatus(await credit(http, lost), 503).body.code).toBe('KEY_CUSTODY_FAILED');
    expectStatus(await credit(http, good), 201);
  });
});
