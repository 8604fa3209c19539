import { randomUUID } from 'node:crypto';
import {
  Inject,
  Injectable,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import {
  buildCreditToken,
  buildManagementToken,
  buildTestToken,
  type BaseDate,
  createCipher,
  MANAGEMENT_SUBCLASS_NAMES,
  tidFromDate,
  type CreditSubclass,
  type TokenCipher,
} from '@sts/core';
import { KEY_CUSTODY, type KeyCustody } from '@sts/hsm';
import { IsNull, LessThan, Not, type EntityManager } from 'typeorm';
import { type AuditInput, AuditService } from '../audit/audit.service';
import type { AuthenticatedPrincipal } from '../auth/authenticated-principal';
import { Clock } from '../common/clock';
import { DomainError, isUniqueViolation } from '../common/domain-error';
import { ErrorCode } from '../common/error-codes';
import { ExpiringCache } from '../common/expiring-cache';
import { JsonLogger } from '../common/json-logger';
import {
  currentContext,
  currentRequestId,
  type RequestContext,
  runWithContext,
} from '../common/request-context';
import { TransactionRunner } from '../database/transaction-runner';
import { SupplyGroup } from '../supply-groups/supply-group.entity';
import { assertInScope } from '../auth/supply-group-scope';
import { VendingKey } from '../vending-keys/vending-key.entity';
import { type ClientProfile, VendingClientsService } from './clients/vending-clients.service';
import type {
  CreditTokenRequestDto,
  DerivedKeyRequestDto,
  KeyChangeRequestDto,
  ManagementTokenRequestDto,
  MeterKeyDto,
  TestTokenRequestDto,
} from './dto/vending-request.dto';
import type {
  DerivedKeyDto,
  IssuedTokenDto,
  TokenIssuanceDto,
  VendingKeyRefDto,
} from './dto/vending-response.dto';
import { assertSamePayload, requestFingerprint } from './idempotency/idempotency';
import { DerivationBatcher } from './issuance/derivation-batcher';
import { Issuance, type IssuanceKind } from './issuance/issuance.entity';
import {
  type Committed,
  IssuanceCommitter,
  isRetryableConflict,
} from './issuance/issuance-committer';
import {
  allocateReadingKeys,
  insertIssuance,
  issuanceRows,
  readKeysById,
  readLiveKey,
  supplyGroupStateOf,
} from './issuance/issuance-sql';
import {
  derivationInput,
  KeyChangeIssuer,
  type MeterKeyParams,
} from './issuance/key-change-issuer';
import {
  assertAmountWithinLimit,
  assertEaAllowed,
  assertKenCoversTid,
  assertKeyParameters,
  assertKeyUsable,
  assertSameCluster,
  assertSubclassAllowed,
  assertSupplyGroupActive,
  KT_OF,
} from './rules/sts-rules';
import { encodedCreditAmount, encodedManagementValue } from './rules/encoded-values';
import { TidAllocator } from './tid-allocation/tid-allocator';
import { VENDING_CONFIG, type VendingConfig } from './vending-config';
import { RecoveryState } from '../recovery/recovery-state';

/** A token answer and whether it is a replay of an earlier one. */
export interface IssuanceResult {
  readonly body: TokenIssuanceDto;
  readonly replayed: boolean;
}

/** How one request asks for issuance (the route fills it in). */
interface IssueContext {
  readonly client: AuthenticatedPrincipal;
  readonly kind: IssuanceKind;
  readonly body: object;
  readonly idempotencyKey: string | undefined;
}

/** What a kind-specific builder returns inside the issuing transaction. */
interface Built extends BodyParts {
  readonly vendingKey: VendingKey | null;
  readonly audit: Record<string, unknown>;
}

/** The transactional step of an issuance, and what to zero afterwards whatever happens. */
interface Prepared {
  readonly finish: (em: EntityManager, at: string) => Promise<Built>;
  /**
   * The same step split for a batch's single-statement path: the TID it needs (allocated for the
   * whole batch at once) and the token built with it. Absent: the step runs `finish` alone.
   */
  readonly fast?: {
    readonly tid?: TidRequest;
    readonly build: (tid: number | null) => Built;
  };
  readonly dispose?: () => void;
  /** The TID row `finish` locks (vending key, meter), for the batch's lock order. */
  readonly lockKey?: string;
}

/** A TID a request needs: the next one for this meter under this key, at or after `at`. */
interface TidRequest {
  readonly vendingKeyId: string;
  readonly meter: { readonly iin: string; readonly drn: string };
  readonly nowTid: (at: string) => number;
}

/** The vending key a request names, when it names one for vending (credit, management). */
interface KeyRef {
  readonly sgc: string;
  readonly krn: number;
}

/** One request's step in a group-commit batch, with the request context it runs in. */
interface PendingItem {
  readonly context: RequestContext | undefined;
  readonly lockKey: string;
  /**
   * The vending key the request used (possibly from the key cache): re-checked against the row
   * as the batch transaction reads it, before anything is written.
   */
  readonly key?: {
    readonly used: VendingKey;
    readonly check: (fresh: VendingKey | undefined) => void;
  };
  /** The batch's fresh reads of the items' vending keys (set by the committer's first step). */
  batchKeys?: ReadonlyMap<string, VendingKey>;
  /** The item's writes, returning its answer and its audit event. */
  readonly run?: (em: EntityManager) => Promise<ItemResult>;
  /** The item's writes split for the batch's single-statement path (see `Prepared.fast`). */
  readonly fast?: {
    readonly tid?: TidRequest;
    readonly compose: (tid: number | null, at: string) => { row: Issuance; result: ItemResult };
  };
  /** Without `run`: the item writes nothing of its own, only this audit event. */
  readonly audit?: AuditInput;
}

/**
 * What an item returns: its answer (tokens) or null (an audit event only), its event, and its
 * issuance record when that is still to be written (with the batch's audit events).
 */
interface ItemResult {
  readonly body: TokenIssuanceDto | null;
  readonly audit: AuditInput;
  readonly unwritten?: Issuance;
}

/**
 * Most issuances in one group-commit transaction. Each runs in a savepoint that writes, i.e. a
 * PostgreSQL subtransaction; past 64 of them in one transaction the backend's subtransaction cache
 * overflows and every other session's snapshots get slower, so batches stay within it.
 */
export const ISSUANCE_BATCH_MAX = 64;

/**
 * While requests arrive concurrently, how long a batch waits for more before it starts. Each
 * batch costs two round trips to PostgreSQL whatever its size. Measured under bench:vending with
 * 32 connections: no wait made batches of about 5 and cost CPU; 3 ms made batches of 13-19 but
 * stretched each cycle to 11-12 ms, a third of it waiting, which bounded throughput; 1 ms made
 * batches of 13-14 in cycles of about 9 ms. A lone request after a quiet spell does not wait.
 */
export const ISSUANCE_GATHER_MS = 1;

/**
 * How long a process reuses a vending key row it has read, for the work before the database
 * (rules, HSM derivation). Hard bound: 1 s. The key's state and times are checked again inside
 * the issuing transaction, so a suspended or superseded key issues nothing after its change
 * commits; the cache only saves the per-request read.
 */
export const KEY_CACHE_MS = 1000;

/** The cached vending key no longer is the live key the request named: read it again. */
class StaleKeyError extends Error {
  constructor() {
    super('cached vending key is stale');
  }
}

/** A decision made on a cached (or since changed) key row, to be made again on a fresh read. */
class KeyRetry extends Error {
  constructor(readonly reason: unknown) {
    super('vending key to be read again');
  }
}

/** Attributes of a vending key that the token work depends on (a change needs a fresh start). */
function sameKeyMaterial(a: VendingKey, b: VendingKey): boolean {
  return (
    a.id === b.id &&
    a.sgc === b.sgc &&
    a.liveKrn === b.liveKrn &&
    a.tokenLabel === b.tokenLabel &&
    a.keyType === b.keyType &&
    a.dkga === b.dkga &&
    a.baseDate === b.baseDate &&
    a.ken === b.ken &&
    a.kcv === b.kcv
  );
}

const CREDIT_NAMES = ['electricity', 'water', 'gas', 'time'] as const;

function tidLockKey(vendingKeyId: string, m: { iin: string; drn: string }): string {
  return `${vendingKeyId}|${m.iin}|${m.drn}`;
}

/** The value of a settled read, or its error, in the order the caller checks them. */
function valueOf<T>(r: PromiseSettledResult<T>): T {
  if (r.status === 'rejected') throw r.reason;
  return r.value;
}

function keyRef(k: VendingKey): VendingKeyRefDto {
  return {
    id: k.id,
    sgc: k.sgc,
    krn: k.krn,
    type: k.keyType,
    keyType: KT_OF[k.keyType],
    dkga: k.dkga,
    baseDate: k.baseDate,
    ken: k.ken,
    kcv: k.kcv ?? '',
  };
}

/**
 * The vending interface: derived keys wrapped under the client's transport key, and finished
 * tokens. Every request passes the STS rules first (422), then the token work; tokens that carry
 * a TID are built inside one transaction with the TID allocation, the issuance record and the
 * audit event, so a failure anywhere leaves nothing behind.
 */
@Injectable()
export class VendingService implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private readonly tids: TidAllocator;
  private timer?: NodeJS.Timeout;
  private readonly committer: IssuanceCommitter<EntityManager, PendingItem, ItemResult>;
  /** Live vending keys by `sgc|krn` (a key that is not found is not kept). */
  private readonly keyCache = new ExpiringCache<string, VendingKey | null>({
    ttlMs: KEY_CACHE_MS,
    keep: (key) => key !== null,
  });
  private readonly derivations: DerivationBatcher;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clients: VendingClientsService,
    private readonly keyChanges: KeyChangeIssuer,
    private readonly clock: Clock,
    private readonly logger: JsonLogger,
    @Inject(VENDING_CONFIG) private readonly config: VendingConfig,
    @Inject(KEY_CUSTODY) private readonly custody: KeyCustody,
    private readonly recovery: RecoveryState,
  ) {
    this.tids = new TidAllocator(tx.isPostgres, config.tidWindowMinutes);
    this.derivations = new DerivationBatcher(custody);
    this.committer = new IssuanceCommitter<EntityManager, PendingItem, ItemResult>({
      transaction: (work) => this.tx.runPipelined(work),
      beforeItems: (em, items) => this.readBatchKeys(em, items),
      item: (em, p) => this.inContext(p.context, () => this.runItem(em, p)),
      savepoint: (p) => p.run !== undefined,
      afterItems: (em, done) => this.recordBatch(em, done),
      lockOrder: (p) => p.lockKey,
      chainSavepoints: tx.isPostgres,
      optimistic: true,
      runAll: (em, items) => this.runAll(em, items),
      retryable: isRetryableConflict,
      maxBatch: ISSUANCE_BATCH_MAX,
      gatherMs: ISSUANCE_GATHER_MS,
    });
  }

  onModuleInit(): void {
    if (this.config.purgeSeconds > 0) {
      this.timer = setInterval(() => {
        void this.purgeIdempotencyKeys()
          .then((n) => {
            if (n > 0) this.logger.event('info', 'idempotency keys cleared', { count: n });
          })
          .catch(() => undefined);
      }, this.config.purgeSeconds * 1000);
      this.timer.unref();
    }
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Issuances already handed to the committer are committed before the pool closes. */
  async onApplicationShutdown(): Promise<void> {
    await this.committer.drain();
  }

  /** The allocator, for other issuers (campaigns) that share the TID sequence. */
  get tidAllocator(): TidAllocator {
    return this.tids;
  }

  // ---- derived keys ----

  async derivedKey(
    client: AuthenticatedPrincipal,
    dto: DerivedKeyRequestDto,
  ): Promise<DerivedKeyDto> {
    try {
      return await this.exportKey(client, dto, false);
    } catch (error) {
      // Decided on a cached key row that has changed since: decide again on a fresh read.
      if (!(error instanceof KeyRetry)) throw error;
      this.evictKey(dto.meter);
      return this.retryOnce(() => this.exportKey(client, dto, true));
    }
  }

  private async exportKey(
    client: AuthenticatedPrincipal,
    dto: DerivedKeyRequestDto,
    fresh: boolean,
  ): Promise<DerivedKeyDto> {
    const m = dto.meter;
    assertInScope(client, m.sgc);
    // Both reads at once; their errors are checked in the order the rules give (key first).
    const [keyRead, transportRead] = await Promise.allSettled([
      this.readKey(m, fresh),
      this.clients.activeTransportKey(client.id),
    ]);
    const { key: found, cached } = valueOf(keyRead);
    let key: VendingKey;
    let wrapped: { wrapped: Uint8Array; kcv: string };
    let transport: Awaited<ReturnType<VendingClientsService['activeTransportKey']>>;
    try {
      key = this.checkVendKey(found, m, 'meter');
      const now = this.clock.now();
      assertKenCoversTid(key, this.nowTid(key, now));
      transport = valueOf(transportRead);
      const input = derivationInput(key, m, 'meter');
      wrapped = await this.custody.exportDecoderKey(key.tokenLabel, input, transport.tokenLabel);
    } catch (error) {
      if (cached) throw new KeyRetry(error);
      throw error;
    }
    const body: DerivedKeyDto = {
      meter: { iin: m.iin, drn: m.drn },
      sgc: key.sgc,
      krn: key.krn,
      keyType: KT_OF[key.keyType],
      tariffIndex: m.tariffIndex,
      ea: m.ea,
      baseDate: key.baseDate,
      ken: key.ken,
      wrapAlgorithm: 'AES-KWP',
      wrappedKey: Buffer.from(wrapped.wrapped).toString('hex'),
      keyCheckValue: wrapped.kcv,
      transportKeyId: transport.id,
      transportKeyKcv: transport.kcv ?? '',
      vendingKeyKcv: key.kcv ?? '',
      vendingKey: keyRef(key),
    };
    // The export's audit event joins the issuance batch: one commit for many events.
    const used = key;
    await this.committer.submit({
      context: currentContext(),
      lockKey: '',
      key: { used, check: (row) => this.recheckKey(used, row, m) },
      audit: {
        actor: client,
        action: 'vending.derived-key',
        subjectType: 'vending-key',
        subjectId: key.id,
        details: {
          iin: m.iin,
          drn: m.drn,
          sgc: key.sgc,
          krn: key.krn,
          tariffIndex: m.tariffIndex,
          ea: m.ea,
          decoderKeyKcv: wrapped.kcv,
          transportKeyId: transport.id,
          vendingKeyKcv: key.kcv,
        },
      },
    });
    return body;
  }

  // ---- tokens ----

  async credit(
    client: AuthenticatedPrincipal,
    dto: CreditTokenRequestDto,
    idem?: string,
  ): Promise<IssuanceResult> {
    return this.issue(
      { client, kind: 'credit', body: dto, idempotencyKey: idem },
      dto.meter,
      async (profile, found) => {
        const m = dto.meter;
        assertInScope(client, m.sgc);
        assertSubclassAllowed(profile.creditSubclasses, 'credit', dto.subclass);
        const encodedAmount = encodedCreditAmount(dto.subclass, dto.amount);
        assertAmountWithinLimit(dto.subclass, encodedAmount, profile);
        const key = this.checkVendKey(found, m, 'meter');
        return this.withTid(key, m, (cipher, tid) => {
          const token = buildCreditToken(cipher, {
            subclass: dto.subclass as CreditSubclass,
            tid,
            amount: dto.amount,
          });
          const unit = CREDIT_NAMES[dto.subclass % 4];
          const what =
            dto.subclass >= 4 ? `${unit} currency ${dto.amount}` : `${unit} ${dto.amount}`;
          return {
            tokens: [
              {
                token,
                tokenClass: 0,
                subclass: dto.subclass,
                tid,
                description: `credit: ${what}`,
                encodedAmount,
              },
            ],
            audit: { subclass: dto.subclass, amount: dto.amount },
          };
        });
      },
    );
  }

  async management(
    client: AuthenticatedPrincipal,
    dto: ManagementTokenRequestDto,
    idem?: string,
  ): Promise<IssuanceResult> {
    return this.issue(
      { client, kind: 'management', body: dto, idempotencyKey: idem },
      dto.meter,
      async (profile, found) => {
        const m = dto.meter;
        assertInScope(client, m.sgc);
        assertSubclassAllowed(profile.managementSubclasses, 'management', dto.subclass);
        const encodedValue = encodedManagementValue(dto.subclass, dto.value);
        const key = this.checkVendKey(found, m, 'meter');
        return this.withTid(key, m, (cipher, tid) => {
          const token = buildManagementToken(cipher, {
            subclass: dto.subclass,
            tid,
            value: dto.value,
          });
          const name = MANAGEMENT_SUBCLASS_NAMES[dto.subclass];
          return {
            tokens: [
              {
                token,
                tokenClass: 2,
                subclass: dto.subclass,
                tid,
                description: `${name} ${dto.value}`,
                encodedValue,
              },
            ],
            audit: { subclass: dto.subclass, value: dto.value },
          };
        });
      },
    );
  }

  async test(
    client: AuthenticatedPrincipal,
    dto: TestTokenRequestDto,
    idem?: string,
  ): Promise<IssuanceResult> {
    return this.issue(
      { client, kind: 'test', body: dto, idempotencyKey: idem },
      null,
      (profile) => {
        assertSubclassAllowed(profile.testSubclasses, 'test', dto.subclass);
        const token = buildTestToken({
          subclass: dto.subclass,
          control: dto.control.startsWith('0x') ? dto.control : `0x${dto.control}`,
          manufacturerCode: dto.manufacturerCode,
        });
        return Promise.resolve({
          finish: () =>
            Promise.resolve({
              vendingKey: null,
              tokens: [
                {
                  token,
                  tokenClass: 1,
                  subclass: dto.subclass,
                  tid: null,
                  description: `meter test: control ${dto.control}, manufacturer ${dto.manufacturerCode}`,
                },
              ],
              audit: {
                subclass: dto.subclass,
                control: dto.control,
                manufacturerCode: dto.manufacturerCode,
              },
            }),
        });
      },
    );
  }

  async keyChange(
    client: AuthenticatedPrincipal,
    dto: KeyChangeRequestDto,
    idem?: string,
  ): Promise<IssuanceResult> {
    return this.issue(
      { client, kind: 'key-change', body: dto, idempotencyKey: idem },
      null,
      async (profile) => {
        const m = dto.meter;
        const t = dto.target;
        assertInScope(client, m.sgc);
        assertInScope(client, t.sgc);
        if (!profile.keyChangeAllowed) {
          assertSubclassAllowed([], 'management', 3);
        }
        const [from, to] = await this.tx.read(async (em) => [
          await this.findKey(em, m.sgc, m.krn, 'meter'),
          await this.findKey(em, t.sgc, t.krn, 'target'),
        ]);
        assertSupplyGroupActive(from.sgc, supplyGroupStateOf(from), 'meter.sgc');
        assertSupplyGroupActive(to.sgc, supplyGroupStateOf(to), 'target.sgc');
        const now = this.clock.nowIso();
        assertKeyUsable(from, 'key-change-from', now);
        assertKeyUsable(to, 'key-change-to', now);
        assertKeyParameters(from, m, 'meter');
        assertEaAllowed(from, m.ea, 'meter.ea');
        const target: MeterKeyParams = {
          iin: m.iin,
          drn: m.drn,
          tariffIndex: t.tariffIndex,
          ea: t.ea ?? m.ea,
        };
        assertEaAllowed(to, target.ea, 'target.ea');
        this.recovery.assertCustodyVerified(from.tokenLabel, 'meter.krn');
        this.recovery.assertCustodyVerified(to.tokenLabel, 'target.krn');
        KeyChangeIssuer.assertChanges(from, m, to, target);
        if (from.sgc !== to.sgc) {
          const [g1, g2] = await this.tx.read(async (em) => [
            await em.findOneByOrFail(SupplyGroup, { sgc: from.sgc }),
            await em.findOneByOrFail(SupplyGroup, { sgc: to.sgc }),
          ]);
          assertSameCluster(g1, g2);
        }
        const set = await this.keyChanges.buildSet(from, m, to, target);
        const sections = set.tokens.length === 2 ? [3, 4] : [3, 4, 8, 9];
        return {
          lockKey: tidLockKey(to.id, m),
          finish: async (em: EntityManager, at: string) => {
            await this.keyChanges.carryTids(em, this.tids, m, from, to, set.ro, at);
            return {
              vendingKey: from,
              tokens: set.tokens.map((token, i) => ({
                token,
                tokenClass: 2,
                subclass: sections[i],
                tid: null,
                description: `key change section ${i + 1} of ${set.tokens.length}`,
              })),
              keyChange: {
                ro: set.ro,
                newVendingKey: keyRef(to),
                newTariffIndex: target.tariffIndex,
                newEa: target.ea,
              },
              audit: {
                ro: set.ro,
                toSgc: to.sgc,
                toKrn: to.krn,
                toTariffIndex: target.tariffIndex,
                toEa: target.ea,
                newVendingKeyKcv: to.kcv,
                sections: set.tokens.length,
              },
            };
          },
        };
      },
    );
  }

  /** Clears Idempotency-Key values older than the retention period (records stay for reprints). */
  async purgeIdempotencyKeys(): Promise<number> {
    const cutoff = new Date(
      this.clock.now().getTime() - this.config.idempotencyHours * 3_600_000,
    ).toISOString();
    const result = await this.tx.run((em) =>
      em.update(
        Issuance,
        { idempotencyKey: Not(IsNull()), createdAt: LessThan(cutoff) },
        { idempotencyKey: null },
      ),
    );
    return result.affected ?? 0;
  }

  // ---- the issuing pipeline ----

  /**
   * Replays an earlier answer for the same Idempotency-Key, or runs `prepare` (rules, token work
   * outside the database) and hands its `finish` step to the group committer, which commits it
   * with the issuance record and the audit event in one transaction shared with other requests'
   * issuances (docs/vending.md, "How an issuance is committed").
   *
   * The reads a request needs (earlier answer, client profile, the vending key it names) run at
   * once; their errors are checked in the same order as the rules give them. A decision made on a
   * cached key row is made again on a fresh read when it refuses, or when the batch finds the row
   * changed.
   */
  private async issue(
    ctx: IssueContext,
    vendingKey: KeyRef | null,
    prepare: (profile: ClientProfile, key: VendingKey | null) => Promise<Prepared>,
  ): Promise<IssuanceResult> {
    try {
      return await this.issueOnce(ctx, vendingKey, prepare, false);
    } catch (error) {
      // Decided on a cached key row that has changed since: decide again on a fresh read.
      if (!(error instanceof KeyRetry) || !vendingKey) throw error;
      this.evictKey(vendingKey);
      return this.retryOnce(() => this.issueOnce(ctx, vendingKey, prepare, true));
    }
  }

  private async issueOnce(
    ctx: IssueContext,
    vendingKey: KeyRef | null,
    prepare: (profile: ClientProfile, key: VendingKey | null) => Promise<Prepared>,
    fresh: boolean,
  ): Promise<IssuanceResult> {
    const fingerprint = requestFingerprint(ctx.kind, ctx.body);
    const [earlierRead, profileRead, keyRead] = await Promise.allSettled([
      ctx.idempotencyKey !== undefined ? this.replay(ctx, fingerprint) : undefined,
      this.clients.profile(ctx.client.id),
      vendingKey ? this.readKey(vendingKey, fresh) : { key: null, cached: false },
    ]);
    const earlier = valueOf(earlierRead);
    if (earlier) return earlier;
    const { key, cached } = valueOf(keyRead);
    let prepared: Prepared;
    try {
      prepared = await prepare(valueOf(profileRead), key);
    } catch (error) {
      if (cached) throw new KeyRetry(error);
      throw error;
    }
    const meter = (ctx.body as { meter: MeterKeyDto }).meter;
    try {
      const requestId = currentRequestId().slice(0, 64);
      const result = await this.committer.submit({
        context: currentContext(),
        lockKey: prepared.lockKey ?? '',
        key: key ? { used: key, check: (row) => this.recheckKey(key, row, meter) } : undefined,
        run: (em) => this.finishIssuance(em, ctx, prepared, meter, fingerprint, requestId),
        fast: prepared.fast && {
          tid: prepared.fast.tid,
          compose: (tid, at) => {
            const parts = prepared.fast?.build(tid);
            if (!parts) throw new Error('fast path without a builder');
            return this.compose(ctx, parts, meter, fingerprint, requestId, at);
          },
        },
      });
      if (!result.body) throw new Error('issuance committed without an answer');
      return { body: result.body, replayed: false };
    } catch (error) {
      // A concurrent request with the same Idempotency-Key committed first: answer as it did.
      if (ctx.idempotencyKey !== undefined && isUniqueViolation(error)) {
        const again = await this.replay(ctx, fingerprint);
        if (again) return again;
      }
      throw error;
    } finally {
      prepared.dispose?.();
    }
  }

  /** One issuance inside the batch transaction (its savepoint): TID, token, issuance record. */
  private async finishIssuance(
    em: EntityManager,
    ctx: IssueContext,
    prepared: Prepared,
    meter: { iin: string; drn: string },
    fingerprint: string,
    requestId: string,
  ): Promise<ItemResult> {
    const issuedAt = this.clock.nowIso();
    const parts = await prepared.finish(em, issuedAt);
    const { row, result } = this.compose(ctx, parts, meter, fingerprint, requestId, issuedAt);
    await insertIssuance(em, this.tx.isPostgres, row);
    return result;
  }

  /** The answer, the issuance record and the audit event of an issuance. */
  private compose(
    ctx: IssueContext,
    parts: Built,
    meter: { iin: string; drn: string },
    fingerprint: string,
    requestId: string,
    issuedAt: string,
  ): { row: Issuance; result: ItemResult } {
    const id = randomUUID();
    const tids = parts.tokens.flatMap((t) => (t.tid === null ? [] : [t.tid]));
    const k = parts.vendingKey;
    const body: TokenIssuanceDto = {
      issuanceId: id,
      kind: ctx.kind,
      issuedAt,
      meter: { iin: meter.iin, drn: meter.drn },
      tokens: parts.tokens,
      tids,
      vendingKeyKcv: k ? (k.kcv ?? '') : null,
      vendingKey: k ? keyRef(k) : null,
      ...(parts.keyChange ? { keyChange: parts.keyChange } : {}),
    };
    const row: Issuance = {
      id,
      clientId: ctx.client.id,
      kind: ctx.kind,
      iin: meter.iin,
      drn: meter.drn,
      sgc: k?.sgc ?? null,
      krn: k?.krn ?? null,
      vendingKeyId: k?.id ?? null,
      tids: tids.map(String),
      idempotencyKey: ctx.idempotencyKey ?? null,
      requestHash: fingerprint,
      response: JSON.stringify(body),
      requestId,
      createdAt: issuedAt,
    };
    const audit: AuditInput = {
      actor: ctx.client,
      action: `vending.token.${ctx.kind}`,
      subjectType: 'issuance',
      subjectId: id,
      details: {
        iin: meter.iin,
        drn: meter.drn,
        sgc: k?.sgc ?? null,
        krn: k?.krn ?? null,
        tids,
        tokens: parts.tokens.length,
        vendingKeyKcv: k?.kcv ?? null,
        ...parts.audit,
      },
    };
    return { row, result: { body, audit } };
  }

  /**
   * A whole batch (in lock order) in few statements: the TIDs of all requests in one upsert per
   * round (a meter asked for twice takes a second round), the first round together with the
   * re-read of the batch's vending keys (checked before any TID is), and the tokens; the issuance
   * records are written with the batch's audit events (`recordBatch`). Any failure throws and
   * the committer re-runs the batch with a savepoint per request, so each failure reaches its own
   * caller only.
   */
  private async runAll(em: EntityManager, items: readonly PendingItem[]): Promise<ItemResult[]> {
    const at = this.clock.nowIso();
    const keyIds = [...new Set(items.flatMap((p) => (p.key ? [p.key.used.id] : [])))];
    const checkKeys = (keys: ReadonlyMap<string, VendingKey>) => {
      for (const p of items) p.key?.check(keys.get(p.key.used.id));
    };
    const tids = new Map<number, number>();
    let remaining = items.flatMap((p, i) => (p.fast?.tid ? [i] : []));
    let keysRead = false;
    if (remaining.length === 0) {
      if (keyIds.length > 0) checkKeys(await readKeysById(em, this.tx.isPostgres, keyIds));
      keysRead = true;
    }
    while (remaining.length > 0) {
      const seen = new Set<string>();
      const round: number[] = [];
      const later: number[] = [];
      for (const i of remaining) {
        const key = items[i].lockKey;
        (seen.has(key) ? later : round).push(i);
        seen.add(key);
      }
      const requests = round.map((i) => {
        const t = items[i].fast?.tid as TidRequest;
        return { vendingKeyId: t.vendingKeyId, meter: t.meter, nowTid: t.nowTid(at) };
      });
      const got = keysRead
        ? await this.tids.allocateMany(em, requests, at)
        : await allocateReadingKeys(em, this.tx.isPostgres, this.tids, requests, at, {
            ids: keyIds,
            check: checkKeys,
          });
      keysRead = true;
      round.forEach((i, j) => tids.set(i, got[j]));
      remaining = later;
    }
    const results: ItemResult[] = [];
    for (const [i, p] of items.entries()) {
      if (p.fast) {
        const { row, result } = this.inContextSync(p.context, () =>
          p.fast?.compose(tids.get(i) ?? null, at),
        );
        results.push({ ...result, unwritten: row });
      } else {
        results.push(await this.inContext(p.context, () => this.runItem(em, p, true)));
      }
    }
    return results;
  }

  private inContextSync<T>(context: RequestContext | undefined, fn: () => T | undefined): T {
    const value = context ? runWithContext(context, fn) : fn();
    if (value === undefined) throw new Error('batch item without a result');
    return value;
  }

  /** Runs one batch item: its own writes and event, or its event alone. */
  private async runItem(em: EntityManager, p: PendingItem, checked = false): Promise<ItemResult> {
    if (p.key && !checked) p.key.check(p.batchKeys?.get(p.key.used.id));
    if (p.run) return p.run(em);
    if (!p.audit) throw new Error('batch item with neither writes nor an event');
    return { body: null, audit: p.audit };
  }

  /**
   * The audit events of a batch's successful items, in the batch transaction, each with the
   * request id of its own request; with them the issuance records not yet written (on
   * PostgreSQL one statement writes both).
   */
  private async recordBatch(
    em: EntityManager,
    done: readonly Committed<PendingItem, ItemResult>[],
  ): Promise<void> {
    const unwritten = done.flatMap((d) => (d.value.unwritten ? [d.value.unwritten] : []));
    await this.audit.recordForRequests(
      em,
      done.map((d) => ({
        input: d.value.audit,
        requestId: d.input.context?.requestId ?? currentRequestId(),
      })),
      unwritten.length > 0 ? issuanceRows(unwritten) : undefined,
    );
  }

  private inContext<T>(context: RequestContext | undefined, fn: () => Promise<T>): Promise<T> {
    return context ? runWithContext(context, fn) : fn();
  }

  private async replay(
    ctx: IssueContext,
    fingerprint: string,
  ): Promise<IssuanceResult | undefined> {
    const row = await this.tx.read((em) =>
      em.findOneBy(Issuance, { clientId: ctx.client.id, idempotencyKey: ctx.idempotencyKey }),
    );
    if (!row) return undefined;
    assertSamePayload(row, fingerprint, ctx.idempotencyKey ?? '');
    return { body: JSON.parse(row.response) as TokenIssuanceDto, replayed: true };
  }

  /**
   * Tokens that carry a TID: derives the decoder key in the token first (outside the database
   * transaction; with the other derivations under the same key asked for meanwhile, in one token
   * call), then, inside it, allocates the TID, checks KEN and encrypts. The key is zeroed as soon
   * as the cipher holds it.
   */
  private async withTid(
    key: VendingKey,
    m: MeterKeyDto,
    build: (cipher: TokenCipher, tid: number) => Omit<Built, 'vendingKey'>,
  ): Promise<Prepared> {
    this.nowTid(key, this.clock.now());
    const input = derivationInput(key, m, 'meter');
    const dk = await this.derivations.derive(key.tokenLabel, input);
    let cipher: TokenCipher;
    try {
      cipher = createCipher(m.ea, dk);
    } finally {
      dk.fill(0);
    }
    const withTid = (tid: number): Built => {
      assertKenCoversTid(key, tid);
      return { vendingKey: key, ...build(cipher, tid) };
    };
    return {
      lockKey: tidLockKey(key.id, m),
      finish: async (em, at) =>
        withTid(await this.tids.allocate(em, m, key.id, this.nowTid(key, new Date(at)), at)),
      fast: {
        tid: {
          vendingKeyId: key.id,
          meter: m,
          nowTid: (at) => this.nowTid(key, new Date(at)),
        },
        build: (tid) => {
          if (tid === null) throw new Error('TID missing');
          return withTid(tid);
        },
      },
      dispose: () => cipher.dispose(),
    };
  }

  /**
   * The live vending key a request names, or null: from the key cache (at most
   * {@link KEY_CACHE_MS} old) unless `fresh`, else read outside any transaction. `cached` says
   * whether this request did not read it itself: kept, or read for a concurrent request (a
   * decision made on it is re-made on a fresh read).
   */
  private async readKey(
    ref: KeyRef,
    fresh: boolean,
  ): Promise<{ key: VendingKey | null; cached: boolean }> {
    const id = `${ref.sgc}|${ref.krn}`;
    const read = () => this.tx.read((em) => readLiveKey(em, this.tx.isPostgres, ref.sgc, ref.krn));
    if (fresh) return { key: await this.keyCache.reload(id, read), cached: false };
    // A read shared with a concurrent request may have started before this request arrived.
    let readHere = false;
    const key = await this.keyCache.get(id, () => {
      readHere = true;
      return read();
    });
    return { key, cached: !readHere };
  }

  private evictKey(ref: KeyRef): void {
    this.keyCache.delete(`${ref.sgc}|${ref.krn}`);
  }

  /** A second attempt on fresh reads; a key that changed again meanwhile is a 409 to retry. */
  private async retryOnce<T>(attempt: () => Promise<T>): Promise<T> {
    try {
      return await attempt();
    } catch (error) {
      if (!(error instanceof KeyRetry)) throw error;
      throw DomainError.invalidState(
        'The vending key changed while the request was served; retry the request',
        {},
      );
    }
  }

  /** The batch's first step: one read of the vending keys its items used. */
  private async readBatchKeys(em: EntityManager, items: readonly PendingItem[]): Promise<void> {
    const ids = [...new Set(items.flatMap((p) => (p.key ? [p.key.used.id] : [])))];
    if (ids.length === 0) return;
    const rows = await readKeysById(em, this.tx.isPostgres, ids);
    for (const p of items) p.batchKeys = rows;
  }

  /**
   * Inside the batch transaction, before anything of the item is written: the key row as it is
   * now is still the live key the request named, still passes the rules (its supply group's state,
   * its state, activation, issue-until, expiry, parameters, EA) and still has the key material the
   * token was made with.
   * Otherwise the request is decided again on a fresh read (KeyRetry), so the answer is the one
   * a fresh read gives (e.g. 422 STS_KEY_NOT_ACTIVE for a suspended key).
   */
  private recheckKey(used: VendingKey, row: VendingKey | undefined, m: MeterKeyDto): void {
    if (!row || row.sgc !== m.sgc || row.liveKrn !== m.krn || !sameKeyMaterial(used, row)) {
      throw new KeyRetry(new StaleKeyError());
    }
    this.checkVendKey(row, m, 'meter');
  }

  /** The vending key a meter's credit/management/derived key request uses, with the rules applied. */
  private checkVendKey(found: VendingKey | null, m: MeterKeyDto, prefix: string): VendingKey {
    const key = found ?? notFound(m.sgc, m.krn, prefix);
    assertSupplyGroupActive(key.sgc, supplyGroupStateOf(key), `${prefix}.sgc`);
    assertKeyUsable(key, 'vend', this.clock.nowIso());
    assertKeyParameters(key, m, prefix);
    assertEaAllowed(key, m.ea, `${prefix}.ea`);
    this.recovery.assertCustodyVerified(key.tokenLabel, `${prefix}.krn`);
    return key;
  }

  private async findKey(
    em: EntityManager,
    sgc: string,
    krn: number,
    prefix: string,
  ): Promise<VendingKey> {
    const key = await readLiveKey(em, this.tx.isPostgres, sgc, krn);
    return key ?? notFound(sgc, krn, prefix);
  }

  /**
   * The TID of `at` counted from the key's base date (STS-SPEC §6), or of the TID floor a
   * restore set when that is later (docs/operations.md, "TIDs after a restore").
   */
  private nowTid(key: VendingKey, at: Date): number {
    return tidFromDate(this.recovery.tidTime(at), key.baseDate as BaseDate);
  }
}

function notFound(sgc: string, krn: number, prefix: string): never {
  throw new DomainError(ErrorCode.NOT_FOUND, `No live vending key for SGC ${sgc} KRN ${krn}`, {
    field: `${prefix}.krn`,
    sgc,
    krn,
  });
}

/** The kind-specific parts of a token answer. */
interface BodyParts {
  readonly tokens: IssuedTokenDto[];
  readonly keyChange?: TokenIssuanceDto['keyChange'];
}
