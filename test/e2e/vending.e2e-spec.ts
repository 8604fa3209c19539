import { aesKeyUnwrapPad, decoderKeyCheckValue } from '@sts/hsm';
import { buildCreditToken, luhnCheckDigit, tidFromDate } from '@sts/core';
import type { Response } from 'supertest';
import {
  VENDING_CONFIG,
  type VendingConfig,
} from '../../apps/key-service/src/vending/vending-config';
import { IdempotencyPurge } from '../../apps/key-service/src/vending/idempotency/idempotency-purge';
import { forEachDatabase } from '../helpers/databases';
import { DEV_COMPONENTS, allDevSecrets } from '../helpers/key-material';
import { startService, type TestService } from '../helpers/key-service-app';
import { auth, type Cast, createCast, dualControl, expectStatus } from '../helpers/workflows';
import {
  ALL_ALLOWED,
  decoderKeyOf,
  drn,
  failingCustody,
  type LoadedKey,
  loadKey,
  type MeterParams,
  onboardClient,
  testCipher,
  vendingCounts,
  virtualMeter,
} from './vending.support';

jest.setTimeout(60_000);

const WINDOW = 12;

/** The DRN with its check digit changed: a well-formed number that no meter has. */
function badCheckDigit(value: string): string {
  const body = value.slice(0, -1);
  return body + String((luhnCheckDigit(body) + 1) % 10);
}

forEachDatabase('vending interface', (database) => {
  let svc: TestService;
  let cast: Cast;
  const token = failingCustody();
  let client: { id: string; key: string; transportKeyHex: string };
  let narrow: { id: string; key: string; transportKeyHex: string };
  let slow: { id: string; key: string; transportKeyHex: string };
  let k1: LoadedKey; // 123456 KRN 1, VUDK DKGA02 base 2014
  let vddk: LoadedKey; // 123457 KRN 1, VDDK (cluster c1)
  let other: LoadedKey; // 654321 KRN 1, VUDK (cluster c2)
  let old93: LoadedKey; // 777777 KRN 1, DKGA04 base 1993
  let kenExpired: LoadedKey; // 111111 KRN 1, KEN below the current TID
  let later: LoadedKey; // 111113 KRN 1, activation scheduled in a day
  let limited: LoadedKey; // 111112 KRN 1, issue-until in an hour
  const responses: Response[] = [];

  const meterA: MeterParams = {
    iin: '600727',
    drn: drn('0000000001'),
    sgc: '123456',
    krn: 1,
    tariffIndex: '01',
    ea: '07',
  };

  const post = async (
    path: string,
    key: string,
    body: object,
    idem?: string,
  ): Promise<Response> => {
    let req = svc.http.post(`/api/v1/vending/${path}`).set(...auth(key));
    if (idem !== undefined) req = req.set('Idempotency-Key', idem);
    const res = await req.send(body);
    responses.push(res);
    return res;
  };
  const credit = (
    meter: MeterParams,
    amount = '10',
    subclass = 0,
    key = client.key,
    idem?: string,
  ) => post('tokens/credit', key, { meter, subclass, amount }, idem);

  beforeAll(async () => {
    svc = await startService({
      database,
      custody: (inner) => token.wrap(inner),
      vending: { tidWindowMinutes: WINDOW },
    });
    cast = await createCast(svc);
    for (const [sgc, cluster] of [
      ['123456', 'c1'],
      ['123457', 'c1'],
      ['654321', 'c2'],
      ['777777', 'c3'],
      ['111111', 'c4'],
      ['111112', 'c4'],
      ['111113', 'c4'],
    ]) {
      expectStatus(
        await svc.http
          .post('/api/v1/supply-groups')
          .set(...auth(cast.officerA.key))
          .send({ sgc, name: `Group ${sgc}`, cluster }),
        201,
      );
    }
    const now = svc.clock.now();
    k1 = await loadKey(svc, cast, { sgc: '123456' });
    vddk = await loadKey(svc, cast, {
      sgc: '123457',
      type: 'VDDK',
      components: [DEV_COMPONENTS.des[1], DEV_COMPONENTS.des[2]],
    });
    other = await loadKey(svc, cast, {
      sgc: '654321',
      components: [DEV_COMPONENTS.des[0], DEV_COMPONENTS.des[2]],
    });
    old93 = await loadKey(svc, cast, { sgc: '777777', dkga: '04', baseDate: 1993 });
    kenExpired = await loadKey(svc, cast, {
      sgc: '111111',
      ken: (tidFromDate(now, 2014) >>> 16) - 1,
    });
    limited = await loadKey(svc, cast, {
      sgc: '111112',
      issueUntil: new Date(now.getTime() + 3_600_000).toISOString(),
    });
    later = await loadKey(svc, cast, {
      sgc: '111113',
      effectiveAt: new Date(now.getTime() + 86_400_000).toISOString(),
    });
    const scope = ['123456', '123457', '654321', '777777', '111111', '111112', '111113'];
    client = await onboardClient(svc, cast, 'vendor-main', scope, {
      ...ALL_ALLOWED,
      maxUnitAmount: '500',
      maxCurrencyAmount: '1000',
    });
    narrow = await onboardClient(
      svc,
      cast,
      'vendor-narrow',
      ['123456'],
      {
        creditSubclasses: [0],
        managementSubclasses: [],
        testSubclasses: [],
        keyChangeAllowed: false,
        ratePerSecond: 10_000,
        burst: 10_000,
      },
      false,
    );
    slow = await onboardClient(
      svc,
      cast,
      'vendor-slow',
      ['123456'],
      { ...ALL_ALLOWED, ratePerSecond: 1, burst: 3 },
      false,
    );
  }, 180_000);
  afterAll(async () => {
    await svc.close();
  });

  describe('onboarding', () => {
    it('shows the client its profile and active transport key (check value, never the key)', async () => {
      const res = expectStatus(
        await svc.http.get(`/api/v1/vending-clients/${client.id}`).set(...auth(client.key)),
        200,
      );
      expect(res.body).toMatchObject({
        principalId: client.id,
        keyChangeAllowed: true,
        maxUnitAmount: '500',
      });
      expect(res.body.transportKey).toMatchObject({ state: 'active', lengthBytes: 16 });
      expect(res.body.transportKey.kcv).toMatch(/^[0-9a-f]{6}$/);
      const otherProfile = await svc.http
        .get(`/api/v1/vending-clients/${narrow.id}`)
        .set(...auth(client.key));
      expect(otherProfile.status).toBe(404);
    });

    it('lets only security officers set profiles and load transport keys', async () => {
      const profile = { ...ALL_ALLOWED };
      for (const key of [client.key, cast.auditor.key, cast.custodians[0].key]) {
        const res = await svc.http
          .put(`/api/v1/vending-clients/${client.id}`)
          .set(...auth(key))
          .send(profile);
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('FORBIDDEN');
      }
      const notClient = await svc.http
        .put(`/api/v1/vending-clients/${cast.auditor.id}`)
        .set(...auth(cast.officerA.key))
        .send(profile);
      expect(notClient.status).toBe(409);
      const bad = await svc.http
        .put(`/api/v1/vending-clients/${client.id}`)
        .set(...auth(cast.officerA.key))
        .send({ ...profile, creditSubclasses: [8] });
      expect(bad.status).toBe(400);
      expect(bad.body.details.fields[0].field).toBe('creditSubclasses');
    });
  });

  describe('derived keys', () => {
    it('returns the decoder key wrapped under the transport key, with its check value and metadata', async () => {
      const res = expectStatus(
        await post('derived-keys', client.key, {
          meter: { ...meterA, keyType: 2, baseDate: 2014 },
        }),
        200,
      );
      const expected = decoderKeyOf(k1, meterA);
      const unwrapped = aesKeyUnwrapPad(
        Buffer.from(client.transportKeyHex, 'hex'),
        Buffer.from(res.body.wrappedKey, 'hex'),
      );
      expect(Buffer.from(unwrapped).toString('hex')).toBe(Buffer.from(expected).toString('hex'));
      expect(res.body).toMatchObject({
        krn: 1,
        ken: 255,
        baseDate: 2014,
        keyType: 2,
        wrapAlgorithm: 'AES-KWP',
        keyCheckValue: decoderKeyCheckValue(expected),
      });
      expect(res.body.vendingKeyKcv).toMatch(/^[0-9a-f]{6}$/);
      expect(JSON.stringify(res.body)).not.toContain(Buffer.from(expected).toString('hex'));
    });

    it('needs a transport key (409) and a key the client may use (422)', async () => {
      const none = await post('derived-keys', narrow.key, { meter: meterA });
      expect(none.status).toBe(409);
      expect(none.body.code).toBe('TRANSPORT_KEY_MISSING');
      const vd = await post('derived-keys', client.key, { meter: { ...meterA, sgc: '123457' } });
      expect(vd.body.code).toBe('STS_VDDK_KEY_CHANGE_ONLY');
    });
  });

  describe('tokens, accepted by the virtual meter in issue order', () => {
    it('credit: every subclass, units and currency, with strictly increasing TIDs', async () => {
      const meter = virtualMeter(k1, meterA);
      const encoded: string[] = [];
      let last = -1;
      for (const [subclass, amount] of [
        [0, '25.6'],
        [1, '1'],
        [2, '2.5'],
        [3, '60'],
        [4, '100'],
        [5, '0.5'],
        [6, '12.34567'],
        [7, '999.9'],
      ] as const) {
        const res = expectStatus(await credit(meterA, amount, subclass), 201);
        expect(res.body.kind).toBe('credit');
        expect(res.body.vendingKeyKcv).toBe(res.body.vendingKey.kcv);
        expect(res.body.tids).toHaveLength(1);
        expect(res.body.tids[0]).toBeGreaterThan(last);
        last = res.body.tids[0];
        const entered = meter.enter(res.body.tokens[0].token);
        expect(entered.outcome).toBe('CREDIT_ACCEPTED');
        // The answer states what the meter applies: the decoded amount, not the one asked for.
        expect(Number(res.body.tokens[0].encodedAmount)).toBe(entered.token?.amount);
        encoded.push(res.body.tokens[0].encodedAmount as string);
      }
      expect(encoded).toEqual([
        '25.6',
        '1.0',
        '2.5',
        '60.0',
        '100.00624',
        '0.50004',
        '12.34624',
        '999.92624',
      ]);
    });

    it('management: subclasses 0, 1, 2, 5, 6, 7', async () => {
      const m = { ...meterA, drn: drn('0000000002') };
      const meter = virtualMeter(k1, m);
      const encoded: string[] = [];
      for (const [subclass, value] of [
        [0, 1000],
        [1, 65535],
        [2, 7],
        [5, 0],
        [6, 2000],
        [7, 3],
        [0, 999_999],
      ] as const) {
        const res = expectStatus(
          await post('tokens/management', client.key, { meter: m, subclass, value }),
          201,
        );
        expect(res.body.tokens[0]).toMatchObject({ tokenClass: 2, subclass });
        const entered = meter.enter(res.body.tokens[0].token);
        expect(entered.outcome).toBe('MANAGEMENT_ACCEPTED');
        expect(Number(res.body.tokens[0].encodedValue)).toBe(entered.token?.value);
        encoded.push(res.body.tokens[0].encodedValue as string);
      }
      expect(encoded).toEqual(['1000', '65535', '7', '0', '2000', '3', '1000024']);
      const bad = await post('tokens/management', client.key, { meter: m, subclass: 1, value: 9 });
      expect(bad.status).toBe(400);
      expect(bad.body.details.fields[0].field).toBe('value');
    });

    it('meter test: class 1 subclasses 0 and 1', async () => {
      const meter = virtualMeter(k1, meterA);
      for (const subclass of [0, 1]) {
        const res = expectStatus(
          await post('tokens/test', client.key, {
            meter: { iin: meterA.iin, drn: meterA.drn },
            subclass,
            control: '0x1',
            manufacturerCode: 7,
          }),
          201,
        );
        expect(res.body).toMatchObject({ vendingKeyKcv: null, tids: [] });
        expect(meter.enter(res.body.tokens[0].token).outcome).toBe('TEST_ACCEPTED');
      }
    });

    it('several tokens for one meter in one minute take the next free minutes, then 422 beyond the window', async () => {
      const m = { ...meterA, drn: drn('0000000003') };
      const meter = virtualMeter(k1, m);
      const tids: number[] = [];
      for (let i = 0; i < WINDOW; i++) {
        const res = expectStatus(await credit(m), 201);
        tids.push(res.body.tids[0] as number);
        expect(meter.enter(res.body.tokens[0].token).outcome).toBe('CREDIT_ACCEPTED');
      }
      expect(new Set(tids).size).toBe(WINDOW);
      expect(tids.every((t, i) => i === 0 || t === tids[i - 1] + 1)).toBe(true);
      const before = await vendingCounts(svc);
      const refused = await credit(m);
      expect(refused.status).toBe(422);
      expect(refused.body.code).toBe('STS_TID_WINDOW_EXHAUSTED');
      // The refusal says when the window has a free minute again, in the body and the header.
      const wait = refused.body.details.retryAfterSeconds as number;
      expect(wait).toBeGreaterThanOrEqual(1);
      expect(wait).toBeLessThanOrEqual(60);
      expect(refused.headers['retry-after']).toBe(String(wait));
      expect(await vendingCounts(svc)).toEqual(before);
    });
  });

  describe('retries and reprints', () => {
    it('the same Idempotency-Key and payload returns the same token; another payload is 409', async () => {
      const m = { ...meterA, drn: drn('0000000004') };
      const first = expectStatus(await credit(m, '5', 0, client.key, 'order-1'), 201);
      const before = await vendingCounts(svc);
      const again = expectStatus(await credit(m, '5', 0, client.key, 'order-1'), 201);
      expect(again.headers['idempotent-replayed']).toBe('true');
      expect(again.body).toEqual(first.body);
      expect(await vendingCounts(svc)).toEqual(before);
      const conflict = await credit(m, '6', 0, client.key, 'order-1');
      expect(conflict.status).toBe(409);
      expect(conflict.body.code).toBe('IDEMPOTENCY_KEY_REUSED');
      // Keys belong to a client: another client's identical key is a new request.
      const narrowFirst = expectStatus(await credit(m, '5', 0, narrow.key, 'order-1'), 201);
      expect(narrowFirst.body.issuanceId).not.toBe(first.body.issuanceId);
      const badKey = await credit(m, '5', 0, client.key, 'has space');
      expect(badKey.status).toBe(400);
      expect(badKey.body.details.fields[0].field).toBe('Idempotency-Key');
    });

    it('reprints by issuance id for the client and auditors only', async () => {
      const issued = expectStatus(await credit({ ...meterA, drn: drn('0000000005') }), 201);
      const id = issued.body.issuanceId as string;
      const own = expectStatus(
        await svc.http.get(`/api/v1/vending/issuances/${id}`).set(...auth(client.key)),
        200,
      );
      expect(own.body).toEqual(issued.body);
      const auditor = expectStatus(
        await svc.http.get(`/api/v1/vending/issuances/${id}`).set(...auth(cast.auditor.key)),
        200,
      );
      // Auditors see each token masked to its last four digits; the client sees it whole.
      expect(auditor.body.tokens).toEqual(
        (issued.body.tokens as { token: string }[]).map((t) => ({
          ...t,
          token: `${'*'.repeat(16)}${t.token.slice(-4)}`,
        })),
      );
      expect(
        (await svc.http.get(`/api/v1/vending/issuances/${id}`).set(...auth(narrow.key))).status,
      ).toBe(404);
      expect(
        (await svc.http.get(`/api/v1/vending/issuances/${id}`).set(...auth(cast.officerA.key)))
          .status,
      ).toBe(403);
      expect(
        (await svc.http.get('/api/v1/vending/issuances/nope').set(...auth(client.key))).status,
      ).toBe(400);
    });

    it('reprints by Idempotency-Key and by request id: a client finds its own, auditors all', async () => {
      const m = { ...meterA, drn: drn('0000000013') };
      const body = { meter: m, subclass: 0, amount: '2' };
      const requestId = `pos-17-${Date.now()}`;
      const first = expectStatus(
        await svc.http
          .post('/api/v1/vending/tokens/credit')
          .set(...auth(client.key))
          .set('Idempotency-Key', 'reprint-1')
          .set('X-Request-Id', requestId)
          .send(body),
        201,
      );
      expect(first.headers['x-request-id']).toBe(requestId);
      // Another client's request under the same Idempotency-Key, and one without X-Request-Id.
      const theirs = expectStatus(await credit(m, '2', 0, narrow.key, 'reprint-1'), 201);
      const unnamed = expectStatus(await credit(m, '4'), 201);
      const assigned = String(unnamed.headers['x-request-id']);
      const find = (key: string, query: Record<string, string>) =>
        svc.http
          .get('/api/v1/vending/issuances')
          .query(query)
          .set(...auth(key));
      const ids = (res: Response) =>
        (res.body.items as { issuanceId: string }[]).map((i) => i.issuanceId);

      const byKey = expectStatus(await find(client.key, { idempotencyKey: 'reprint-1' }), 200);
      expect(byKey.body.items).toEqual([first.body]);
      const byRequest = expectStatus(await find(client.key, { requestId }), 200);
      expect(byRequest.body.items).toEqual([first.body]);
      const byAssigned = expectStatus(await find(client.key, { requestId: assigned }), 200);
      expect(ids(byAssigned)).toEqual([unnamed.body.issuanceId]);
      // A client never sees another client's issuance, whatever it knows about it.
      expect(ids(expectStatus(await find(narrow.key, { requestId }), 200))).toEqual([]);
      expect(
        ids(expectStatus(await find(narrow.key, { idempotencyKey: 'reprint-1' }), 200)),
      ).toEqual([theirs.body.issuanceId]);
      // Auditors see every client's, newest first.
      const audited = expectStatus(
        await find(cast.auditor.key, { idempotencyKey: 'reprint-1' }),
        200,
      );
      expect(ids(audited)).toEqual([theirs.body.issuanceId, first.body.issuanceId]);
      expect(ids(expectStatus(await find(cast.auditor.key, { requestId }), 200))).toEqual([
        first.body.issuanceId,
      ]);
      expect(
        ids(expectStatus(await find(client.key, { idempotencyKey: 'never-used' }), 200)),
      ).toEqual([]);

      for (const [query, field] of [
        [{}, 'idempotencyKey'],
        [{ idempotencyKey: 'reprint-1', requestId }, 'requestId'],
        [{ idempotencyKey: 'has space' }, 'idempotencyKey'],
        [{ requestId: 'bad/id' }, 'requestId'],
        [{ issuanceId: first.body.issuanceId as string }, 'issuanceId'],
      ] as const) {
        const res = await find(client.key, query);
        expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
        expect((res.body.details.fields as { field: string }[]).map((f) => f.field)).toContain(
          field,
        );
      }
      expect((await find(cast.officerA.key, { requestId })).status).toBe(403);
      expect((await svc.http.get('/api/v1/vending/issuances').query({ requestId })).status).toBe(
        401,
      );

      const events = expectStatus(
        await svc.http
          .get('/api/v1/audit/events')
          .query({ subjectId: first.body.issuanceId as string, action: 'vending.reprint' })
          .set(...auth(cast.auditor.key)),
        200,
      ).body.items as { details: Record<string, unknown> }[];
      expect(events.map((e) => e.details.by).sort()).toEqual([
        'idempotencyKey',
        'idempotencyKey',
        'requestId',
        'requestId',
      ]);
    });

    it('clears Idempotency-Keys after the retention period: a retry is then a new request, the issuance stays for reprints', async () => {
      const purge = svc.app.get(IdempotencyPurge);
      const hours = svc.app.get<VendingConfig>(VENDING_CONFIG).idempotencyHours;
      expect(hours).toBeGreaterThanOrEqual(24);
      const m = { ...meterA, drn: drn('0000000014') };
      const first = expectStatus(await credit(m, '3', 0, client.key, 'purge-1'), 201);
      let moved = 0;
      const advance = (ms: number) => {
        svc.clock.advance(ms);
        moved += ms;
      };
      try {
        // A minute before the retention ends: the key is kept, a retry is still a replay.
        advance(hours * 3_600_000 - 60_000);
        await purge.purge();
        const kept = expectStatus(await credit(m, '3', 0, client.key, 'purge-1'), 201);
        expect(kept.headers['idempotent-replayed']).toBe('true');
        expect(kept.body.issuanceId).toBe(first.body.issuanceId);
        expect((await credit(m, '9', 0, client.key, 'purge-1')).body.code).toBe(
          'IDEMPOTENCY_KEY_REUSED',
        );

        // Past the retention period: the key is cleared, the record stays.
        advance(120_000);
        expect(await purge.purge()).toBeGreaterThanOrEqual(1);
        const lookup = expectStatus(
          await svc.http
            .get('/api/v1/vending/issuances')
            .query({ idempotencyKey: 'purge-1' })
            .set(...auth(client.key)),
          200,
        );
        expect(lookup.body.items).toEqual([]);
        const reprint = expectStatus(
          await svc.http
            .get(`/api/v1/vending/issuances/${first.body.issuanceId as string}`)
            .set(...auth(client.key)),
          200,
        );
        expect(reprint.body).toEqual(first.body);
        // The same key now names a new request, with any payload.
        const fresh = expectStatus(await credit(m, '9', 0, client.key, 'purge-1'), 201);
        expect(fresh.headers['idempotent-replayed']).toBeUndefined();
        expect(fresh.body.issuanceId).not.toBe(first.body.issuanceId);
        expect(fresh.body.tids[0]).toBeGreaterThan(first.body.tids[0]);
        expect(await purge.purge()).toBe(0);
      } finally {
        svc.clock.advance(-moved);
      }
    });
  });

  describe('who may ask', () => {
    it('401 without a key, 403 for other roles, 403 OUT_OF_SCOPE outside the supply groups', async () => {
      expect(
        (
          await svc.http
            .post('/api/v1/vending/tokens/credit')
            .send({ meter: meterA, subclass: 0, amount: '1' })
        ).status,
      ).toBe(401);
      for (const key of [
        cast.officerA.key,
        cast.auditor.key,
        cast.custodians[0].key,
        svc.adminKey,
      ]) {
        const res = await credit(meterA, '1', 0, key);
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('FORBIDDEN');
      }
      const before = await vendingCounts(svc);
      for (const path of ['tokens/credit', 'derived-keys']) {
        const meter = { ...meterA, sgc: '654321' };
        const res = await post(
          path,
          narrow.key,
          path === 'derived-keys' ? { meter } : { meter, subclass: 0, amount: '1' },
        );
        expect(res.status).toBe(403);
        expect(res.body.code).toBe('OUT_OF_SCOPE');
      }
      const ch = await post('tokens/key-change', client.key, {
        meter: meterA,
        target: { sgc: '999999', krn: 1, tariffIndex: '01' },
      });
      expect(ch.body.code).toBe('OUT_OF_SCOPE');
      expect(await vendingCounts(svc)).toEqual(before);
    });

    it('limits each client to its rate (429 with Retry-After)', async () => {
      const statuses: number[] = [];
      let retryAfter: string | undefined;
      for (let i = 0; i < 6; i++) {
        const res = await credit({ ...meterA, drn: drn('0000000006') }, '1', 0, slow.key);
        statuses.push(res.status);
        if (res.status === 429) {
          retryAfter = res.headers['retry-after'];
          expect(res.body.code).toBe('RATE_LIMITED');
        }
      }
      expect(statuses.slice(0, 3)).toEqual([201, 201, 201]);
      expect(statuses.filter((s) => s === 201).length).toBeLessThanOrEqual(4);
      expect(statuses).toContain(429);
      expect(Number(retryAfter)).toBeGreaterThanOrEqual(1);
    });
  });

  describe('STS rules: 422 with a code, nothing recorded', () => {
    const cases: [string, () => Promise<Response>, string][] = [];
    const add = (name: string, run: () => Promise<Response>, code: string) =>
      cases.push([name, run, code]);
    add(
      'subclass not allowed',
      () => credit({ ...meterA, drn: drn('0000000007') }, '1', 1, narrow.key),
      'STS_SUBCLASS_NOT_ALLOWED',
    );
    add(
      'management not allowed',
      () => post('tokens/management', narrow.key, { meter: meterA, subclass: 0, value: 1 }),
      'STS_SUBCLASS_NOT_ALLOWED',
    );
    add(
      'key change not allowed',
      () =>
        post('tokens/key-change', narrow.key, {
          meter: meterA,
          target: { sgc: '123456', krn: 1, tariffIndex: '02' },
        }),
      'STS_SUBCLASS_NOT_ALLOWED',
    );
    add(
      'unit amount over the limit',
      () => credit(meterA, '500.1', 0),
      'STS_AMOUNT_LIMIT_EXCEEDED',
    );
    add(
      'currency amount over the limit',
      () => credit(meterA, '1000.00001', 4),
      'STS_AMOUNT_LIMIT_EXCEEDED',
    );
    add(
      'currency amount under the limit that the encoding rounds up past it (1000.02624)',
      () => credit(meterA, '999.99999', 4),
      'STS_AMOUNT_LIMIT_EXCEEDED',
    );
    add('unit amount with two decimals', () => credit(meterA, '1.25', 0), 'STS_INVALID_AMOUNT');
    add('EA the key does not allow', () => credit({ ...meterA, ea: '11' }), 'STS_EA_NOT_ALLOWED');
    add(
      'stated key type differs',
      () =>
        post('tokens/credit', client.key, {
          meter: { ...meterA, keyType: 3 },
          subclass: 0,
          amount: '1',
        }),
      'STS_KEY_PARAMETER_MISMATCH',
    );
    add(
      'stated base date differs',
      () => post('derived-keys', client.key, { meter: { ...meterA, baseDate: 1993 } }),
      'STS_KEY_PARAMETER_MISMATCH',
    );
    add('VDDK credit', () => credit({ ...meterA, sgc: '123457' }), 'STS_VDDK_KEY_CHANGE_ONLY');
    add(
      'VDDK management',
      () =>
        post('tokens/management', client.key, {
          meter: { ...meterA, sgc: '123457' },
          subclass: 5,
          value: 0,
        }),
      'STS_VDDK_KEY_CHANGE_ONLY',
    );
    add(
      'KEN does not cover the TID',
      () => credit({ ...meterA, sgc: '111111' }),
      'STS_KEY_EXPIRED',
    );
    add(
      'activation scheduled later',
      () => credit({ ...meterA, sgc: '111113' }),
      'STS_KEY_NOT_YET_ACTIVE',
    );
    add(
      'TID on the key base date past its range (1993 key today)',
      () => credit({ ...meterA, sgc: '777777' }),
      'STS_TID_OUT_OF_RANGE',
    );
    add(
      'key change across clusters',
      () =>
        post('tokens/key-change', client.key, {
          meter: meterA,
          target: { sgc: '654321', krn: 1, tariffIndex: '01' },
        }),
      'STS_CROSS_CLUSTER',
    );
    add(
      'key change to a VDDK',
      () =>
        post('tokens/key-change', client.key, {
          meter: meterA,
          target: { sgc: '123457', krn: 1, tariffIndex: '01' },
        }),
      'STS_VDDK_KEY_CHANGE_ONLY',
    );
    add(
      'key change that changes nothing',
      () =>
        post('tokens/key-change', client.key, {
          meter: meterA,
          target: { sgc: '123456', krn: 1, tariffIndex: '01' },
        }),
      'STS_KEY_CHANGE_INVALID',
    );

    it.each(cases.map(([name, , code]) => [name, code]))('%s -> %s', async (name) => {
      const [, run, code] = cases.find((c) => c[0] === name) as [
        string,
        () => Promise<Response>,
        string,
      ];
      const before = await vendingCounts(svc);
      const res = await run();
      expect(res.status).toBe(code === 'OUT_OF_SCOPE' ? 403 : 422);
      expect(res.body.code).toBe(code);
      expect(await vendingCounts(svc)).toEqual(before);
    });

    it('issue-until and suspension end issuing', async () => {
      const m = { ...meterA, sgc: '111112' };
      expectStatus(await credit(m), 201);
      svc.clock.advance(2 * 3_600_000);
      try {
        const res = await credit(m);
        expect(res.status).toBe(422);
        expect(res.body.code).toBe('STS_KEY_ISSUE_PERIOD_ENDED');
      } finally {
        svc.clock.advance(-2 * 3_600_000);
      }
      await dualControl(svc, cast, other.id, 'suspend');
      const suspended = await credit({ ...meterA, sgc: '654321' });
      expect(suspended.status).toBe(422);
      expect(suspended.body.code).toBe('STS_KEY_NOT_ACTIVE');
      await dualControl(svc, cast, other.id, 'reactivate');
      expectStatus(await credit({ ...meterA, sgc: '654321' }), 201);
      expect(limited.sgc).toBe('111112');
      expect(later.sgc).toBe('111113');
      expect(kenExpired.ken).toBeGreaterThan(0);
    });

    it('a suspended supply group issues nothing (tokens, derived keys, key changes) until it is active again', async () => {
      const m = { ...meterA, sgc: '654321', drn: drn('0000000012') };
      const meter = virtualMeter(other, m);
      const group = (state: string) =>
        svc.http
          .patch('/api/v1/supply-groups/654321')
          .set(...auth(cast.officerA.key))
          .send({ state });
      // The key row is cached now (for up to 1 s): the refusal must not depend on the cache.
      expect(meter.enter(expectStatus(await credit(m), 201).body.tokens[0].token).outcome).toBe(
        'CREDIT_ACCEPTED',
      );
      expectStatus(await group('suspended'), 200);
      try {
        const before = await vendingCounts(svc);
        const refused = [
          await credit(m),
          await post('tokens/management', client.key, { meter: m, subclass: 5, value: 0 }),
          await post('derived-keys', client.key, { meter: m }),
          await post('tokens/key-change', client.key, {
            meter: m,
            target: { sgc: '654321', krn: 1, tariffIndex: '02' },
          }),
          // Nor can meters be moved into it.
          await post('tokens/key-change', client.key, {
            meter: meterA,
            target: { sgc: '654321', krn: 1, tariffIndex: '01' },
          }),
        ];
        const outcome = (r: Response): unknown[] => [
          r.status,
          r.body.code,
          (r.body.details as { field?: string } | undefined)?.field,
        ];
        expect(refused.map(outcome)).toEqual([
          [422, 'STS_SUPPLY_GROUP_NOT_ACTIVE', 'meter.sgc'],
          [422, 'STS_SUPPLY_GROUP_NOT_ACTIVE', 'meter.sgc'],
          [422, 'STS_SUPPLY_GROUP_NOT_ACTIVE', 'meter.sgc'],
          [422, 'STS_SUPPLY_GROUP_NOT_ACTIVE', 'meter.sgc'],
          [422, 'STS_SUPPLY_GROUP_NOT_ACTIVE', 'target.sgc'],
        ]);
        expect(refused[0].body.details).toMatchObject({ sgc: '654321', state: 'suspended' });
        // Still refused once the key cache has expired (a fresh read sees the group too).
        await new Promise((r) => setTimeout(r, 1100));
        expect((await credit(m)).body.code).toBe('STS_SUPPLY_GROUP_NOT_ACTIVE');
        expect(await vendingCounts(svc)).toEqual(before);
      } finally {
        expectStatus(await group('active'), 200);
      }
      const again = expectStatus(await credit(m), 201);
      expect(meter.enter(again.body.tokens[0].token).outcome).toBe('CREDIT_ACCEPTED');
    });

    it('a scheduled supersession ends issuing under the old key at its time, without waiting for the sweep', async () => {
      // The suites run without the scheduler (schedulerSeconds 0): no sweep ever marks the key.
      const now = svc.clock.now();
      const at = new Date(now.getTime() + 3_600_000).toISOString();
      const next = await loadKey(svc, cast, {
        sgc: '654321',
        components: [DEV_COMPONENTS.des[1], DEV_COMPONENTS.des[2]],
        effectiveAt: at,
      });
      expect(next.krn).toBe(2);
      const m = { ...meterA, sgc: '654321', drn: drn('0000000015') };
      const meter = virtualMeter(other, m);
      expect(meter.enter(expectStatus(await credit(m), 201).body.tokens[0].token).outcome).toBe(
        'CREDIT_ACCEPTED',
      );
      expect((await credit({ ...m, krn: 2 })).body.code).toBe('STS_KEY_NOT_YET_ACTIVE');
      let moved = 0;
      try {
        svc.clock.advance(3_600_000 + 60_000);
        moved = 3_600_000 + 60_000;
        const before = await vendingCounts(svc);
        const refused = [
          await credit(m),
          await post('tokens/management', client.key, { meter: m, subclass: 5, value: 0 }),
          await post('derived-keys', client.key, { meter: m }),
        ];
        for (const r of refused) {
          expect([r.status, r.body.code]).toEqual([422, 'STS_KEY_NOT_ACTIVE']);
          expect(r.body.details).toMatchObject({ state: 'superseded', supersedeAt: at });
        }
        // Refused by the time, not by a stored state: the registry still says active.
        const row = expectStatus(
          await svc.http.get(`/api/v1/vending-keys/${other.id}`).set(...auth(cast.officerA.key)),
          200,
        );
        expect(row.body).toMatchObject({ state: 'active', supersedeAt: at });
        expect(await vendingCounts(svc)).toEqual(before);
        // Meters still move off it, and the new key vends.
        const set = expectStatus(
          await post('tokens/key-change', client.key, {
            meter: m,
            target: { sgc: '654321', krn: 2, tariffIndex: '01' },
          }),
          201,
        );
        for (const t of set.body.tokens as { token: string }[]) meter.enter(t.token);
        expect(meter.config.krn).toBe(2);
        const fresh = expectStatus(await credit({ ...m, krn: 2 }), 201);
        expect(meter.enter(fresh.body.tokens[0].token).outcome).toBe('CREDIT_ACCEPTED');
      } finally {
        svc.clock.advance(-moved);
      }
    });
  });

  describe('bad input and an unavailable token: nothing recorded', () => {
    it.each([
      [
        'meter.drn',
        { meter: { ...meterA, drn: badCheckDigit(meterA.drn) }, subclass: 0, amount: '1' },
      ],
      ['meter.iin', { meter: { ...meterA, iin: '12' }, subclass: 0, amount: '1' }],
      ['meter.krn', { meter: { ...meterA, krn: 10 }, subclass: 0, amount: '1' }],
      ['amount', { meter: meterA, subclass: 0 }],
      ['subclass', { meter: meterA, subclass: 8, amount: '1' }],
      ['meter', { subclass: 0, amount: '1' }],
      ['extra', { meter: meterA, subclass: 0, amount: '1', extra: true }],
    ])('400 naming %s', async (field, body) => {
      const before = await vendingCounts(svc);
      const res = await post('tokens/credit', client.key, body);
      expect(res.status).toBe(400);
      expect(res.body.code).toBe('VALIDATION_FAILED');
      expect((res.body.details.fields as { field: string }[]).map((f) => f.field)).toContain(field);
      expect(await vendingCounts(svc)).toEqual(before);
    });

    it('503 HSM_UNAVAILABLE when the token is gone, and nothing recorded', async () => {
      const m = { ...meterA, drn: drn('0000000008') };
      const before = await vendingCounts(svc);
      token.failing = true;
      try {
        for (const [path, body] of [
          ['tokens/credit', { meter: m, subclass: 0, amount: '1' }],
          ['tokens/management', { meter: m, subclass: 5, value: 0 }],
          ['derived-keys', { meter: m }],
        ] as const) {
          const res = await post(path, client.key, body);
          expect(res.status).toBe(503);
          expect(res.body.code).toBe('HSM_UNAVAILABLE');
        }
        const kc = await post('tokens/key-change', client.key, {
          meter: m,
          target: { sgc: '123456', krn: 1, tariffIndex: '02' },
        });
        expect(kc.status).toBe(503);
      } finally {
        token.failing = false;
      }
      expect(await vendingCounts(svc)).toEqual(before);
      expectStatus(await credit(m), 201);
    });
  });

  describe('key changes, applied by the virtual meter', () => {
    it('moves a meter to the next revision: new-key tokens accepted, old-key tokens refused', async () => {
      const m = { ...meterA, drn: drn('0000000009') };
      const meter = virtualMeter(k1, m);
      const before = expectStatus(await credit(m), 201);
      expect(meter.enter(before.body.tokens[0].token).outcome).toBe('CREDIT_ACCEPTED');
      const k2 = await loadKey(svc, cast, { sgc: '123456', components: DEV_COMPONENTS.des2 });
      expect(k2.krn).toBe(2);
      const set = expectStatus(
        await post(
          'tokens/key-change',
          client.key,
          { meter: m, target: { sgc: '123456', krn: 2, tariffIndex: '01' } },
          'kc-1',
        ),
        201,
      );
      expect(set.body.keyChange).toMatchObject({ ro: 0, newVendingKey: { krn: 2 } });
      expect(set.body.vendingKeyKcv).toBe(set.body.vendingKey.kcv);
      expect(set.body.tokens).toHaveLength(2);
      const outcomes = (set.body.tokens as { token: string }[]).map(
        (t) => meter.enter(t.token).outcome,
      );
      expect(outcomes).toEqual(['KEY_CHANGE_SECTION_STORED', 'KEY_CHANGED']);
      expect(meter.config.krn).toBe(2);
      const after = expectStatus(await credit({ ...m, krn: 2 }), 201);
      expect(after.body.tids[0]).toBeGreaterThan(before.body.tids[0]);
      expect(meter.enter(after.body.tokens[0].token).outcome).toBe('CREDIT_ACCEPTED');
      const oldKeyToken = buildCreditToken(testCipher(k1, m), {
        subclass: 0,
        tid: after.body.tids[0] + 1,
        amount: '1',
      });
      expect(meter.enter(oldKeyToken).outcome).toBe('REJECTED_CRC');
      // The superseded revision makes no more credit.
      const refused = await credit(m);
      expect(refused.body.code).toBe('STS_KEY_NOT_ACTIVE');
      k1 = k2;
    });

    it('moves a meter off its default key (VDDK) to a VUDK of another group in its cluster', async () => {
      const m: MeterParams = { ...meterA, drn: drn('0000000010'), sgc: '123457' };
      const meter = virtualMeter(vddk, m);
      const set = expectStatus(
        await post('tokens/key-change', client.key, {
          meter: m,
          target: { sgc: '123456', krn: k1.krn, tariffIndex: '02' },
        }),
        201,
      );
      for (const t of set.body.tokens as { token: string }[]) meter.enter(t.token);
      expect(meter.config).toMatchObject({ keyType: 2, krn: k1.krn, tariffIndex: '02' });
      const res = expectStatus(
        await credit({ ...m, sgc: '123456', krn: k1.krn, tariffIndex: '02' }),
        201,
      );
      expect(meter.enter(res.body.tokens[0].token).outcome).toBe('CREDIT_ACCEPTED');
    });

    it('rolls a 1993 meter over to a 2014 key with RO (EA11: four sections)', async () => {
      const m: MeterParams = { ...meterA, drn: drn('0000000011'), sgc: '777777', ea: '11' };
      const meter = virtualMeter(old93, m);
      const k2014 = await loadKey(svc, cast, { sgc: '777777', dkga: '04', baseDate: 2014 });
      const set = expectStatus(
        await post('tokens/key-change', client.key, {
          meter: { ...m, baseDate: 1993 },
          target: { sgc: '777777', krn: k2014.krn, tariffIndex: '01' },
        }),
        201,
      );
      expect(set.body.keyChange.ro).toBe(1);
      expect(set.body.tokens).toHaveLength(4);
      const outcomes = (set.body.tokens as { token: string }[]).map(
        (t) => meter.enter(t.token).outcome,
      );
      expect(outcomes[3]).toBe('KEY_CHANGED');
      meter.setBaseDate(2014);
      const res = expectStatus(await credit({ ...m, krn: k2014.krn }, '3', 0), 201);
      expect(meter.enter(res.body.tokens[0].token).outcome).toBe('CREDIT_ACCEPTED');
      const oldKeyToken = buildCreditToken(testCipher(old93, m), {
        subclass: 0,
        tid: res.body.tids[0] + 1,
        amount: '1',
      });
      expect(meter.enter(oldKeyToken).outcome).toBe('REJECTED_CRC');
    });
  });

  describe('afterwards', () => {
    it('never shows a key: no dev key value or decoder key in any response or log line', () => {
      const secrets = [
        ...allDevSecrets(),
        client.transportKeyHex,
        Buffer.from(decoderKeyOf(k1, meterA)).toString('hex'),
      ];
      const text = responses.map((r) => JSON.stringify(r.body)).join('\n') + svc.logs.join('\n');
      for (const s of secrets) expect(text.toLowerCase()).not.toContain(s.toLowerCase());
    });
  });
});
