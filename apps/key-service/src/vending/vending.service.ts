import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { createCipher, type TokenCipher } from '@sts/core';
import { KEY_CUSTODY, type KeyCustody } from '@sts/hsm';
import type { AuthenticatedPrincipal } from '../auth/authenticated-principal';
import { assertInScope } from '../auth/supply-group-scope';
import { Clock } from '../common/clock';
import { DomainError, isUniqueViolation } from '../common/domain-error';
import { currentContext, currentRequestId } from '../common/request-context';
import { TransactionRunner } from '../database/transaction-runner';
import { RecoveryState } from '../recovery/recovery-state';
import { KeyChangeDueDto } from '../meter-keys/dto/meter-key.dto';
import type { DueKeyChange } from '../meter-keys/key-change-due';
import { MeterKeyMoves } from '../meter-keys/meter-key-moves';
import { heldKeyOf } from '../meter-keys/meter-key-transitions';
import { SupplyGroup } from '../supply-groups/supply-group.entity';
import type { VendingKey } from '../vending-keys/vending-key.entity';
import { type ClientProfile, VendingClientsService } from './clients/vending-clients.service';
import type {
  CreditTokenRequestDto,
  DerivedKeyRequestDto,
  KeyChangeRequestDto,
  ManagementTokenRequestDto,
  MeterKeyDto,
  TestTokenRequestDto,
} from './dto/vending-request.dto';
import type { DerivedKeyDto, IssuedTokenDto, TokenIssuanceDto } from './dto/vending-response.dto';
import { assertSamePayload, requestFingerprint } from './idempotency/idempotency';
import { DerivationBatcher } from './issuance/derivation-batcher';
import { Issuance, type IssuanceKind } from './issuance/issuance.entity';
import { IssuancePipeline } from './issuance/issuance-pipeline';
import { type IssuancePlan, keyRef, tidLockKey, type TokenSpec } from './issuance/issuance-plan';
import { type LiveKey, readLiveKey } from './issuance/issuance-sql';
import {
  derivationInput,
  KeyChangeIssuer,
  type MeterKeyParams,
} from './issuance/key-change-issuer';
import { type FoundKey, KeyLookup, keyNotFound, KeyRetry } from './keys/key-lookup';
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
import { creditToken } from './tokens/credit-token';
import { keyChangeTokens } from './tokens/key-change-tokens';
import { managementToken } from './tokens/management-token';
import { testToken } from './tokens/test-token';

/** A token answer and whether it is a replay of an earlier one. */
export interface IssuanceResult {
  readonly body: TokenIssuanceDto;
  readonly replayed: boolean;
}

/** How one request asks for issuance (the route fills it in). */
interface IssueRequest {
  readonly client: AuthenticatedPrincipal;
  readonly kind: IssuanceKind;
  readonly body: object;
  readonly meter: { readonly iin: string; readonly drn: string };
  readonly idempotencyKey: string | undefined;
}

/** What a route decides from the rules and the token work before the database. */
type Decision = Omit<
  IssuancePlan,
  'client' | 'kind' | 'idempotencyKey' | 'fingerprint' | 'requestId' | 'meter'
> & {
  /** The key parameters the batch judges the plan's key against, when not the request's own. */
  readonly checkRef?: MeterKeyDto;
};

/** A credit or management order: its audit details and its token under a cipher with a TID. */
interface TokenOrder {
  readonly audit: Record<string, unknown>;
  readonly build: (cipher: TokenCipher, tid: number) => IssuedTokenDto;
}

/** The value of a settled read, or its error, in the order the caller checks them. */
function valueOf<T>(r: PromiseSettledResult<T>): T {
  if (r.status === 'rejected') throw r.reason;
  return r.value;
}

/**
 * The vending interface: each route turns a request into an issuance plan (rules first: 422;
 * then the token work before the database: derivations in the HSM) and hands it to the
 * {@link IssuancePipeline}, which commits it with its TIDs, its record and its audit event. A
 * derived-key export answers the wrapped key and joins a batch with its audit event only.
 */
@Injectable()
export class VendingService {
  private readonly derivations: DerivationBatcher;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly clients: VendingClientsService,
    private readonly keyChanges: KeyChangeIssuer,
    private readonly clock: Clock,
    private readonly keys: KeyLookup,
    private readonly pipeline: IssuancePipeline,
    private readonly tids: TidAllocator,
    @Inject(KEY_CUSTODY) private readonly custody: KeyCustody,
    private readonly recovery: RecoveryState,
    private readonly meterKeys: MeterKeyMoves,
  ) {
    this.derivations = new DerivationBatcher(custody);
  }

  // ---- derived keys ----

  async derivedKey(
    client: AuthenticatedPrincipal,
    dto: DerivedKeyRequestDto,
  ): Promise<DerivedKeyDto> {
    const m = dto.meter;
    return this.keys.decide(m, async (read) => {
      assertInScope(client, m.sgc);
      // Both reads at once; their errors are checked in the order the rules give (key first).
      const [keyRead, transportRead] = await Promise.allSettled([
        read,
        this.clients.activeTransportKey(client.id),
      ]);
      const found = valueOf(keyRead);
      const { key, transport, wrapped } = await retryIfCached(found, async () => {
        const key = this.keys.vendKey(found.live, m, 'meter');
        assertKenCoversTid(key, this.keys.nowTid(key, this.clock.now()));
        const transport = valueOf(transportRead);
        const input = derivationInput(key, m, 'meter');
        const wrapped = await this.custody.exportDecoderKey(
          key.tokenLabel,
          input,
          transport.tokenLabel,
        );
        return { key, transport, wrapped };
      });
      // The export's audit event joins the issuance batch: one commit for many events.
      await this.pipeline.record(
        {
          keyCheck: { used: key, check: (row) => this.keys.recheck(key, row, m) },
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
        },
        currentContext(),
      );
      return {
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
    });
  }

  // ---- tokens ----

  async credit(
    client: AuthenticatedPrincipal,
    dto: CreditTokenRequestDto,
    idem?: string,
  ): Promise<IssuanceResult> {
    const request = { client, kind: 'credit', body: dto, idempotencyKey: idem } as const;
    return this.issueUnderHeldKey(request, dto.meter, dto.keyChange, (profile) => {
      assertSubclassAllowed(profile.creditSubclasses, 'credit', dto.subclass);
      const encodedAmount = encodedCreditAmount(dto.subclass, dto.amount);
      assertAmountWithinLimit(dto.subclass, encodedAmount, profile);
      const order = { subclass: dto.subclass, amount: dto.amount, encodedAmount };
      return {
        audit: { subclass: dto.subclass, amount: dto.amount },
        build: (cipher, tid) => creditToken(cipher, order, tid),
      };
    });
  }

  async management(
    client: AuthenticatedPrincipal,
    dto: ManagementTokenRequestDto,
    idem?: string,
  ): Promise<IssuanceResult> {
    const request = { client, kind: 'management', body: dto, idempotencyKey: idem } as const;
    return this.issueUnderHeldKey(request, dto.meter, dto.keyChange, (profile) => {
      assertSubclassAllowed(profile.managementSubclasses, 'management', dto.subclass);
      const encodedValue = encodedManagementValue(dto.subclass, dto.value);
      const order = { subclass: dto.subclass, value: dto.value, encodedValue };
      return {
        audit: { subclass: dto.subclass, value: dto.value },
        build: (cipher, tid) => managementToken(cipher, order, tid),
      };
    });
  }

  async test(
    client: AuthenticatedPrincipal,
    dto: TestTokenRequestDto,
    idem?: string,
  ): Promise<IssuanceResult> {
    const request = {
      client,
      kind: 'test',
      body: dto,
      meter: dto.meter,
      idempotencyKey: idem,
    } as const;
    return this.issue(request, null, (profile) => {
      assertSubclassAllowed(profile.testSubclasses, 'test', dto.subclass);
      const token = testToken(dto);
      return Promise.resolve({
        vendingKey: null,
        lockKey: '',
        tokens: [{ key: null, build: () => [token] }],
        audit: {
          subclass: dto.subclass,
          control: dto.control,
          manufacturerCode: dto.manufacturerCode,
        },
      });
    });
  }

  async keyChange(
    client: AuthenticatedPrincipal,
    dto: KeyChangeRequestDto,
    idem?: string,
  ): Promise<IssuanceResult> {
    const m = dto.meter;
    const t = dto.target;
    const request = {
      client,
      kind: 'key-change',
      body: dto,
      meter: m,
      idempotencyKey: idem,
    } as const;
    return this.issue(request, null, async (profile) => {
      assertInScope(client, m.sgc);
      assertInScope(client, t.sgc);
      if (!profile.keyChangeAllowed) {
        assertSubclassAllowed([], 'management', 3);
      }
      const [from, to] = await this.tx.read(async (em) => [
        await readLiveKey(em, m.sgc, m.krn),
        await readLiveKey(em, t.sgc, t.krn),
      ]);
      if (!from) throw keyNotFound(m.sgc, m.krn, 'meter');
      if (!to) throw keyNotFound(t.sgc, t.krn, 'target');
      const target: MeterKeyParams = {
        iin: m.iin,
        drn: m.drn,
        tariffIndex: t.tariffIndex,
        ea: t.ea ?? m.ea,
      };
      await this.assertKeyChange(from, m, to, target);
      const set = await this.keyChanges.buildSet(from.key, m, to.key, target);
      const tokens = keyChangeTokens(set);
      const id = randomUUID();
      return {
        id,
        vendingKey: from.key,
        lockKey: tidLockKey(to.key.id, m),
        tokens: [{ key: from.key, build: () => tokens }],
        before: this.keyChangeWrites(client, id, from.key, m, to.key, target, set.ro),
        keyChange: {
          ro: set.ro,
          newVendingKey: keyRef(to.key),
          newTariffIndex: target.tariffIndex,
          newEa: target.ea,
        },
        audit: {
          ro: set.ro,
          toSgc: to.key.sgc,
          toKrn: to.key.krn,
          toTariffIndex: target.tariffIndex,
          toEa: target.ea,
          newVendingKeyKcv: to.key.kcv,
          sections: set.tokens.length,
        },
      };
    });
  }

  /** The rules of a key change from `from` (as the meter holds it) to `to` (as `target`). */
  private async assertKeyChange(
    from: LiveKey,
    m: MeterKeyDto,
    to: LiveKey,
    target: MeterKeyParams,
  ): Promise<void> {
    assertSupplyGroupActive(from.key.sgc, from.groupState, 'meter.sgc');
    assertSupplyGroupActive(to.key.sgc, to.groupState, 'target.sgc');
    const now = this.clock.nowIso();
    assertKeyUsable(from.key, 'key-change-from', now);
    assertKeyUsable(to.key, 'key-change-to', now);
    assertKeyParameters(from.key, m, 'meter');
    assertEaAllowed(from.key, m.ea, 'meter.ea');
    assertEaAllowed(to.key, target.ea, 'target.ea');
    this.recovery.assertCustodyVerified(from.key.tokenLabel, 'meter.krn');
    this.recovery.assertCustodyVerified(to.key.tokenLabel, 'target.krn');
    KeyChangeIssuer.assertChanges(from.key, m, to.key, target);
    if (from.key.sgc !== to.key.sgc) {
      const [g1, g2] = await this.tx.read(async (em) => [
        await em.findOneByOrFail(SupplyGroup, { sgc: from.key.sgc }),
        await em.findOneByOrFail(SupplyGroup, { sgc: to.key.sgc }),
      ]);
      assertSameCluster(g1, g2);
    }
  }

  // ---- credit and management: under the key the meter holds ----

  /**
   * A credit or management token for the meter. With `keyChange: "auto"` it is made under the
   * key the meter key registry says the meter holds; when a key change is due for that key
   * (meter-keys/key-change-due.ts) the answer holds the key-change set first and then the token
   * under the new key. Without it the token is made under the key the request states, and a
   * superseded key's answer says which key change is due (`keyChangeDue`).
   */
  private async issueUnderHeldKey(
    request: Omit<IssueRequest, 'meter'>,
    stated: MeterKeyDto,
    keyChange: 'auto' | undefined,
    order: (profile: ClientProfile) => TokenOrder,
  ): Promise<IssuanceResult> {
    const { held, row } =
      keyChange === 'auto'
        ? await this.meterKeys.keyForPurchase(stated)
        : { held: stated, row: null };
    const client = request.client;
    const auto = keyChange === 'auto';
    const decide = async (profile: ClientProfile, live: LiveKey | null): Promise<Decision> => {
      assertInScope(client, held.sgc);
      const { audit, build } = order(profile);
      const tokenUnder = (key: VendingKey) => (cipher: TokenCipher) => ({
        tokens: [this.tidSpec(key, (tid) => [build(cipher, tid)])],
        audit,
      });
      if (auto && live) {
        const due = await this.meterKeys.dueAtPurchase(live.key, held, row);
        if (due) return this.keyChangeFirst(client, profile, live, held, due, tokenUnder);
      }
      const key = this.keys.vendKey(live, held, 'meter');
      const decision = await this.underMeterKey(key, held, tokenUnder(key));
      if (auto) return decision;
      const due = await this.meterKeys.dueAtPurchase(key, held, null);
      return due ? { ...decision, keyChangeDue: KeyChangeDueDto.from(due) } : decision;
    };
    return this.issue({ ...request, meter: stated }, held, decide, auto);
  }

  /**
   * The key-change set from the key the meter holds (`from`) to `due`'s target, then the token
   * under the new key, as one issuance: the meter's TIDs carried over when the base date stays,
   * and its registry row moved to the new key, in the transaction that records it.
   */
  private async keyChangeFirst(
    client: AuthenticatedPrincipal,
    profile: ClientProfile,
    from: LiveKey,
    held: MeterKeyDto,
    due: DueKeyChange,
    tokenUnder: (key: VendingKey) => (cipher: TokenCipher) => Pick<Decision, 'tokens' | 'audit'>,
  ): Promise<Decision> {
    if (!profile.keyChangeAllowed) assertSubclassAllowed([], 'management', 3);
    const to = await this.tx.read((em) => readLiveKey(em, due.to.sgc, due.to.krn));
    if (!to) throw keyNotFound(due.to.sgc, due.to.krn, 'target');
    assertInScope(client, to.key.sgc);
    const target: MeterKeyDto = {
      iin: held.iin,
      drn: held.drn,
      sgc: to.key.sgc,
      krn: to.key.krn,
      tariffIndex: due.tariffIndex,
      ea: held.ea,
    };
    await this.assertKeyChange(from, held, to, target);
    const newKey = this.keys.vendKey(to, target, 'meter');
    const set = await this.keyChanges.buildSet(from.key, held, to.key, target);
    const sections = keyChangeTokens(set);
    const purchase = await this.underMeterKey(newKey, target, tokenUnder(newKey));
    const id = randomUUID();
    return {
      ...purchase,
      id,
      checkRef: target,
      tokens: [
        {
          key: from.key,
          build: () => sections,
          event: {
            action: 'vending.token.key-change',
            details: {
              ro: set.ro,
              toSgc: to.key.sgc,
              toKrn: to.key.krn,
              toTariffIndex: target.tariffIndex,
              toEa: target.ea,
              newVendingKeyKcv: to.key.kcv,
              sections: sections.length,
              withPurchase: true,
              reason: due.reason,
              reprintOf: due.reprintOf,
            },
          },
        },
        ...purchase.tokens,
      ],
      before: this.keyChangeWrites(client, id, from.key, held, to.key, target, set.ro),
      keyChange: {
        ro: set.ro,
        newVendingKey: keyRef(to.key),
        newTariffIndex: target.tariffIndex,
        newEa: target.ea,
        fromVendingKey: keyRef(from.key),
        reason: due.reason,
        ...(due.reprintOf ? { reprintOf: due.reprintOf } : {}),
      },
      audit: { ...purchase.audit, keyChange: { fromKrn: from.key.krn, toKrn: to.key.krn } },
    };
  }

  /**
   * The writes of a key-change set in the transaction that issues it: the meter's TIDs carried
   * over to the new key when the base date stays, and its registry row moved to the new key.
   */
  private keyChangeWrites(
    client: AuthenticatedPrincipal,
    changeId: string,
    from: VendingKey,
    current: MeterKeyParams,
    to: VendingKey,
    target: MeterKeyParams,
    ro: 0 | 1,
  ): IssuancePlan['before'] {
    return async (em, at) => {
      const meter = { iin: current.iin, drn: current.drn };
      await this.keyChanges.carryTids(em, this.tids, meter, from, to, ro, at);
      await this.meterKeys.recordKeyChange(em, {
        meter,
        from: heldKeyOf(from, current.tariffIndex),
        to: heldKeyOf(to, target.tariffIndex),
        ea: target.ea,
        changeId,
        source: 'key-change',
        recordedBy: client.id,
        at,
      });
    };
  }

  // ---- from request to plan ----

  /**
   * Replays an earlier answer for the same Idempotency-Key, or decides the request (`decide`:
   * rules, token work outside the database) and hands the plan to the pipeline.
   *
   * The reads a request needs (earlier answer, client profile, the vending key it names) run at
   * once; their errors are checked in the same order as the rules give them. A decision made on a
   * cached key row is made again on a fresh read when it refuses, or when the batch finds the row
   * changed.
   */
  private issue(
    request: IssueRequest,
    ref: MeterKeyDto | null,
    decide: (profile: ClientProfile, live: LiveKey | null) => Promise<Decision>,
    redecide = false,
  ): Promise<IssuanceResult> {
    const fingerprint = requestFingerprint(request.kind, request.body);
    return this.keys.decide(ref, async (read) => {
      const [earlierRead, profileRead, keyRead] = await Promise.allSettled([
        request.idempotencyKey !== undefined ? this.replay(request, fingerprint) : undefined,
        this.clients.profile(request.client.id),
        read,
      ]);
      const earlier = valueOf(earlierRead);
      if (earlier) return earlier;
      const found = valueOf(keyRead);
      const decision = await retryIfCached(found, () => decide(valueOf(profileRead), found.live));
      const key = decision.vendingKey;
      const checkRef = decision.checkRef ?? ref;
      const { checkRef: _checked, ...planned } = decision;
      const plan: IssuancePlan = {
        ...planned,
        client: request.client,
        kind: request.kind,
        idempotencyKey: request.idempotencyKey,
        fingerprint,
        requestId: currentRequestId().slice(0, 64),
        meter: request.meter,
        keyCheck:
          key && checkRef
            ? { used: key, check: (row) => this.recheck(key, row, checkRef, redecide) }
            : undefined,
      };
      try {
        return { body: await this.pipeline.issue(plan, currentContext()), replayed: false };
      } catch (error) {
        // A concurrent request with the same Idempotency-Key committed first: answer as it did.
        if (request.idempotencyKey !== undefined && isUniqueViolation(error)) {
          const again = await this.replay(request, fingerprint);
          if (again) return again;
        }
        throw error;
      } finally {
        decision.dispose?.();
      }
    });
  }

  /**
   * The batch's judgement of the plan's key. With `redecide` (a purchase that follows the
   * registry) a key the rules now refuse is decided again on a fresh read rather than refused:
   * the fresh decision may be a key change.
   */
  private recheck(
    used: VendingKey,
    row: LiveKey | undefined,
    ref: MeterKeyDto,
    redecide: boolean,
  ): void {
    try {
      this.keys.recheck(used, row, ref);
    } catch (error) {
      if (redecide && error instanceof DomainError) throw new KeyRetry(error);
      throw error;
    }
  }

  private async replay(
    request: IssueRequest,
    fingerprint: string,
  ): Promise<IssuanceResult | undefined> {
    const row = await this.tx.read((em) =>
      em.findOneBy(Issuance, {
        clientId: request.client.id,
        idempotencyKey: request.idempotencyKey,
      }),
    );
    if (!row) return undefined;
    assertSamePayload(row, fingerprint, request.idempotencyKey ?? '');
    return { body: JSON.parse(row.response) as TokenIssuanceDto, replayed: true };
  }

  /**
   * The token work under the meter's decoder key: derived in the token first (outside the
   * database transaction; with the other derivations under the same key asked for meanwhile, in
   * one token call), held by a cipher, and zeroed as soon as the cipher holds it.
   */
  private async underMeterKey(
    key: VendingKey,
    m: MeterKeyDto,
    plan: (cipher: TokenCipher) => Pick<Decision, 'tokens' | 'audit'>,
  ): Promise<Decision> {
    this.keys.nowTid(key, this.clock.now());
    const dk = await this.derivations.derive(key.tokenLabel, derivationInput(key, m, 'meter'));
    let cipher: TokenCipher;
    try {
      cipher = createCipher(m.ea, dk);
    } finally {
      dk.fill(0);
    }
    return {
      ...plan(cipher),
      vendingKey: key,
      lockKey: tidLockKey(key.id, m),
      dispose: () => cipher.dispose(),
    };
  }

  /** A token spec under `key` that carries the meter's next TID under it. */
  private tidSpec(key: VendingKey, build: (tid: number) => IssuedTokenDto[]): TokenSpec {
    return {
      key,
      tid: { nowTid: (at) => this.keys.nowTid(key, new Date(at)) },
      build: (tid) => {
        if (tid === null) throw new Error('TID missing');
        return build(tid);
      },
    };
  }
}

/** A decision made on a cached key row is made again on a fresh read when it fails. */
async function retryIfCached<T>(found: FoundKey, decide: () => Promise<T>): Promise<T> {
  try {
    return await decide();
  } catch (error) {
    if (found.cached) throw new KeyRetry(error);
    throw error;
  }
}
