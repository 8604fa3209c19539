import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import { In, type EntityManager } from 'typeorm';
import { AuditService, type AuditActor } from '../../audit/audit.service';
import type { AuthenticatedPrincipal } from '../../auth/authenticated-principal';
import { CeremoniesService } from '../../ceremonies/ceremonies.service';
import { Clock } from '../../common/clock';
import { DomainError } from '../../common/domain-error';
import { ErrorCode } from '../../common/error-codes';
import { ExpiringCache } from '../../common/expiring-cache';
import { TransactionRunner } from '../../database/transaction-runner';
import { Principal } from '../../principals/principal.entity';
import {
  type CreateTransportKeyDto,
  type TransportKeyCreatedDto,
  TransportKeyDto,
  type UpsertVendingClientDto,
  VendingClientDto,
  type VendingClientListDto,
} from '../dto/vending-client.dto';
import { TransportKey, type TransportKeyState } from '../transport-keys/transport-key.entity';
import type { CeremonyDto } from '../../ceremonies/dto/ceremony.dto';
import { VENDING_CONFIG, type VendingConfig } from '../vending-config';
import { VendingClient } from './vending-client.entity';
import { type PageOrder, type PageQueryDto, readPage } from '../../common/paging';

export const DEFAULT_RATE_PER_SECOND = 50;
export const DEFAULT_BURST = 100;

/** What the vending routes need of a client, read once per request (cached briefly). */
export interface ClientProfile {
  readonly principalId: string;
  readonly creditSubclasses: readonly number[];
  readonly managementSubclasses: readonly number[];
  readonly testSubclasses: readonly number[];
  readonly keyChangeAllowed: boolean;
  readonly maxUnitAmount: string | null;
  readonly maxCurrencyAmount: string | null;
  readonly ratePerSecond: number;
  readonly burst: number;
}

/** A client without a profile may do nothing (deny by default) and is limited to the defaults. */
function emptyProfile(principalId: string): ClientProfile {
  return {
    principalId,
    creditSubclasses: [],
    managementSubclasses: [],
    testSubclasses: [],
    keyChangeAllowed: false,
    maxUnitAmount: null,
    maxCurrencyAmount: null,
    ratePerSecond: DEFAULT_RATE_PER_SECOND,
    burst: DEFAULT_BURST,
  };
}

function toProfile(c: VendingClient): ClientProfile {
  return {
    principalId: c.principalId,
    creditSubclasses: c.creditSubclasses.map(Number),
    managementSubclasses: c.managementSubclasses.map(Number),
    testSubclasses: c.testSubclasses.map(Number),
    keyChangeAllowed: c.keyChangeAllowed === 1,
    maxUnitAmount: c.maxUnitAmount,
    maxCurrencyAmount: c.maxCurrencyAmount,
    ratePerSecond: c.ratePerSecond,
    burst: c.burst,
  };
}

/** The list order: by principal id (unique). */
const VENDING_CLIENT_ORDER: PageOrder<VendingClient> = {
  keys: [{ column: 'c.principal_id', value: (c) => c.principalId }],
  direction: 'ASC',
};

/**
 * Vending client onboarding: the profile (allowed subclasses, amount limits, rate) and the client's
 * transport key, loaded into the token by a component ceremony of the client's custodians.
 */
@Injectable()
export class VendingClientsService implements OnModuleInit {
  /** Profiles by principal, reused for STS_VENDING_PROFILE_CACHE_MS. */
  private readonly profiles: ExpiringCache<string, ClientProfile>;
  /** Active transport keys by principal, reused like profiles (dropped when this process changes one). */
  private readonly transportKeys: ExpiringCache<string, TransportKey>;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly ceremonies: CeremoniesService,
    private readonly clock: Clock,
    @Inject(VENDING_CONFIG) config: VendingConfig,
  ) {
    this.profiles = new ExpiringCache({ ttlMs: config.profileCacheMs });
    this.transportKeys = new ExpiringCache({ ttlMs: config.profileCacheMs });
  }

  onModuleInit(): void {
    this.ceremonies.register('transport-key', {
      spec: async (em, c) => {
        const key = await this.findTransportKey(em, c.subjectId);
        return {
          label: key.tokenLabel,
          algorithm: 'AES',
          usage: 'WRAP',
          lengthBytes: key.lengthBytes,
        };
      },
      onCompleted: async (em, c, info, who) => {
        const key = await this.findTransportKey(em, c.subjectId);
        const previous = await em.findBy(TransportKey, {
          principalId: key.principalId,
          state: 'active',
        });
        for (const old of previous) await this.setState(em, old, 'retired', who, { by: key.id });
        key.kcv = info.kcv;
        await this.setState(em, key, 'active', who, { kcv: info.kcv });
      },
      onFailed: async (em, c, _state, who) => {
        await this.setState(em, await this.findTransportKey(em, c.subjectId), 'failed', who, {});
      },
    });
  }

  /** The client's profile as the vending routes use it (cached for STS_VENDING_PROFILE_CACHE_MS). */
  profile(principalId: string): Promise<ClientProfile> {
    return this.profiles.get(principalId, async () => {
      const row = await this.tx.read((em) => em.findOneBy(VendingClient, { principalId }));
      return row ? toProfile(row) : emptyProfile(principalId);
    });
  }

  /** The client's active transport key; 409 TRANSPORT_KEY_MISSING without one. */
  activeTransportKey(principalId: string): Promise<TransportKey> {
    return this.transportKeys.get(principalId, async () => {
      const key = await this.tx.read((em) =>
        em.findOne(TransportKey, {
          where: { principalId, state: 'active' },
          order: { createdAt: 'DESC' },
        }),
      );
      if (!key) {
        throw new DomainError(
          ErrorCode.TRANSPORT_KEY_MISSING,
          'You have no active transport key: a security officer loads one by component ceremony',
        );
      }
      return key;
    });
  }

  async upsert(
    actor: AuthenticatedPrincipal,
    principalId: string,
    dto: UpsertVendingClientDto,
  ): Promise<VendingClientDto> {
    const result = await this.tx.run(async (em) => {
      const principal = await this.vendingPrincipal(em, principalId);
      const now = this.clock.nowIso();
      const existing = await em.findOneBy(VendingClient, { principalId });
      const row = em.create(VendingClient, {
        principalId,
        creditSubclasses: [...dto.creditSubclasses].sort().map(String),
        managementSubclasses: [...dto.managementSubclasses].sort().map(String),
        testSubclasses: [...dto.testSubclasses].sort().map(String),
        keyChangeAllowed: dto.keyChangeAllowed ? 1 : 0,
        maxUnitAmount: dto.maxUnitAmount ?? null,
        maxCurrencyAmount: dto.maxCurrencyAmount ?? null,
        ratePerSecond: dto.ratePerSecond ?? existing?.ratePerSecond ?? DEFAULT_RATE_PER_SECOND,
        burst: dto.burst ?? existing?.burst ?? DEFAULT_BURST,
        updatedBy: actor.id,
        createdAt: existing?.createdAt ?? now,
        updatedAt: now,
      });
      await em.save(row);
      const profile = VendingClientDto.from(row, principal, await this.currentKey(em, principalId));
      const { transportKey: _t, name: _n, sgcScope: _s, ...settings } = profile;
      await this.audit.record(em, {
        actor,
        action: existing ? 'vending-client.update' : 'vending-client.create',
        subjectType: 'principal',
        subjectId: principalId,
        details: settings,
      });
      return profile;
    });
    this.profiles.delete(principalId);
    return result;
  }

  /** One page of vending client profiles, in principal id order. */
  async list(query: PageQueryDto): Promise<VendingClientListDto> {
    return this.tx.read(async (em) => {
      const page = await readPage(
        em.createQueryBuilder(VendingClient, 'c'),
        VENDING_CLIENT_ORDER,
        query,
      );
      const rows = page.rows;
      if (rows.length === 0) return { items: [], next: page.next };
      const ids = rows.map((r) => r.principalId);
      const principals = await em.findBy(Principal, { id: In(ids) });
      const keys = await em.findBy(TransportKey, { principalId: In(ids), state: 'active' });
      const items = rows.map((r) => {
        const p = principals.find((x) => x.id === r.principalId);
        return VendingClientDto.from(
          r,
          { name: p?.name ?? '', sgcScope: p?.sgcScope ?? [] },
          keys.find((k) => k.principalId === r.principalId) ?? null,
        );
      });
      return { items, next: page.next };
    });
  }

  async get(caller: AuthenticatedPrincipal, principalId: string): Promise<VendingClientDto> {
    const onlySelf =
      caller.roles.includes('vending-client') ||
      !caller.roles.some((r) => r === 'security-officer' || r === 'auditor');
    if (onlySelf && caller.id !== principalId)
      throw DomainError.notFound('vendingClient', principalId);
    return this.tx.read(async (em) => {
      const row = await em.findOneBy(VendingClient, { principalId });
      const principal = await em.findOneBy(Principal, { id: principalId });
      if (!row || !principal) throw DomainError.notFound('vendingClient', principalId);
      return VendingClientDto.from(row, principal, await this.currentKey(em, principalId));
    });
  }

  /**
   * Starts a new transport key for a vending client: a component ceremony of the client's
   * custodians (`method: 'ceremony'`), or a key generated in the token as components that the
   * named custodians collect (`method: 'generate'`). Either way the key becomes the client's
   * active transport key (retiring the previous one) when the ceremony completes.
   */
  async createTransportKey(
    actor: AuthenticatedPrincipal,
    principalId: string,
    dto: CreateTransportKeyDto,
  ): Promise<TransportKeyCreatedDto> {
    const generate = dto.method === 'generate';
    let generated: { ceremonyId: string; label: string } | undefined;
    try {
      return await this.tx.run(async (em) => {
        await this.vendingPrincipal(em, principalId);
        const id = randomUUID();
        const now = this.clock.nowIso();
        const key = em.create(TransportKey, {
          id,
          principalId,
          tokenLabel: `tk-${principalId.slice(0, 8)}-${id.slice(0, 8)}`,
          lengthBytes: dto.lengthBytes,
          state: 'loading',
          expectedKcv: generate ? '' : (dto.expectedKcv ?? '').toLowerCase(),
          kcv: null,
          createdBy: actor.id,
          createdAt: now,
          updatedAt: now,
        });
        await em.insert(TransportKey, key);
        const opening = {
          purpose: 'transport-key' as const,
          subjectId: id,
          algorithm: 'AES' as const,
          lengthBytes: dto.lengthBytes,
          componentCount: dto.componentCount,
          custodianIds: dto.custodianIds ?? [],
        };
        let ceremony: CeremonyDto;
        if (generate) {
          const opened = await this.ceremonies.openGenerated(em, actor, opening);
          generated = { ceremonyId: opened.ceremony.id, label: opened.key.label };
          ceremony = opened.ceremony;
          key.expectedKcv = opened.key.kcv;
          key.kcv = opened.key.kcv;
          await em.save(key);
        } else {
          ceremony = await this.ceremonies.open(em, actor, {
            ...opening,
            expectedKcv: key.expectedKcv,
          });
        }
        await this.audit.record(em, {
          actor,
          action: 'transport-key.create',
          subjectType: 'transport-key',
          subjectId: id,
          details: {
            principalId,
            lengthBytes: dto.lengthBytes,
            method: generate ? 'generate' : 'ceremony',
            expectedKcv: key.expectedKcv,
          },
        });
        return { transportKey: TransportKeyDto.from(key), ceremony };
      });
    } catch (error) {
      if (generated) await this.ceremonies.discardGenerated(generated.ceremonyId, generated.label);
      throw error;
    }
  }

  private async vendingPrincipal(em: EntityManager, principalId: string): Promise<Principal> {
    const principal = await em.findOneBy(Principal, { id: principalId });
    if (!principal) throw DomainError.notFound('principal', principalId);
    if (!principal.roles.includes('vending-client')) {
      throw DomainError.invalidState(`Principal ${principalId} is not a vending client`, {
        roles: principal.roles,
      });
    }
    return principal;
  }

  private async currentKey(em: EntityManager, principalId: string): Promise<TransportKey | null> {
    return em.findOne(TransportKey, {
      where: { principalId, state: 'active' },
      order: { createdAt: 'DESC' },
    });
  }

  private async findTransportKey(em: EntityManager, id: string): Promise<TransportKey> {
    const key = await em.findOneBy(TransportKey, { id });
    if (!key) throw DomainError.notFound('transportKey', id);
    return key;
  }

  private async setState(
    em: EntityManager,
    key: TransportKey,
    to: TransportKeyState,
    who: AuditActor,
    details: Record<string, unknown>,
  ): Promise<void> {
    const from = key.state;
    this.transportKeys.delete(key.principalId);
    key.state = to;
    key.updatedAt = this.clock.nowIso();
    await em.save(key);
    await this.audit.record(em, {
      actor: who,
      action: `transport-key.${to === 'active' ? 'load' : to === 'retired' ? 'retire' : 'load.abandon'}`,
      subjectType: 'transport-key',
      subjectId: key.id,
      details: { principalId: key.principalId, from, to, ...details },
    });
  }
}
