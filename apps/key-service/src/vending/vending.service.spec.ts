import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { tidFromDate, withCheckDigit } from '@sts/core';
import { Test, type TestingModule } from '@nestjs/testing';
import { KEY_CUSTODY, type KeyCustody } from '@sts/hsm';
import { DataSource } from 'typeorm';
import { type AuditInput, AuditService } from '../audit/audit.service';
import type { AuthenticatedPrincipal } from '../auth/authenticated-principal';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { ErrorCode } from '../common/error-codes';
import { JsonLogger } from '../common/json-logger';
import { runWithContext } from '../common/request-context';
import { insertBulk } from '../database/bulk-rows';
import { TransactionRunner } from '../database/transaction-runner';
import { InitialSchema1732550000000 } from '../database/migrations/1732550000000-initial-schema';
import { VendingSchema1732600000000 } from '../database/migrations/1732600000000-vending-schema';
import { RecoveryRestores1735000000000 } from '../database/migrations/1735000000000-recovery-restores';
import { IssuanceTypedColumns1736100000000 } from '../database/migrations/1736100000000-issuance-typed-columns';
import type { CustodyReport } from '../recovery/custody-verification';
import { RecoveryState } from '../recovery/recovery-state';
import { SupplyGroup } from '../supply-groups/supply-group.entity';
import { VendingKey } from '../vending-keys/vending-key.entity';
import { VendingClientsService } from './clients/vending-clients.service';
import { Issuance } from './issuance/issuance.entity';
import { IssuancePipeline } from './issuance/issuance-pipeline';
import { KeyChangeIssuer } from './issuance/key-change-issuer';
import { KEY_CACHE_MS, KeyLookup } from './keys/key-lookup';
import { TidAllocator } from './tid-allocation/tid-allocator';
import { MeterKeyMoves } from '../meter-keys/meter-key-moves';
import { VendingService } from './vending.service';

/** A clock the test moves forward without sleeping. */
class OffsetClock extends Clock {
  private offsetMs = 0;
  override now(): Date {
    return new Date(Date.now() + this.offsetMs);
  }
  advance(ms: number): void {
    this.offsetMs += ms;
  }
}

/**
 * The issuing pipeline on SQLite with the HSM and the audit trail replaced: group commit, the
 * request id of each audit event, and the vending-key cache with its in-transaction re-check.
 */
describe('VendingService issuance', () => {
  const SGC = '600727';
  const client: AuthenticatedPrincipal = {
    id: randomUUID(),
    name: 'vendor',
    roles: ['vending-client'],
    sgcScope: [SGC],
  };
  let dir: string;
  let ds: DataSource;
  let module: TestingModule;
  let service: VendingService;
  let recovery: RecoveryState;
  const audited: { input: AuditInput; requestId: string }[] = [];
  const derivedWith: string[] = [];

  const custody: Pick<KeyCustody, 'deriveDecoderKey' | 'deriveDecoderKeys'> = {
    deriveDecoderKey: (label: string) => {
      derivedWith.push(label);
      return Promise.resolve(new Uint8Array([1, 35, 69, 103, 137, 171, 205, 239]));
    },
    deriveDecoderKeys: (label, inputs) =>
      Promise.all(inputs.map((input) => custody.deriveDecoderKey(label, input))),
  };
  const audit: Pick<AuditService, 'recordForRequests'> = {
    recordForRequests: async (em, events, alongside) => {
      for (const rows of alongside ?? []) await insertBulk(em, rows);
      audited.push(...events);
    },
  };
  const clients: Pick<VendingClientsService, 'profile'> = {
    profile: () =>
      Promise.resolve({
        principalId: client.id,
        creditSubclasses: [0],
        managementSubclasses: [],
        testSubclasses: [],
        keyChangeAllowed: false,
        maxUnitAmount: null,
        maxCurrencyAmount: null,
        ratePerSecond: 1000,
        burst: 1000,
      }),
  };
  const clock = new OffsetClock();

  const meter = (n: number) => ({
    iin: '600727',
    drn: withCheckDigit(String(1_000_000_000 + n)),
    sgc: SGC,
    krn: 1,
    tariffIndex: '01',
    ea: '07' as const,
  });
  const credit = (n: number) =>
    service.credit(client, {
      meter: meter(n),
      subclass: 0,
      amount: '1',
    });
  const issuances = async () =>
    Number((await ds.query<{ n: number }[]>('SELECT COUNT(*) AS n FROM vending_issuances'))[0].n);

  async function insertKey(id: string, label: string, liveKrn: number | null): Promise<void> {
    const now = new Date().toISOString();
    await ds.query(
      'INSERT INTO vending_keys (id, supply_group_id, sgc, krn, live_krn, key_type, dkga, ' +
        'key_length_bytes, allowed_eas, base_date, ken, activate_at, issue_until, expires_at, ' +
        'state, expected_kcv, kcv, token_label, load_method, supersedes_id, supersede_at, ' +
        'created_by, created_at, updated_at, destroyed_at, version) VALUES ' +
        "(?, ?, ?, 1, ?, 'VUDK', '02', 8, '07', 2014, 255, NULL, NULL, NULL, 'active', 'abcdef', " +
        "'abcdef', ?, 'ceremony', NULL, NULL, 'test', ?, ?, NULL, 1)",
      [id, 'sg-1', SGC, liveKrn, label, now, now],
    );
  }

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sts-vending-service-'));
    ds = new DataSource({
      type: 'better-sqlite3',
      database: join(dir, 'vending.sqlite'),
      entities: [VendingKey, SupplyGroup, Issuance],
      migrations: [
        InitialSchema1732550000000,
        VendingSchema1732600000000,
        RecoveryRestores1735000000000,
        IssuanceTypedColumns1736100000000,
      ],
    });
    await ds.initialize();
    await ds.runMigrations();
    const tx = new TransactionRunner(ds);
    recovery = new RecoveryState(tx, new JsonLogger('error'));
    await recovery.onModuleInit();
    const now = new Date().toISOString();
    await ds.query(
      "INSERT INTO supply_groups (id, sgc, name, cluster, state, pending_revision_id, created_at, updated_at, version) VALUES ('sg-1', ?, 'Test', NULL, 'active', NULL, ?, ?, 1)",
      [SGC, now, now],
    );
    await insertKey('key-1', 'label-1', 1);
    module = await Test.createTestingModule({
      providers: [
        VendingService,
        IssuancePipeline,
        KeyLookup,
        MeterKeyMoves,
        { provide: TransactionRunner, useValue: tx },
        { provide: RecoveryState, useValue: recovery },
        { provide: Clock, useValue: clock },
        { provide: TidAllocator, useValue: new TidAllocator(60) },
        { provide: AuditService, useValue: audit },
        { provide: VendingClientsService, useValue: clients },
        { provide: KeyChangeIssuer, useValue: {} },
        { provide: KEY_CUSTODY, useValue: custody },
      ],
    }).compile();
    service = module.get(VendingService);
  });
  afterAll(async () => {
    await module.close();
    await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  it('gives concurrent requests consecutive TIDs and each audit event its own request id', async () => {
    audited.length = 0;
    const results = await Promise.all(
      ['req-a', 'req-b', 'req-c'].map((requestId) =>
        runWithContext({ requestId }, () => credit(1)),
      ),
    );
    const tids = results.map((r) => r.body.tids[0]);
    expect(tids[1]).toBe(tids[0] + 1);
    expect(tids[2]).toBe(tids[0] + 2);
    expect(audited.map((a) => [a.requestId, a.input.subjectId])).toEqual(
      ['req-a', 'req-b', 'req-c'].map((id, i) => [id, results[i].body.issuanceId]),
    );
    const rows = await ds.query<{ request_id: string }[]>(
      'SELECT request_id FROM vending_issuances ORDER BY created_at, request_id',
    );
    expect(rows.map((r) => r.request_id).sort()).toEqual(['req-a', 'req-b', 'req-c']);
  });

  it('isolates a refused request of a batch: the others commit, it gets its own error', async () => {
    // Meter 4 has 60 tokens ahead already (the window), meter 5 none.
    const m4 = meter(4);
    const nowTid = Math.floor((Date.now() - Date.UTC(2014, 0, 1)) / 60_000);
    await ds.query(
      'INSERT INTO vending_tid_allocations (vending_key_id, iin, drn, last_tid, updated_at) VALUES (?, ?, ?, ?, ?)',
      ['key-1', m4.iin, m4.drn, nowTid + 59, new Date().toISOString()],
    );
    const before = await issuances();
    const outcomes = await Promise.all(
      [5, 4, 5].map((n) =>
        credit(n).then(
          (r) => r.body.tids[0],
          (e: unknown) => e,
        ),
      ),
    );
    expect(outcomes[1]).toMatchObject({ code: ErrorCode.STS_TID_WINDOW_EXHAUSTED });
    expect(outcomes[2]).toBe((outcomes[0] as number) + 1);
    expect(await issuances()).toBe(before + 2);
  });

  it('refuses a key suspended after it was cached (the batch re-reads it), and issues again once reactivated', async () => {
    await credit(2); // the key row is now cached
    await ds.query("UPDATE vending_keys SET state = 'suspended', version = version + 1");
    const before = await issuances();
    const refused = await credit(2).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe(ErrorCode.STS_KEY_NOT_ACTIVE);
    expect(await issuances()).toBe(before);
    await ds.query("UPDATE vending_keys SET state = 'active', version = version + 1");
    expect((await credit(2)).body.kind).toBe('credit');
  });

  it('decides again on a fresh read when another key took the cached live KRN', async () => {
    await credit(3); // caches key-1 as SGC 600727 KRN 1
    await ds.query("UPDATE vending_keys SET live_krn = NULL, state = 'superseded'");
    await insertKey('key-2', 'label-2', 1);
    derivedWith.length = 0;
    const result = await credit(3);
    expect(result.body.vendingKey?.id).toBe('key-2');
    expect(derivedWith).toEqual(['label-1', 'label-2']);
  });

  it('refuses a cached key once its supply group is suspended (the batch re-reads the group), and issues again once active', async () => {
    await credit(6); // the live key row is now cached, its group active
    await ds.query("UPDATE supply_groups SET state = 'suspended', version = version + 1");
    const before = await issuances();
    derivedWith.length = 0;
    const refused = await credit(6).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe(ErrorCode.STS_SUPPLY_GROUP_NOT_ACTIVE);
    expect((refused as DomainError).details).toMatchObject({ sgc: SGC, state: 'suspended' });
    // Decided on the cached row first (the token work ran), refused by the in-transaction read.
    expect(derivedWith).toHaveLength(1);
    expect(await issuances()).toBe(before);
    // A fresh read refuses too, before any token work.
    derivedWith.length = 0;
    clock.advance(KEY_CACHE_MS + 100);
    const again = await credit(6).catch((e: unknown) => e);
    expect((again as DomainError).code).toBe(ErrorCode.STS_SUPPLY_GROUP_NOT_ACTIVE);
    expect(derivedWith).toHaveLength(0);
    await ds.query("UPDATE supply_groups SET state = 'active', version = version + 1");
    expect((await credit(6)).body.kind).toBe('credit');
    expect(await issuances()).toBe(before + 1);
  });

  it('stops a cached key at its scheduled supersession, before any sweep has marked it superseded', async () => {
    await credit(7); // cached, no supersession scheduled
    const past = new Date(Date.now() - 1000).toISOString();
    await ds.query("UPDATE vending_keys SET supersede_at = ? WHERE state = 'active'", [past]);
    const before = await issuances();
    const refused = await credit(7).catch((e: unknown) => e);
    expect((refused as DomainError).code).toBe(ErrorCode.STS_KEY_NOT_ACTIVE);
    expect((refused as DomainError).details).toMatchObject({
      state: 'superseded',
      supersedeAt: past,
    });
    expect(await issuances()).toBe(before);
    const future = new Date(Date.now() + 3_600_000).toISOString();
    await ds.query("UPDATE vending_keys SET supersede_at = ? WHERE state = 'active'", [future]);
    expect((await credit(7)).body.kind).toBe('credit');
    await ds.query("UPDATE vending_keys SET supersede_at = NULL WHERE state = 'active'");
  });
  it('counts TIDs from the TID floor a restore set, not from the clock, while the floor is ahead', async () => {
    const floor = new Date(Date.now() + 30 * 60_000);
    recovery.raiseFloor(floor);
    const [first, second] = await Promise.all([credit(8), credit(8)]);
    const floorTid = tidFromDate(floor, 2014);
    expect(first.body.tids[0]).toBeGreaterThanOrEqual(floorTid);
    expect(Math.max(first.body.tids[0], second.body.tids[0])).toBe(
      Math.min(first.body.tids[0], second.body.tids[0]) + 1,
    );
    expect(tidFromDate(new Date(), 2014)).toBeLessThan(floorTid);
  });

  it('refuses a key that failed the custody check with 503 KEY_CUSTODY_FAILED until a passing check', async () => {
    const [live] = await ds.query<{ id: string; token_label: string }[]>(
      'SELECT id, token_label FROM vending_keys WHERE live_krn = 1',
    );
    const report = (ok: boolean): CustodyReport => ({
      ok,
      checkedAt: new Date().toISOString(),
      token: 'test',
      keys: [
        ok
          ? {
              kind: 'vending-key',
              id: live.id,
              label: live.token_label,
              state: 'active',
              ok,
              problems: [],
            }
          : {
              kind: 'vending-key',
              id: live.id,
              label: live.token_label,
              state: 'active',
              sgc: SGC,
              krn: 1,
              ok,
              failure: 'MISSING',
              problems: [`no key labelled ${live.token_label} in the token`],
            },
        {
          kind: 'vending-key',
          id: 'other',
          label: 'other-label',
          state: 'active',
          ok: true,
          problems: [],
        },
      ],
      unexpected: [],
      summary: { referenced: 2, verified: ok ? 2 : 1, failed: ok ? 0 : 1, unexpected: 0 },
    });
    recovery.applyCustodyReport(report(false));
    const before = await issuances();
    const refused = await credit(9).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe(ErrorCode.KEY_CUSTODY_FAILED);
    expect((refused as DomainError).details).toMatchObject({
      field: 'meter.krn',
      vendingKeyId: live.id,
      failure: 'MISSING',
    });
    expect(await issuances()).toBe(before);
    recovery.applyCustodyReport(report(true));
    expect((await credit(9)).body.kind).toBe('credit');
  });
});
