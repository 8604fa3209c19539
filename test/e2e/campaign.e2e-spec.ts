import { buildCreditToken, createCipher, VirtualMeter } from '@sts/core';
import { HsmError, type KeyCustody } from '@sts/hsm';
import { forEachDatabase } from '../helpers/databases';
import { startService, type TestService } from '../helpers/key-service-app';
import { DEV_COMPONENTS } from '../helpers/key-material';
import { auth, type Cast, createCast, createSupplyGroup, expectStatus } from '../helpers/workflows';
import {
  csvOf,
  decoderKey,
  type KeyRef,
  meterIds,
  parseResults,
  planAndApprove,
  results,
  revision,
  runToEnd,
  waitForState,
} from './campaign-support';
import { ALL_ALLOWED, onboardClient } from './vending.support';

jest.setTimeout(900_000);

/** A custody whose next derivation waits until released: holds a worker inside a chunk. */
class Gate {
  armed = false;
  /** How many further derivations fail as if the token were unavailable. */
  failures = 0;
  /** Derivations for this DRN fail with an error that is not an outage (until cleared). */
  brokenDrn?: string;
  /** The gate holds the derivation after this many more (see holdAfter). */
  private armAfter?: number;
  entered!: Promise<void>;
  private enter!: () => void;
  private open?: () => void;
  private opened!: Promise<void>;

  arm(): void {
    this.armed = true;
    this.entered = new Promise((r) => (this.enter = r));
    this.opened = new Promise((r) => (this.open = r));
  }

  /** Like arm(), but the derivation held is the one after the next `count`. */
  holdAfter(count: number): void {
    this.arm();
    this.armed = false;
    this.armAfter = count;
  }

  release(): void {
    this.open?.();
  }

  wrap(inner: KeyCustody): KeyCustody {
    return new Proxy(inner, {
      get: (target, prop, receiver) => {
        const value: unknown = Reflect.get(target, prop, receiver);
        if (typeof value !== 'function') return value;
        const fn = (value as (...a: unknown[]) => unknown).bind(target);
        if (prop !== 'deriveDecoderKeys' && prop !== 'deriveDecoderKey') return fn;
        return async (...args: unknown[]) => {
          if (this.failures > 0) {
            this.failures -= 1;
            throw new HsmError('UNAVAILABLE', 'token unavailable (test)');
          }
          if (this.brokenDrn && JSON.stringify(args).includes(this.brokenDrn)) {
            throw new Error('the token answered nonsense (test)');
          }
          if (this.armAfter !== undefined && --this.armAfter < 0) {
            this.armAfter = undefined;
            this.armed = true;
          }
          if (this.armed) {
            this.armed = false;
            this.enter();
            await this.opened;
          }
          return fn(...args);
        };
      },
    });
  }
}

forEachDatabase('Rekey campaigns', (database) => {
  let svc: TestService;
  let cast: Cast;
  let krn1: KeyRef;
  let krn2: KeyRef;
  const gate = new Gate();
  const SGC = '123456';
  const plan = {
    name: 'KRN 1 to 2',
    from: { sgc: SGC, krn: 1, tariffIndex: '01', baseDate: 1993 },
    to: { sgc: SGC, krn: 2, tariffIndex: '01', baseDate: 1993 },
    ea: '07',
    chunkSize: 50,
  };

  beforeAll(async () => {
    svc = await startService({
      database,
      custody: (inner) => gate.wrap(inner),
      campaigns: { chunkAttempts: 3 },
    });
    cast = await createCast(svc);
    await createSupplyGroup(svc, cast, SGC);
    krn1 = await revision(svc, cast, SGC, 'des');
    krn2 = await revision(svc, cast, SGC, 'des', 1993, DEV_COMPONENTS.des.slice(1, 3));
  });

  afterAll(async () => {
    gate.release(); // a failed assertion must not leave a worker blocked in the gate
    await svc?.close();
  });

  const count = async (): Promise<number> =>
    (
      expectStatus(await svc.http.get('/api/v1/campaigns').set(...auth(cast.auditor.key)), 200)
        .body as { items: unknown[] }
    ).items.length;

  it('refuses plans that break STS rules with 422 and a code, bad input with 400 naming the field', async () => {
    const before = await count();
    const post = (body: object, key = cast.officerA.key) =>
      svc.http
        .post('/api/v1/campaigns')
        .set(...auth(key))
        .send(body);
    const cases: [object, number, string][] = [
      [{ ...plan, to: { ...plan.to, krn: 3 } }, 422, 'KRN_NOT_NEXT'],
      [
        { ...plan, from: { ...plan.from, krn: 2 }, to: { ...plan.to, krn: 3 } },
        422,
        'STS_KEY_NOT_ACTIVE',
      ],
      [
        { ...plan, from: { ...plan.from, krn: 2 }, to: { ...plan.to, krn: 1 } },
        422,
        'KRN_NOT_NEXT',
      ],
      [{ ...plan, to: { ...plan.to, baseDate: 2014 } }, 422, 'STS_KEY_PARAMETER_MISMATCH'],
      [{ ...plan, ea: '11' }, 422, 'STS_EA_NOT_ALLOWED'],
      [{ ...plan, to: { ...plan.to, sgc: '654321' } }, 404, 'NOT_FOUND'],
      [{ ...plan, from: { ...plan.from, sgc: '12345' } }, 400, 'VALIDATION_FAILED'],
      [{ ...plan, chunkSize: 0 }, 400, 'VALIDATION_FAILED'],
    ];
    for (const [body, status, code] of cases) {
      const res = await post(body);
      expect([res.status, res.body.code]).toEqual([status, code]);
    }
    const bad = await post({ ...plan, from: { ...plan.from, sgc: '12345' } });
    expect(bad.body.details.fields[0].field).toBe('from.sgc');
    expect((await post(plan, cast.auditor.key)).status).toBe(403);
    expect((await svc.http.post('/api/v1/campaigns').send(plan)).status).toBe(401);
    expect(await count()).toBe(before);
  });

  it('refuses a move across clusters', async () => {
    expectStatus(
      await svc.http
        .post('/api/v1/supply-groups')
        .set(...auth(cast.officerA.key))
        .send({ sgc: '223344', name: 'Other cluster', cluster: 'north' }),
      201,
    );
    await revision(svc, cast, '223344', 'des');
    const res = await svc.http
      .post('/api/v1/campaigns')
      .set(...auth(cast.officerA.key))
      .send({ ...plan, to: { sgc: '223344', krn: 1, tariffIndex: '01', baseDate: 1993 } });
    expect([res.status, res.body.code]).toEqual([422, 'STS_CROSS_CLUSTER']);
  });

  it('moves 1,000 virtual meters to KRN 2 with pause and resume; bad rows are reported per row', async () => {
    const meters = meterIds(1000);
    const badDrn = meters[0].drn.slice(0, -1) + String((Number(meters[0].drn.slice(-1)) + 1) % 10);
    const csv = csvOf(meters, [`600727,${badDrn}`, `600727,${meters[5].drn}`, 'x,y,z']);
    const planned = expectStatus(
      await svc.http
        .post('/api/v1/campaigns')
        .set(...auth(cast.officerA.key))
        .send(plan),
      201,
    );
    const id = planned.body.id as string;
    expect(planned.body).toMatchObject({ state: 'planned', ro: 0 });
    const wrongType = await svc.http
      .put(`/api/v1/campaigns/${id}/meters`)
      .set(...auth(cast.officerA.key))
      .set('Content-Type', 'application/json')
      .send({ meters: [] });
    expect([wrongType.status, wrongType.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    const unknownColumn = await svc.http
      .put(`/api/v1/campaigns/${id}/meters`)
      .set(...auth(cast.officerA.key))
      .set('Content-Type', 'text/csv')
      .send('iin,drn,colour\n600727,00000000009,red\n');
    expect([unknownColumn.status, unknownColumn.body.code]).toEqual([400, 'VALIDATION_FAILED']);
    const upload = expectStatus(
      await svc.http
        .put(`/api/v1/campaigns/${id}/meters`)
        .set(...auth(cast.officerA.key))
        .set('Content-Type', 'text/csv')
        .send(csv),
      200,
    );
    expect(upload.body.campaign.meters).toMatchObject({ uploaded: true, total: 1003, badRows: 3 });
    expect(upload.body.badRows).toEqual([
      { row: 1001, code: 'BAD_CHECK_DIGIT' },
      { row: 1002, code: 'DUPLICATE_METER' },
      { row: 1003, code: 'BAD_FIELD_COUNT' },
    ]);
    const again = await svc.http
      .put(`/api/v1/campaigns/${id}/meters`)
      .set(...auth(cast.officerA.key))
      .set('Content-Type', 'text/csv')
      .send(csv);
    expect([again.status, again.body.code]).toEqual([409, 'INVALID_STATE']);
    const notYet = await svc.http
      .post(`/api/v1/campaigns/${id}/start`)
      .set(...auth(cast.officerA.key));
    expect([notYet.status, notYet.body.code]).toEqual([409, 'INVALID_STATE']);
    const approval = upload.body.approval as { id: string; payloadHash: string; action: string };
    expect(approval.action).toBe('campaign.approve');
    const self = await svc.http
      .post(`/api/v1/approvals/${approval.id}/approve`)
      .set(...auth(cast.officerA.key))
      .send({ payloadHash: approval.payloadHash });
    expect([self.status, self.body.code]).toEqual([403, 'SELF_APPROVAL']);
    expectStatus(
      await svc.http
        .post(`/api/v1/approvals/${approval.id}/approve`)
        .set(...auth(cast.officerB.key))
        .send({ payloadHash: approval.payloadHash }),
      200,
    );
    expect((await waitForState(svc, cast.auditor.key, id, ['approved'])).state).toBe('approved');

    // Hold the worker inside the first chunk, pause, and check nothing was committed.
    gate.arm();
    const started = expectStatus(
      await svc.http.post(`/api/v1/campaigns/${id}/start`).set(...auth(cast.officerA.key)),
      200,
    );
    expect(started.body.state).toBe('running');
    await gate.entered;
    const paused = expectStatus(
      await svc.http.post(`/api/v1/campaigns/${id}/pause`).set(...auth(cast.officerA.key)),
      200,
    );
    // Nothing that needed a key was committed (a chunk of bad rows only may have been).
    expect(paused.body).toMatchObject({ state: 'paused', progress: { issued: 0 } });
    gate.release();
    const pending = parseResults(await results(svc, cast.officerA.key, id));
    expect(pending.filter((r) => r.status === 'pending')).toHaveLength(1000);
    const auditorResults = await svc.http
      .get(`/api/v1/campaigns/${id}/results`)
      .set(...auth(cast.auditor.key));
    expect(auditorResults.status).toBe(403);
    expectStatus(
      await svc.http.post(`/api/v1/campaigns/${id}/resume`).set(...auth(cast.officerA.key)),
      200,
    );
    const done = await waitForState(svc, cast.auditor.key, id, ['completed', 'failed']);
    expect(done).toMatchObject({
      state: 'completed',
      progress: { total: 1003, issued: 1000, failed: 3, pending: 0 },
    });

    const rows = parseResults(await results(svc, cast.officerA.key, id));
    expect(rows.map((r) => r.row)).toEqual(Array.from({ length: 1003 }, (_, i) => i + 1));
    expect(rows.slice(1000).map((r) => [r.status, r.reason])).toEqual([
      ['failed', 'BAD_CHECK_DIGIT'],
      ['failed', 'DUPLICATE_METER'],
      ['failed', 'BAD_FIELD_COUNT'],
    ]);
    const p = { keyType: 2 as const, sgc: SGC, tariffIndex: '01', ea: '07' as const };
    for (const [i, row] of rows.slice(0, 1000).entries()) {
      expect([row.iin, row.drn, row.status, row.tokens.length]).toEqual([
        meters[i].iin,
        meters[i].drn,
        'issued',
        2,
      ]);
      const oldKey = await decoderKey(svc.custody, krn1, meters[i], p);
      const newKey = await decoderKey(svc.custody, krn2, meters[i], p);
      const vm = new VirtualMeter({
        ea: '07',
        decoderKey: oldKey,
        keyType: 2,
        krn: 1,
        tariffIndex: '01',
        sgc: SGC,
        baseDate: 1993,
        ken: 255,
      });
      expect(row.tokens.map((t) => vm.enter(t).outcome)).toEqual([
        'KEY_CHANGE_SECTION_STORED',
        'KEY_CHANGED',
      ]);
      expect(vm.config.krn).toBe(2);
      const tid = 8_000_000 + i;
      expect(
        vm.enter(buildCreditToken(createCipher('07', oldKey), { subclass: 0, tid, amount: 5 }))
          .outcome,
      ).toBe('REJECTED_CRC');
      expect(
        vm.enter(
          buildCreditToken(createCipher('07', newKey), { subclass: 0, tid: tid + 1, amount: 5 }),
        ).outcome,
      ).toBe('CREDIT_ACCEPTED');
      oldKey.fill(0);
      newKey.fill(0);
    }

    const events = expectStatus(
      await svc.http
        .get('/api/v1/audit/events')
        .query({ subjectId: id, limit: 500 })
        .set(...auth(cast.auditor.key)),
      200,
    ).body.items as { action: string; details: Record<string, unknown> }[];
    const changes = events.filter((e) => e.action !== 'campaign.chunk').map((e) => e.action);
    expect(changes).toEqual([
      'campaign.plan',
      'campaign.meters.upload',
      'campaign.approve',
      'campaign.start',
      'campaign.pause',
      'campaign.resume',
      'campaign.complete',
    ]);
    const complete = events.find((e) => e.action === 'campaign.complete');
    expect(complete?.details).toMatchObject({ total: 1003, issued: 1000, failed: 3, pending: 0 });
    const chunkRows = events
      .filter((e) => e.action === 'campaign.chunk')
      .reduce((n, e) => n + (e.details.rows as number), 0);
    expect(chunkRows).toBe(1003);
  });

  it('cancels a planned campaign; a rejected approval closes it', async () => {
    const a = expectStatus(
      await svc.http
        .post('/api/v1/campaigns')
        .set(...auth(cast.officerA.key))
        .send(plan),
      201,
    );
    const cancelled = expectStatus(
      await svc.http
        .post(`/api/v1/campaigns/${a.body.id as string}/cancel`)
        .set(...auth(cast.officerA.key)),
      200,
    );
    expect(cancelled.body.state).toBe('cancelled');
    const twice = await svc.http
      .post(`/api/v1/campaigns/${a.body.id as string}/cancel`)
      .set(...auth(cast.officerA.key));
    expect([twice.status, twice.body.code]).toEqual([409, 'INVALID_STATE']);

    const b = expectStatus(
      await svc.http
        .post('/api/v1/campaigns')
        .set(...auth(cast.officerA.key))
        .send(plan),
      201,
    );
    const upload = expectStatus(
      await svc.http
        .put(`/api/v1/campaigns/${b.body.id as string}/meters`)
        .set(...auth(cast.officerA.key))
        .set('Content-Type', 'text/csv')
        .send(csvOf(meterIds(3))),
      200,
    );
    expectStatus(
      await svc.http
        .post(`/api/v1/approvals/${upload.body.approval.id as string}/reject`)
        .set(...auth(cast.officerB.key))
        .send({ reason: 'not now' }),
      200,
    );
    const closed = await waitForState(svc, cast.auditor.key, b.body.id as string, ['cancelled']);
    expect(closed.failureCode).toBe('APPROVAL_REJECTED');
    const unknown = await svc.http
      .get('/api/v1/campaigns/00000000-0000-4000-8000-000000000000')
      .set(...auth(cast.auditor.key));
    expect([unknown.status, unknown.body.code]).toEqual([404, 'NOT_FOUND']);
  });

  it('rolls meters over from 1993 keys to 2014 keys with RO: TID memory cleared, new-base tokens accepted', async () => {
    const sgc = '334455';
    await createSupplyGroup(svc, cast, sgc);
    const old = await revision(svc, cast, sgc, 'hmac', 1993);
    const next = await revision(svc, cast, sgc, 'hmac', 2014);
    const meters = meterIds(40, 5000);
    const rollover = {
      from: { sgc, krn: 1, tariffIndex: '01', baseDate: 1993 },
      to: { sgc, krn: 2, tariffIndex: '01', baseDate: 2014 },
      ea: '11',
      chunkSize: 10,
    };
    const { id, upload } = await planAndApprove(svc, cast, rollover, csvOf(meters));
    expect((upload.campaign as { ro: number }).ro).toBe(1);
    const done = await runToEnd(svc, cast, id);
    expect(done).toMatchObject({ state: 'completed', progress: { issued: 40, failed: 0 } });
    const rows = parseResults(await results(svc, cast.officerA.key, id));
    const p = (key: KeyRef) => ({
      keyType: 2 as const,
      sgc,
      tariffIndex: '01',
      ea: '11' as const,
      key,
    });
    for (const [i, row] of rows.entries()) {
      expect(row.tokens).toHaveLength(4);
      const oldKey = await decoderKey(svc.custody, old, meters[i], p(old));
      const newKey = await decoderKey(svc.custody, next, meters[i], p(next));
      const vm = new VirtualMeter({
        ea: '11',
        decoderKey: oldKey,
        keyType: 2,
        krn: 1,
        tariffIndex: '01',
        sgc,
        baseDate: 1993,
        ken: 255,
      });
      // A late 1993-base token (2024-11-24) fills the TID memory before the change.
      expect(
        vm.enter(
          buildCreditToken(createCipher('11', oldKey), { subclass: 0, tid: 16_777_000, amount: 1 }),
        ).outcome,
      ).toBe('CREDIT_ACCEPTED');
      expect(vm.tidMemory).toEqual([16_777_000]);
      expect(row.tokens.map((t) => vm.enter(t).outcome).at(-1)).toBe('KEY_CHANGED');
      expect(vm.tidMemory).toEqual([]);
      expect(vm.decoderKeyHex).toBe(Buffer.from(newKey).toString('hex'));
      // 2014-base TIDs are small: accepted only because RO cleared the memory.
      expect(
        vm.enter(
          buildCreditToken(createCipher('11', newKey), { subclass: 0, tid: 5_900_000, amount: 1 }),
        ).outcome,
      ).toBe('CREDIT_ACCEPTED');
      expect(
        vm.enter(
          buildCreditToken(createCipher('11', oldKey), { subclass: 0, tid: 5_900_001, amount: 1 }),
        ).outcome,
      ).toBe('REJECTED_CRC');
      oldKey.fill(0);
      newKey.fill(0);
    }
  });

  /** The campaign as an auditor reads it. */
  const read = async (id: string) =>
    expectStatus(await svc.http.get(`/api/v1/campaigns/${id}`).set(...auth(cast.auditor.key)), 200)
      .body as {
      state: string;
      failureCode: string | null;
      progress: {
        issued: number;
        failed: number;
        ratePerSecond: number;
        etaSeconds: number | null;
        stalled: { cause: string; since: string } | null;
        liveWorkers: number | null;
      };
    };

  /** Polls until `ok` holds for the campaign (generous limit; never a timing assertion). */
  const until = async (id: string, ok: (c: Awaited<ReturnType<typeof read>>) => boolean) => {
    const limit = Date.now() + 120_000;
    for (;;) {
      const c = await read(id);
      if (ok(c)) return c;
      if (Date.now() > limit)
        throw new Error(`campaign ${id} never got there: ${JSON.stringify(c)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };

  it('says stalled (hsm_unavailable) with no ETA while the token is out, and gives an ETA again once chunks commit', async () => {
    const meters = meterIds(60, 9500);
    const { id } = await planAndApprove(svc, cast, { ...plan, chunkSize: 10 }, csvOf(meters));
    gate.failures = 1_000_000;
    expectStatus(
      await svc.http.post(`/api/v1/campaigns/${id}/start`).set(...auth(cast.officerA.key)),
      200,
    );
    const stalled = await until(id, (c) => c.progress.stalled !== null);
    expect(stalled).toMatchObject({
      state: 'running',
      progress: {
        issued: 0,
        ratePerSecond: 0,
        etaSeconds: null,
        stalled: { cause: 'hsm_unavailable' },
        liveWorkers: 1,
      },
    });
    // The token is back; a few chunks commit, then one is held in the token: the campaign moves.
    // A chunk's meters derive together: one call for their current keys, one for their new keys.
    gate.holdAfter(4);
    gate.failures = 0;
    await gate.entered;
    const moving = await until(id, (c) => c.progress.issued > 0);
    expect(moving.state).toBe('running');
    expect(moving.progress.stalled).toBeNull();
    expect(moving.progress.ratePerSecond).toBeGreaterThan(0);
    expect(moving.progress.etaSeconds).toBeGreaterThan(0);
    gate.release();
    const done = await waitForState(svc, cast.auditor.key, id, ['completed', 'failed']);
    expect(done).toMatchObject({ state: 'completed', progress: { issued: 60, failed: 0 } });
    // Every retry was one log line naming its cause.
    const retries = svc.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.msg === 'campaign chunk retry' && l.campaignId === id);
    expect(retries.length).toBeGreaterThan(0);
    expect(new Set(retries.map((l) => l.cause))).toEqual(new Set(['hsm_unavailable']));
    const metrics = await svc.http.get('/metrics');
    expect(metrics.text).toMatch(
      /sts_campaign_chunk_retries_total\{cause="hsm_unavailable"\} [1-9]/,
    );
  });

  it('gives up a chunk that keeps failing after the configured tries: continue fails its meters with the reason', async () => {
    const meters = meterIds(30, 9700);
    const { id } = await planAndApprove(
      svc,
      cast,
      { ...plan, chunkSize: 10, onChunkFailure: 'continue' },
      csvOf(meters),
    );
    gate.brokenDrn = meters[14].drn;
    try {
      const done = await runToEnd(svc, cast, id);
      expect(done).toMatchObject({
        state: 'completed',
        progress: { issued: 20, failed: 10, pending: 0, chunksDone: 3 },
      });
    } finally {
      gate.brokenDrn = undefined;
    }
    const rows = parseResults(await results(svc, cast.officerA.key, id));
    expect(rows.map((r) => [r.row, r.status, r.reason])).toEqual(
      meters.map((_, i) =>
        i >= 10 && i < 20 ? [i + 1, 'failed', 'INTERNAL'] : [i + 1, 'issued', ''],
      ),
    );
    const lines = svc.logs
      .map((l) => JSON.parse(l) as Record<string, unknown>)
      .filter((l) => l.campaignId === id && String(l.msg).startsWith('campaign chunk'));
    expect(lines.map((l) => [l.msg, l.chunk, l.cause, l.retry ?? l.attempts])).toEqual([
      ['campaign chunk retry', 1, 'INTERNAL', 1],
      ['campaign chunk retry', 1, 'INTERNAL', 2],
      ['campaign chunk given up', 1, 'INTERNAL', 3],
    ]);
    const failed = expectStatus(
      await svc.http
        .get('/api/v1/audit/events')
        .query({ subjectId: id, action: 'campaign.chunk.fail' })
        .set(...auth(cast.auditor.key)),
      200,
    ).body.items as { details: Record<string, unknown> }[];
    expect(failed.map((e) => e.details)).toEqual([
      { chunk: 1, rows: 10, code: 'INTERNAL', attempts: 3 },
    ]);
  });

  it('pauses the campaign on a chunk that keeps failing when so planned; resume tries it again', async () => {
    const meters = meterIds(30, 9800);
    const { id } = await planAndApprove(svc, cast, { ...plan, chunkSize: 10 }, csvOf(meters));
    gate.brokenDrn = meters[25].drn;
    let paused;
    try {
      expectStatus(
        await svc.http.post(`/api/v1/campaigns/${id}/start`).set(...auth(cast.officerA.key)),
        200,
      );
      paused = await waitForState(svc, cast.auditor.key, id, ['paused', 'completed', 'failed']);
    } finally {
      gate.brokenDrn = undefined;
    }
    // The broken chunk (rows 21-30) stays pending; chunks of its batch may or may not have run.
    expect(paused).toMatchObject({
      state: 'paused',
      onChunkFailure: 'pause',
      failureCode: 'INTERNAL',
      progress: { failed: 0 },
    });
    const p = paused.progress as { issued: number; pending: number };
    expect(p.issued + p.pending).toBe(30);
    expect(p.pending).toBeGreaterThanOrEqual(10);
    expectStatus(
      await svc.http.post(`/api/v1/campaigns/${id}/resume`).set(...auth(cast.officerA.key)),
      200,
    );
    const done = await waitForState(svc, cast.auditor.key, id, ['completed', 'failed']);
    expect(done).toMatchObject({
      state: 'completed',
      failureCode: null,
      progress: { issued: 30, failed: 0 },
    });
  });

  it('keeps a run going through a token outage: the chunk is retried, nothing lost or doubled', async () => {
    const meters = meterIds(30, 9000);
    const { id } = await planAndApprove(svc, cast, { ...plan, chunkSize: 10 }, csvOf(meters));
    gate.failures = 3;
    const done = await runToEnd(svc, cast, id);
    expect(gate.failures).toBe(0);
    expect(done).toMatchObject({ state: 'completed', progress: { issued: 30, failed: 0 } });
    const rows = parseResults(await results(svc, cast.officerA.key, id));
    expect(rows.map((r) => [r.row, r.status, r.tokens.length])).toEqual(
      meters.map((_, i) => [i + 1, 'issued', 2]),
    );
    const chunks = (
      expectStatus(
        await svc.http
          .get('/api/v1/audit/events')
          .query({ subjectId: id, action: 'campaign.chunk', limit: 500 })
          .set(...auth(cast.auditor.key)),
        200,
      ).body.items as { details: { chunk: number } }[]
    )
      .map((e) => e.details.chunk)
      .sort((a, b) => a - b);
    expect(chunks).toEqual([0, 1, 2]);
  });

  it('carries TIDs forward without rollover: a meter that has a future TID under the old key accepts new-key credit after the campaign', async () => {
    const sgc = '556677';
    await createSupplyGroup(svc, cast, sgc);
    // 2014 keys: credit can be vended today (a 1993 key is past its 24-bit TID range).
    const old = await revision(svc, cast, sgc, 'des', 2014);
    const client = await onboardClient(svc, cast, 'campaign-vendor', [sgc], ALL_ALLOWED, false);
    const [m, fresh] = meterIds(2, 7000);
    const vend = (meter: { iin: string; drn: string }, krn: number) =>
      svc.http
        .post('/api/v1/vending/tokens/credit')
        .set(...auth(client.key))
        .send({
          meter: { ...meter, sgc, krn, tariffIndex: '01', ea: '07' },
          subclass: 0,
          amount: '1',
        });
    const p = { keyType: 2 as const, sgc, tariffIndex: '01', ea: '07' as const };
    const oldKey = await decoderKey(svc.custody, old, m, p);
    const vm = new VirtualMeter({
      ea: '07',
      decoderKey: oldKey,
      keyType: 2,
      krn: 1,
      tariffIndex: '01',
      sgc,
      baseDate: 2014,
      ken: 255,
    });
    // Five tokens in one minute take this minute and the next four: the last TID is ahead of now.
    const oldTids: number[] = [];
    for (let i = 0; i < 5; i++) {
      const res = expectStatus(await vend(m, 1), 201);
      oldTids.push(res.body.tids[0] as number);
      expect(vm.enter(res.body.tokens[0].token as string).outcome).toBe('CREDIT_ACCEPTED');
    }
    expect(oldTids.every((t, i) => i === 0 || t === oldTids[i - 1] + 1)).toBe(true);

    const next = await revision(svc, cast, sgc, 'des', 2014, DEV_COMPONENTS.des.slice(1, 3));
    const { id, upload } = await planAndApprove(
      svc,
      cast,
      {
        from: { sgc, krn: 1, tariffIndex: '01', baseDate: 2014 },
        to: { sgc, krn: 2, tariffIndex: '01', baseDate: 2014 },
        ea: '07',
        chunkSize: 10,
      },
      csvOf([m, fresh]),
    );
    expect((upload.campaign as { ro: number }).ro).toBe(0);
    const done = await runToEnd(svc, cast, id);
    expect(done).toMatchObject({ state: 'completed', progress: { issued: 2, failed: 0 } });
    const rows = parseResults(await results(svc, cast.officerA.key, id));
    expect(rows[0].tokens.map((t) => vm.enter(t).outcome)).toEqual([
      'KEY_CHANGE_SECTION_STORED',
      'KEY_CHANGED',
    ]);
    expect(vm.config.krn).toBe(2);
    // RO = 0: the meter kept its TID memory (the old key's five TIDs).
    expect(vm.tidMemory).toEqual(oldTids);

    // The first new-key token continues above the old key's TIDs, and the meter accepts it.
    const after = expectStatus(await vend(m, 2), 201);
    expect(vm.enter(after.body.tokens[0].token as string).outcome).toBe('CREDIT_ACCEPTED');
    expect(after.body.tids[0]).toBeGreaterThan(oldTids[4]);
    // A meter with no TID under the old key starts at the current minute.
    expectStatus(await vend(fresh, 2), 201);

    const chunks = expectStatus(
      await svc.http
        .get('/api/v1/audit/events')
        .query({ subjectId: id, action: 'campaign.chunk' })
        .set(...auth(cast.auditor.key)),
      200,
    ).body.items as { details: Record<string, unknown> }[];
    expect(chunks.map((e) => e.details.tidsCarried)).toEqual([1]);
    oldKey.fill(0);
    expect(next.krn).toBe(2);
  });

  it('refuses a plan for a suspended supply group, and fails a run whose group is suspended', async () => {
    const sgc = '556677'; // KRN 1 superseded, KRN 2 active (the test above)
    const group = (state: string) =>
      svc.http
        .patch(`/api/v1/supply-groups/${sgc}`)
        .set(...auth(cast.officerA.key))
        .send({ state });
    const rekey = {
      from: { sgc, krn: 1, tariffIndex: '01', baseDate: 2014 },
      to: { sgc, krn: 2, tariffIndex: '01', baseDate: 2014 },
      ea: '07',
      chunkSize: 10,
    };
    expectStatus(await group('suspended'), 200);
    try {
      const refused = await svc.http
        .post('/api/v1/campaigns')
        .set(...auth(cast.officerA.key))
        .send(rekey);
      expect([refused.status, refused.body.code, refused.body.details?.field]).toEqual([
        422,
        'STS_SUPPLY_GROUP_NOT_ACTIVE',
        'from.sgc',
      ]);
    } finally {
      expectStatus(await group('active'), 200);
    }
    const meters = meterIds(20, 7100);
    const { id } = await planAndApprove(svc, cast, rekey, csvOf(meters));
    expectStatus(await group('suspended'), 200);
    try {
      const done = await runToEnd(svc, cast, id);
      expect(done).toMatchObject({
        state: 'failed',
        failureCode: 'STS_SUPPLY_GROUP_NOT_ACTIVE',
        progress: { issued: 0 },
      });
      const rows = parseResults(await results(svc, cast.officerA.key, id));
      expect(rows.every((r) => r.status === 'cancelled' && r.tokens.length === 0)).toBe(true);
    } finally {
      expectStatus(await group('active'), 200);
    }
  });
});
