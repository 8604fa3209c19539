import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
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
import { AuditService } from '../audit/audit.service';
import type { AuthenticatedPrincipal } from '../auth/authenticated-principal';
import { Clock } from '../common/clock';
import { DomainError, isUniqueViolation } from '../common/domain-error';
import { ErrorCode } from '../common/error-codes';
import { JsonLogger } from '../common/json-logger';
import { currentRequestId } from '../common/request-context';
import { TransactionRunner } from '../database/transaction-runner';
import { SupplyGroup } from '../supply-groups/supply-group.entity';
import { assertInScope } from '../supply-groups/supply-groups.service';
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
import { Issuance, type IssuanceKind } from './issuance/issuance.entity';
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
  KT_OF,
} from './rules/sts-rules';
import { TidAllocator } from './tid-allocation/tid-allocator';
import { VENDING_CONFIG, type VendingConfig } from './vending-config';

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
  readonly dispose?: () => void;
}

const CREDIT_NAMES = ['electricity', 'water', 'gas', 'time'] as const;

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
export class VendingService implements OnModuleInit, OnModuleDestroy {
  private readonly tids: TidAllocator;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clients: VendingClientsService,
    private readonly keyChanges: KeyChangeIssuer,
    private readonly clock: Clock,
    private readonly logger: JsonLogger,
    @Inject(VENDING_CONFIG) private readonly config: VendingConfig,
    @Inject(KEY_CUSTODY) private readonly custody: KeyCustody,
  ) {
    this.tids = new TidAllocator(tx.isPostgres, config.tidWindowMinutes);
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

  /** The allocator, for other issuers (campaigns) that share the TID sequence. */
  get tidAllocator(): TidAllocator {
    return this.tids;
  }

  // ---- derived keys ----

  async derivedKey(
    client: AuthenticatedPrincipal,
    dto: DerivedKeyRequestDto,
  ): Promise<DerivedKeyDto> {
    const m = dto.meter;
    assertInScope(client, m.sgc);
    const key = await this.vendKey(m, 'meter');
    const now = this.clock.now();
    assertKenCoversTid(key, this.nowTid(key, now));
    const transport = await this.clients.activeTransportKey(client.id);
    const input = derivationInput(key, m, 'meter');
    const wrapped = await this.custody.exportDecoderKey(
      key.tokenLabel,
      input,
      transport.tokenLabel,
    );
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
    await this.tx.run((em) =>
      this.audit.record(em, {
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
      }),
    );
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
      async (profile) => {
        const m = dto.meter;
        assertInScope(client, m.sgc);
        assertSubclassAllowed(profile.creditSubclasses, 'credit', dto.subclass);
        assertAmountWithinLimit(dto.subclass, dto.amount, profile);
        const key = await this.vendKey(m, 'meter');
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
              { token, tokenClass: 0, subclass: dto.subclass, tid, description: `credit: ${what}` },
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
      async (profile) => {
        const m = dto.meter;
        assertInScope(client, m.sgc);
        assertSubclassAllowed(profile.managementSubclasses, 'management', dto.subclass);
        const key = await this.vendKey(m, 'meter');
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
    return this.issue({ client, kind: 'test', body: dto, idempotencyKey: idem }, (profile) => {
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
    });
  }

  async keyChange(
    client: AuthenticatedPrincipal,
    dto: KeyChangeRequestDto,
    idem?: string,
  ): Promise<IssuanceResult> {
    return this.issue(
      { client, kind: 'key-change', body: dto, idempotencyKey: idem },
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

  /** An earlier answer by its issuance id: the client that asked for it, or an auditor. */
  async reprint(caller: AuthenticatedPrincipal, id: string): Promise<TokenIssuanceDto> {
    return this.tx.run(async (em) => {
      const row = await em.findOneBy(Issuance, { id });
      const auditor = caller.roles.includes('auditor');
      if (!row || (!auditor && row.clientId !== caller.id))
        throw DomainError.notFound('issuance', id);
      await this.audit.record(em, {
        actor: caller,
        action: 'vending.reprint',
        subjectType: 'issuance',
        subjectId: id,
        details: {
          kind: row.kind,
          clientId: row.clientId,
          iin: row.iin,
          drn: row.drn,
          tids: row.tids,
        },
      });
      return JSON.parse(row.response) as TokenIssuanceDto;
    });
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
   * outside the database) and commits its `finish` step with the issuance record and the audit
   * event in one transaction.
   */
  private async issue(
    ctx: IssueContext,
    prepare: (profile: ClientProfile) => Promise<Prepared>,
  ): Promise<IssuanceResult> {
    const fingerprint = requestFingerprint(ctx.kind, ctx.body);
    if (ctx.idempotencyKey !== undefined) {
      const earlier = await this.replay(ctx, fingerprint);
      if (earlier) return earlier;
    }
    const profile = await this.clients.profile(ctx.client.id);
    const prepared = await prepare(profile);
    const meter = (ctx.body as { meter: { iin: string; drn: string } }).meter;
    try {
      const body = await this.tx.run(async (em) => {
        const issuedAt = this.clock.nowIso();
        const parts = await prepared.finish(em, issuedAt);
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
        await em.insert(Issuance, {
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
          requestId: currentRequestId().slice(0, 64),
          createdAt: issuedAt,
        });
        await this.audit.record(em, {
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
        });
        return body;
      });
      return { body, replayed: false };
    } catch (error) {
      // A concurrent request with the same Idempotency-Key committed first: answer as it did.
      if (ctx.idempotencyKey !== undefined && isUniqueViolation(error)) {
        const earlier = await this.replay(ctx, fingerprint);
        if (earlier) return earlier;
      }
      throw error;
    } finally {
      prepared.dispose?.();
    }
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
   * transaction), then, inside it, allocates the TID, checks KEN and encrypts. The key is zeroed
   * as soon as the token is built.
   */
  private async withTid(
    key: VendingKey,
    m: MeterKeyDto,
    build: (cipher: TokenCipher, tid: number) => Omit<Built, 'vendingKey'>,
  ): Promise<Prepared> {
    this.nowTid(key, this.clock.now());
    const input = derivationInput(key, m, 'meter');
    const dk = await this.custody.deriveDecoderKey(key.tokenLabel, input);
    let cipher: TokenCipher;
    try {
      cipher = createCipher(m.ea, dk);
    } finally {
      dk.fill(0);
    }
    return {
      finish: async (em, at) => {
        const tid = await this.tids.allocate(em, m, key.id, this.nowTid(key, new Date(at)), at);
        assertKenCoversTid(key, tid);
        return { vendingKey: key, ...build(cipher, tid) };
      },
      dispose: () => cipher.dispose(),
    };
  }

  /** The vending key a meter's credit/management/derived key request uses, with the rules applied. */
  private async vendKey(m: MeterKeyDto, prefix: string): Promise<VendingKey> {
    const key = await this.tx.read((em) => this.findKey(em, m.sgc, m.krn, prefix));
    assertKeyUsable(key, 'vend', this.clock.nowIso());
    assertKeyParameters(key, m, prefix);
    assertEaAllowed(key, m.ea, `${prefix}.ea`);
    return key;
  }

  private async findKey(
    em: EntityManager,
    sgc: string,
    krn: number,
    prefix: string,
  ): Promise<VendingKey> {
    const key = await em.findOneBy(VendingKey, { sgc, liveKrn: krn });
    if (!key) {
      throw new DomainError(ErrorCode.NOT_FOUND, `No live vending key for SGC ${sgc} KRN ${krn}`, {
        field: `${prefix}.krn`,
        sgc,
        krn,
      });
    }
    return key;
  }

  /** The TID of `at` counted from the key's base date (STS-SPEC §6). */
  private nowTid(key: VendingKey, at: Date): number {
    return tidFromDate(at, key.baseDate as BaseDate);
  }
}

/** The kind-specific parts of a token answer. */
interface BodyParts {
  readonly tokens: IssuedTokenDto[];
  readonly keyChange?: TokenIssuanceDto['keyChange'];
}
