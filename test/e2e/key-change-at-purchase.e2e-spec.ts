import { buildCreditToken } from '@sts/core';
import { forEachDatabase } from '../helpers/databases';
import { startService, type TestService } from '../helpers/key-service-app';
import { DEV_COMPONENTS } from '../helpers/key-material';
import { auth, type Cast, createCast, createSupplyGroup, expectStatus } from '../helpers/workflows';
import { csvOf, parseResults, planAndApprove, results, runToEnd } from './campaign-support';
import {
  ALL_ALLOWED,
  drn,
  loadKey,
  type LoadedKey,
  type MeterParams,
  onboardClient,
  testCipher,
  vendingCounts,
  virtualMeter,
} from './vending.support';

interface Token {
  token: string;
  tokenClass: number;
  subclass: number;
  tid: number | null;
}

forEachDatabase('key change at the next purchase', (database) => {
  let svc: TestService;
  let cast: Cast;
  let client: { id: string; key: string };
  let krn1: LoadedKey;
  let krn2: LoadedKey;

  const meterOn = (body10: string): MeterParams => ({
    iin: '600727',
    drn: drn(body10),
    sgc: '600727',
    krn: 1,
    tariffIndex: '01',
    ea: '07',
  });
  const buy = (meter: MeterParams, extra: Record<string, unknown> = {}, idem?: string) => {
    const req = svc.http.post('/api/v1/vending/tokens/credit').set(...auth(client.key));
    if (idem) req.set('Idempotency-Key', idem);
    return req.send({ meter, subclass: 0, amount: '25.6', ...extra });
  };
  const register = (meter: MeterParams) =>
    svc.http
      .put(`/api/v1/meter-keys/${meter.iin}/${meter.drn}`)
      .set(...auth(client.key))
      .send({ sgc: meter.sgc, krn: meter.krn, tariffIndex: meter.tariffIndex, ea: meter.ea });
  const record = async (meter: MeterParams) =>
    expectStatus(
      await svc.http.get(`/api/v1/meter-keys/${meter.iin}/${meter.drn}`).set(...auth(client.key)),
      200,
    ).body as {
      krn: number;
      baseDate: number;
      source: string;
      lastKeyChange: { id: string; state: string } | null;
      keyChangeDue: unknown;
    };

  beforeAll(async () => {
    svc = await startService({ database });
    cast = await createCast(svc);
    await createSupplyGroup(svc, cast, '600727');
    krn1 = await loadKey(svc, cast, { sgc: '600727', baseDate: 1993 });
    client = await onboardClient(svc, cast, 'vendor', ['600727'], ALL_ALLOWED, false);
  });
  afterAll(async () => svc.close());

  it('a 1993 meter buys with auto after the rollover: key-change set, then credit under the new key', async () => {
    const m = meterOn('0000000101');
    expectStatus(await register(m), 200);
    // The 1993 base date ran out of TIDs in November 2024: KRN 1 can no longer vend.
    expect((await buy(m)).body.code).toBe('STS_TID_OUT_OF_RANGE');
    krn2 = await loadKey(svc, cast, {
      sgc: '600727',
      baseDate: 2014,
      components: [DEV_COMPONENTS.des[1], DEV_COMPONENTS.des[2]],
    });
    const meter = virtualMeter(krn1, m);
    const res = expectStatus(await buy(m, { keyChange: 'auto' }, 'sale-1'), 201);
    const tokens = res.body.tokens as Token[];
    expect(tokens.map((t) => [t.tokenClass, t.subclass])).toEqual([
      [2, 3],
      [2, 4],
      [0, 0],
    ]);
    expect(res.body.keyChange).toMatchObject({
      ro: 1,
      newVendingKey: { id: krn2.id, krn: 2, baseDate: 2014 },
      fromVendingKey: { id: krn1.id, krn: 1, baseDate: 1993 },
      newTariffIndex: '01',
      reason: 'superseded',
    });
    expect(res.body.vendingKey).toMatchObject({ id: krn2.id, krn: 2 });
    expect(meter.enter(tokens[0].token).outcome).toBe('KEY_CHANGE_SECTION_STORED');
    expect(meter.enter(tokens[1].token).outcome).toBe('KEY_CHANGED');
    meter.setBaseDate(2014);
    expect(meter.enter(tokens[2].token).outcome).toBe('CREDIT_ACCEPTED');

    expect(await record(m)).toMatchObject({
      krn: 2,
      baseDate: 2014,
      source: 'key-change',
      lastKeyChange: { id: res.body.issuanceId, state: 'issued' },
      keyChangeDue: null,
    });

    // One audit event per kind of token, both naming the issuance: the set, then the credit.
    const events = expectStatus(
      await svc.http
        .get(`/api/v1/audit/events?subjectId=${res.body.issuanceId as string}`)
        .set(...auth(cast.auditor.key)),
      200,
    ).body.items as { action: string; details: Record<string, unknown> }[];
    expect(events.map((e) => [e.action, e.details.krn, e.details.tokens])).toEqual([
      ['vending.token.key-change', 1, 2],
      ['vending.token.credit', 2, 1],
    ]);
    expect(events[0].details).toMatchObject({ ro: 1, toKrn: 2, reason: 'superseded' });
    expect(events[1].details).toMatchObject({ tids: [tokens[2].tid] });

    // Idempotent and reprintable as a whole.
    const counts = await vendingCounts(svc);
    const again = expectStatus(await buy(m, { keyChange: 'auto' }, 'sale-1'), 201);
    expect(again.headers['idempotent-replayed']).toBe('true');
    expect(again.body).toEqual(res.body);
    expect(await vendingCounts(svc)).toEqual(counts);
    const reprint = expectStatus(
      await svc.http
        .get(`/api/v1/vending/issuances/${res.body.issuanceId as string}`)
        .set(...auth(client.key)),
      200,
    );
    expect(reprint.body.tokens).toEqual(res.body.tokens);

    // The next purchase is a plain credit under the new key, whatever the client still states.
    const later = expectStatus(await buy(m, { keyChange: 'auto' }), 201);
    expect(later.body.tokens).toHaveLength(1);
    expect(later.body.keyChange).toBeUndefined();
    expect(later.body.vendingKey.krn).toBe(2);
    expect(meter.enter(later.body.tokens[0].token).outcome).toBe('CREDIT_ACCEPTED');

    // A token under the old key is refused by the meter.
    const old = buildCreditToken(testCipher(krn1, m), {
      subclass: 0,
      tid: 16_000_000,
      amount: '1',
    });
    expect(meter.enter(old).outcome).toBe('REJECTED_CRC');
  });

  it('a meter without a registry row is moved from the key the request states', async () => {
    const m = meterOn('0000000102');
    const meter = virtualMeter(krn1, m);
    const res = expectStatus(await buy(m, { keyChange: 'auto' }), 201);
    const outcomes = (res.body.tokens as Token[]).map((t, i) => {
      if (i === 2) meter.setBaseDate(2014);
      return meter.enter(t.token).outcome;
    });
    expect(outcomes).toEqual(['KEY_CHANGE_SECTION_STORED', 'KEY_CHANGED', 'CREDIT_ACCEPTED']);
    expect((await record(m)).krn).toBe(2);
  });

  it('a refused set is handed out again, the same tokens, with a fresh credit', async () => {
    const m = meterOn('0000000103');
    expectStatus(await register(m), 200);
    const first = expectStatus(await buy(m, { keyChange: 'auto' }), 201);
    const firstTokens = first.body.tokens as Token[];
    // The customer never entered anything; the meter still holds KRN 1.
    expectStatus(
      await svc.http
        .post(`/api/v1/meter-keys/${m.iin}/${m.drn}/key-change-refusals`)
        .set(...auth(client.key))
        .send({ changeId: first.body.issuanceId }),
      200,
    );
    expect(await record(m)).toMatchObject({
      krn: 1,
      source: 'refused',
      lastKeyChange: { id: first.body.issuanceId, state: 'refused' },
      keyChangeDue: { krn: 2, reason: 'refused-change' },
    });
    const second = expectStatus(await buy(m, { keyChange: 'auto' }), 201);
    const secondTokens = second.body.tokens as Token[];
    expect(second.body.keyChange).toMatchObject({
      reason: 'refused-change',
      reprintOf: first.body.issuanceId,
    });
    expect(secondTokens.slice(0, 2)).toEqual(firstTokens.slice(0, 2));
    expect(secondTokens[2].tid).toBeGreaterThan(firstTokens[2].tid as number);
    const meter = virtualMeter(krn1, m);
    expect(meter.enter(secondTokens[0].token).outcome).toBe('KEY_CHANGE_SECTION_STORED');
    expect(meter.enter(secondTokens[1].token).outcome).toBe('KEY_CHANGED');
    meter.setBaseDate(2014);
    expect(meter.enter(secondTokens[2].token).outcome).toBe('CREDIT_ACCEPTED');
    expect((await record(m)).lastKeyChange).toMatchObject({
      id: second.body.issuanceId,
      state: 'issued',
    });
  });

  it('without auto, a token under a superseded revision that still issues says which key change is due', async () => {
    await createSupplyGroup(svc, cast, '600728');
    const until = new Date(svc.clock.now().getTime() + 30 * 86_400_000).toISOString();
    const old = await loadKey(svc, cast, { sgc: '600728', issueUntil: until });
    const next = await loadKey(svc, cast, {
      sgc: '600728',
      components: [DEV_COMPONENTS.des[0], DEV_COMPONENTS.des[2]],
    });
    const local = await onboardClient(svc, cast, 'vendor-2', ['600728'], ALL_ALLOWED, false);
    const m = { ...meterOn('0000000104'), sgc: '600728' };
    const res = expectStatus(
      await svc.http
        .post('/api/v1/vending/tokens/credit')
        .set(...auth(local.key))
        .send({ meter: m, subclass: 0, amount: '5' }),
      201,
    );
    expect(res.body.vendingKey).toMatchObject({ id: old.id, krn: 1 });
    expect(res.body.keyChangeDue).toEqual({
      sgc: '600728',
      krn: 2,
      tariffIndex: '01',
      baseDate: 2014,
      vendingKeyId: next.id,
      reason: 'superseded',
      ro: 0,
    });
    expect(virtualMeter(old, m).enter(res.body.tokens[0].token).outcome).toBe('CREDIT_ACCEPTED');
    // With auto the same meter moves, its TIDs carried over (same base date: no rollover).
    const moved = expectStatus(
      await svc.http
        .post('/api/v1/vending/tokens/credit')
        .set(...auth(local.key))
        .send({ meter: m, subclass: 0, amount: '5', keyChange: 'auto' }),
      201,
    );
    expect(moved.body.keyChange.ro).toBe(0);
    expect(moved.body.tokens[2].tid).toBeGreaterThan(res.body.tokens[0].tid);
  });

  it('refuses a key change at purchase for a client whose profile allows none, changing nothing', async () => {
    const narrow = await onboardClient(
      svc,
      cast,
      'narrow',
      ['600727'],
      { ...ALL_ALLOWED, keyChangeAllowed: false },
      false,
    );
    const m = meterOn('0000000105');
    const before = await vendingCounts(svc);
    const res = await svc.http
      .post('/api/v1/vending/tokens/credit')
      .set(...auth(narrow.key))
      .send({ meter: m, subclass: 0, amount: '5', keyChange: 'auto' });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('STS_SUBCLASS_NOT_ALLOWED');
    expect(await vendingCounts(svc)).toEqual(before);
    const bad = await buy(m, { keyChange: 'always' });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(bad.body)).toContain('keyChange');
  });

  it('a campaign leaves meters moved at purchase alone, and purchases do not move its meters twice', async () => {
    const sgc = '600729';
    await createSupplyGroup(svc, cast, sgc);
    const until = new Date(svc.clock.now().getTime() + 30 * 86_400_000).toISOString();
    const old = await loadKey(svc, cast, { sgc, issueUntil: until });
    const local = await onboardClient(svc, cast, 'vendor-3', [sgc], ALL_ALLOWED, false);
    const meters = ['0000000201', '0000000202', '0000000203'].map((b) => ({
      ...meterOn(b),
      sgc,
    }));
    const localBuy = (m: MeterParams) =>
      svc.http
        .post('/api/v1/vending/tokens/credit')
        .set(...auth(local.key))
        .send({ meter: m, subclass: 0, amount: '2', keyChange: 'auto' });
    const next = await loadKey(svc, cast, {
      sgc,
      components: [DEV_COMPONENTS.des[0], DEV_COMPONENTS.des[2]],
    });
    const [a, b] = meters;
    const vmA = virtualMeter(old, a);
    const atPurchase = expectStatus(await localBuy(a), 201);
    for (const t of atPurchase.body.tokens as Token[]) vmA.enter(t.token);
    const { id, upload } = await planAndApprove(
      svc,
      cast,
      {
        name: 'KRN 1 to 2, stored meters',
        from: { sgc, krn: 1, tariffIndex: '01', baseDate: 2014 },
        to: { sgc, krn: 2, tariffIndex: '01', baseDate: 2014 },
        ea: '07',
        chunkSize: 10,
      },
      csvOf(meters),
    );
    expect((upload.campaign as { meters: { movedAtUpload: number } }).meters.movedAtUpload).toBe(1);
    const done = await runToEnd(svc, cast, id);
    expect(done).toMatchObject({
      state: 'completed',
      progress: { issued: 2, moved: 1, failed: 0, percent: 100 },
    });
    const rows = parseResults(await results(svc, cast.officerA.key, id));
    expect(rows.map((r) => [r.drn, r.status, r.reason, r.tokens.length])).toEqual([
      [a.drn, 'moved', 'MOVED_AT_PURCHASE', 0],
      [b.drn, 'issued', '', 2],
      [meters[2].drn, 'issued', '', 2],
    ]);
    const recordB = await svc.http
      .get(`/api/v1/meter-keys/${b.iin}/${b.drn}`)
      .set(...auth(local.key));
    expect(recordB.body).toMatchObject({
      krn: 2,
      vendingKeyId: next.id,
      source: 'campaign',
      lastKeyChange: { id, state: 'issued' },
    });
    // Meter B entered the campaign's set; its next purchase is a plain credit under KRN 2.
    const vmB = virtualMeter(old, b);
    for (const t of rows[1].tokens) vmB.enter(t);
    const later = expectStatus(await localBuy(b), 201);
    expect(later.body.tokens).toHaveLength(1);
    expect(later.body.vendingKey.krn).toBe(2);
    expect(vmB.enter(later.body.tokens[0].token).outcome).toBe('CREDIT_ACCEPTED');
    expect(vmA.enter(expectStatus(await localBuy(a), 201).body.tokens[0].token).outcome).toBe(
      'CREDIT_ACCEPTED',
    );
  });
});
