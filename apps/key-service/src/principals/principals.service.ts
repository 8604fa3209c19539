import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, SYSTEM_ACTOR } from '../audit/audit.service';
import { newApiKey, parseApiKey, secretMatches } from '../auth/api-key';
import type { AuthenticatedPrincipal } from '../auth/authenticated-principal';
import type { Role } from '../auth/role';
import { Clock } from '../common/clock';
import { DomainError, isUniqueViolation } from '../common/domain-error';
import { ErrorCode } from '../common/error-codes';
import { ExpiringCache } from '../common/expiring-cache';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { TransactionRunner } from '../database/transaction-runner';
import type { CreatePrincipalDto, UpdatePrincipalDto } from './dto/principal.dto';
import { Principal } from './principal.entity';

const KEY_HANDLING: readonly Role[] = ['security-officer', 'custodian'];
/** Most principals kept in the authentication cache (emptied when full). */
const AUTH_CACHE_MAX = 10_000;

/** Principals, their roles and API keys (shown once, stored hashed). */
@Injectable()
export class PrincipalsService {
  /** Principal rows by API key id, each reused for at most `authCacheMs` (see STS_AUTH_CACHE_MS). */
  private readonly byKeyId: ExpiringCache<string, Principal | null>;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.byKeyId = new ExpiringCache({ ttlMs: config.authCacheMs, maxEntries: AUTH_CACHE_MAX });
  }

  /**
   * The principal an API key belongs to, if the key is valid and the principal active. The
   * secret is checked on every call; the principal's row is reused for at most
   * STS_AUTH_CACHE_MS, and dropped at once when this process changes it.
   */
  async authenticate(presented: string): Promise<AuthenticatedPrincipal | undefined> {
    const parsed = parseApiKey(presented);
    if (!parsed) return undefined;
    const p = await this.principalByKeyId(parsed.id);
    if (!p || p.state !== 'active' || !secretMatches(parsed.secret, p.apiKeyHash)) return undefined;
    return { id: p.id, name: p.name, roles: p.roles, sgcScope: p.sgcScope };
  }

  private principalByKeyId(apiKeyId: string): Promise<Principal | null> {
    return this.byKeyId.get(apiKeyId, () =>
      this.tx.read((em) => em.findOneBy(Principal, { apiKeyId })),
    );
  }

  async list(): Promise<Principal[]> {
    return this.tx.read((em) => em.find(Principal, { order: { name: 'ASC' } }));
  }

  async get(id: string): Promise<Principal> {
    const p = await this.tx.read((em) => em.findOneBy(Principal, { id }));
    if (!p) throw DomainError.notFound('principal', id);
    return p;
  }

  async create(
    actor: AuthenticatedPrincipal,
    dto: CreatePrincipalDto,
  ): Promise<{ principal: Principal; apiKey: string }> {
    const scope = dto.sgcScope ?? [];
    checkRoleRules(dto.roles, scope);
    return this.tx.run((em) => this.insert(em, actor, dto.name, dto.roles, scope));
  }

  /**
   * First-admin bootstrap for a fresh install: creates `name` as admin only when no principal
   * exists; returns undefined otherwise (idempotent, safe to run on every start).
   */
  async bootstrapAdmin(
    name: string,
  ): Promise<{ principal: Principal; apiKey: string } | undefined> {
    return this.tx.run(async (em) => {
      if ((await em.count(Principal)) > 0) return undefined;
      return this.insert(em, SYSTEM_ACTOR, name, ['admin'], [], 'principal.bootstrap-admin');
    });
  }

  async update(
    actor: AuthenticatedPrincipal,
    id: string,
    dto: UpdatePrincipalDto,
  ): Promise<Principal> {
    return this.changing(async (em) => {
      const p = await em.findOneBy(Principal, { id });
      if (!p) throw DomainError.notFound('principal', id);
      const roles = dto.roles ?? p.roles;
      const scope = dto.sgcScope ?? (roles.includes('vending-client') ? p.sgcScope : []);
      checkRoleRules(roles, scope);
      const state = dto.state ?? p.state;
      if (p.roles.includes('admin') && (!roles.includes('admin') || state !== 'active')) {
        const admins = (await em.find(Principal, { where: { state: 'active' } })).filter((x) =>
          x.roles.includes('admin'),
        );
        if (admins.length <= 1) {
          throw DomainError.invalidState('The last active admin cannot be disabled or demoted');
        }
      }
      const before = { roles: p.roles, sgcScope: p.sgcScope, state: p.state };
      p.roles = roles;
      p.sgcScope = scope;
      p.state = state;
      p.updatedAt = this.clock.nowIso();
      await em.save(p);
      await this.audit.record(em, {
        actor,
        action: 'principal.update',
        subjectType: 'principal',
        subjectId: p.id,
        details: { before, after: { roles, sgcScope: scope, state } },
      });
      return p;
    });
  }

  async rotateApiKey(
    actor: AuthenticatedPrincipal,
    id: string,
  ): Promise<{ principal: Principal; apiKey: string }> {
    return this.changing(async (em) => {
      const p = await em.findOneBy(Principal, { id });
      if (!p) throw DomainError.notFound('principal', id);
      const key = newApiKey();
      p.apiKeyId = key.id;
      p.apiKeyHash = key.hash;
      p.apiKeyCreatedAt = this.clock.nowIso();
      p.updatedAt = p.apiKeyCreatedAt;
      await em.save(p);
      await this.audit.record(em, {
        actor,
        action: 'principal.api-key.rotate',
        subjectType: 'principal',
        subjectId: p.id,
        details: { keyId: key.id },
      });
      return { principal: p, apiKey: key.key };
    });
  }

  /** Runs a change to principals, then forgets this process's cached principals. */
  private async changing<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    try {
      return await this.tx.run(work);
    } finally {
      this.byKeyId.clear();
    }
  }

  private async insert(
    em: EntityManager,
    actor: { id: string; name: string },
    name: string,
    roles: Role[],
    scope: string[],
    action = 'principal.create',
  ): Promise<{ principal: Principal; apiKey: string }> {
    const now = this.clock.nowIso();
    const key = newApiKey();
    const principal = em.create(Principal, {
      id: randomUUID(),
      name,
      roles,
      sgcScope: scope,
      state: 'active',
      apiKeyId: key.id,
      apiKeyHash: key.hash,
      apiKeyCreatedAt: now,
      createdBy: actor.id === SYSTEM_ACTOR.id ? null : actor.id,
      createdAt: now,
      updatedAt: now,
    });
    try {
      await em.insert(Principal, principal);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainError(ErrorCode.ALREADY_EXISTS, `A principal named ${name} exists`, {
          field: 'name',
        });
      }
      throw error;
    }
    await this.audit.record(em, {
      actor,
      action,
      subjectType: 'principal',
      subjectId: principal.id,
      details: { name, roles, sgcScope: scope, keyId: key.id },
    });
    return { principal, apiKey: key.key };
  }
}

/** Separation of duties and scope rules (400 naming the field). */
function checkRoleRules(roles: readonly Role[], scope: readonly string[]): void {
  if (roles.includes('admin') && roles.some((r) => KEY_HANDLING.includes(r))) {
    throw DomainError.validation(
      'roles',
      'roles: admin cannot be combined with security-officer or custodian (admins never handle keys)',
    );
  }
  const vending = roles.includes('vending-client');
  if (vending && scope.length === 0) {
    throw DomainError.validation(
      'sgcScope',
      'sgcScope: a vending client needs at least one supply group',
    );
  }
  if (!vending && scope.length > 0) {
    throw DomainError.validation(
      'sgcScope',
      'sgcScope: only vending clients have a supply-group scope',
    );
  }
}
