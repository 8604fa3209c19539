import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import type { Approval } from '../approvals/approval.entity';
import { type ApprovalResult, ApprovalsService } from '../approvals/approvals.service';
import { type AuditActor, AuditService, SYSTEM_ACTOR } from '../audit/audit.service';
import {
  CURRENT_SCHEME,
  newApiKey,
  newKeyFirstPart,
  newKeySecondPart,
  parseApiKey,
  secretMatches,
} from '../auth/api-key';
import type { AuthenticatedPrincipal } from '../auth/authenticated-principal';
import type { Role } from '../auth/role';
import { Clock } from '../common/clock';
import { DomainError, isUniqueViolation } from '../common/domain-error';
import { ErrorCode } from '../common/error-codes';
import { ExpiringCache } from '../common/expiring-cache';
import { type Page, type PageOrder, type PageQueryDto, readPage } from '../common/paging';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { TransactionRunner } from '../database/transaction-runner';
import type { CreatePrincipalDto, UpdatePrincipalDto } from './dto/principal.dto';
import { Principal, type PrincipalState } from './principal.entity';
import { checkRoleRules, needsSecondAdmin } from './role-rules';

/** The list order: by name (unique). */
const PRINCIPAL_ORDER: PageOrder<Principal> = {
  keys: [{ column: 'p.name', value: (p) => p.name }],
  direction: 'ASC',
};

/** Most principals kept in the authentication cache (emptied when full). */
const AUTH_CACHE_MAX = 10_000;

/** Why a presented key did not authenticate (for the audit trail, never for the caller). */
export type AuthenticationFailure =
  'malformed' | 'unknown-key' | 'wrong-secret' | 'pending' | 'disabled' | 'enrolment-expired';

export type Authentication =
  | { readonly ok: true; readonly principal: AuthenticatedPrincipal; readonly enrolment: boolean }
  | { readonly ok: false; readonly keyId?: string; readonly reason: AuthenticationFailure };

/** The first part of a new key, with the approval that will make the second. */
export interface KeyFirstPartIssued {
  readonly kind: 'first-part';
  readonly principal: Principal;
  readonly apiKeyPart: string;
  readonly approval: Approval;
}

/** A new principal: with a whole key, or waiting for a second admin with a first part. */
export type Issued =
  | { readonly kind: 'whole'; readonly principal: Principal; readonly apiKey: string }
  | KeyFirstPartIssued;

/** A change of a principal: done at once, or waiting for a second admin. */
export type Changed =
  | { readonly kind: 'done'; readonly principal: Principal }
  | { readonly kind: 'requested'; readonly principal: Principal; readonly approval: Approval };

/** The people installed with the service (`key-service bootstrap-admin`). */
export interface InstallationPlan {
  readonly admins: readonly string[];
  readonly officers: readonly string[];
  readonly custodians: readonly string[];
  readonly auditors: readonly string[];
}

type Snapshot = Pick<Principal, 'roles' | 'sgcScope' | 'state'>;

/**
 * Principals, their roles and API keys (shown once, stored as verifiers). No single admin brings a
 * person able to touch keys or people into being, or holds another person's key:
 *
 * - a principal with a role of {@link needsSecondAdmin} is created `pending`; a second admin's
 *   approval activates it. Its key is issued in two parts, the first to the requesting admin, the
 *   second to the approving one;
 * - changing such roles, re-enabling a principal and issuing another principal's key also wait
 *   for a second admin (issued keys again in two parts);
 * - every key issued by someone other than its holder is an enrolment key: it only exchanges
 *   itself for the holder's own key ({@link PrincipalsService.rotateOwnKey}), within
 *   STS_ENROLMENT_TTL_HOURS;
 * - nobody changes their own roles or state.
 */
@Injectable()
export class PrincipalsService implements OnModuleInit {
  /** Principal rows by API key id, each reused for at most `authCacheMs` (see STS_AUTH_CACHE_MS). */
  private readonly byKeyId: ExpiringCache<string, Principal | null>;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly approvals: ApprovalsService,
    private readonly clock: Clock,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.byKeyId = new ExpiringCache({ ttlMs: config.authCacheMs, maxEntries: AUTH_CACHE_MAX });
  }

  onModuleInit(): void {
    this.approvals.register('principal.create', {
      decidedBy: 'admin',
      execute: (em, a, p, who) => this.forgetting(this.activateCreated(em, a, p, who)),
      onClosed: (em, a) => this.dropUnapproved(em, a),
    });
    this.approvals.register('principal.update', {
      decidedBy: 'admin',
      execute: (em, a, p, who) => this.forgetting(this.applyUpdate(em, a, p, who)),
    });
    this.approvals.register('principal.api-key', {
      decidedBy: 'admin',
      execute: (em, a, p, who) => this.forgetting(this.completeKey(em, a, p, who)),
    });
  }

  /**
   * Checks a presented API key. The secret is checked on every call; the principal's row is
   * reused for at most STS_AUTH_CACHE_MS, and dropped at once when this process changes it.
   */
  async authenticate(presented: string): Promise<Authentication> {
    const parsed = parseApiKey(presented);
    if (!parsed) return { ok: false, reason: 'malformed' };
    const keyId = parsed.id;
    const p = await this.principalByKeyId(keyId);
    if (!p) return { ok: false, keyId, reason: 'unknown-key' };
    if (!secretMatches(parsed.secret, p.apiKeyHash, p.apiKeyScheme)) {
      return { ok: false, keyId, reason: 'wrong-secret' };
    }
    if (p.state !== 'active') return { ok: false, keyId, reason: p.state };
    if (p.apiKeyEnrolment && this.enrolmentExpired(p)) {
      return { ok: false, keyId, reason: 'enrolment-expired' };
    }
    return {
      ok: true,
      principal: { id: p.id, name: p.name, roles: p.roles, sgcScope: p.sgcScope },
      enrolment: p.apiKeyEnrolment,
    };
  }

  private enrolmentExpired(p: Principal): boolean {
    const issued = Date.parse(p.apiKeyCreatedAt);
    return this.clock.now().getTime() > issued + this.config.enrolmentTtlSeconds * 1000;
  }

  private principalByKeyId(apiKeyId: string): Promise<Principal | null> {
    return this.byKeyId.get(apiKeyId, () =>
      this.tx.read((em) => em.findOneBy(Principal, { apiKeyId })),
    );
  }

  /** One page of principals, by name. */
  async list(query: PageQueryDto): Promise<Page<Principal>> {
    return this.tx.read((em) =>
      readPage(em.createQueryBuilder(Principal, 'p'), PRINCIPAL_ORDER, query),
    );
  }

  async get(id: string): Promise<Principal> {
    const p = await this.tx.read((em) => em.findOneBy(Principal, { id }));
    if (!p) throw DomainError.notFound('principal', id);
    return p;
  }

  /**
   * Creates a principal. Auditors and vending clients are active at once with a whole enrolment
   * key; any other role waits `pending` for a second admin, with the first part of its key.
   */
  async create(actor: AuthenticatedPrincipal, dto: CreatePrincipalDto): Promise<Issued> {
    const scope = dto.sgcScope ?? [];
    checkRoleRules(dto.roles, scope);
    if (!needsSecondAdmin(dto.roles)) {
      return this.tx.run(async (em) => {
        const key = newApiKey();
        const principal = await this.insert(em, actor, dto.name, dto.roles, scope, {
          state: 'active',
          keyId: key.id,
          keyHash: key.hash,
          enrolment: true,
        });
        return { kind: 'whole', principal, apiKey: key.key };
      });
    }
    return this.tx.run(async (em) => {
      const first = newKeyFirstPart();
      const principal = await this.insert(em, actor, dto.name, dto.roles, scope, {
        state: 'pending',
        keyId: first.id,
        keyHash: '', // matches no secret until the approval completes the key
        enrolment: true,
      });
      const approval = await this.approvals.request(em, actor, 'principal.create', principal.id, {
        name: dto.name,
        roles: dto.roles,
        sgcScope: scope,
        keyId: first.id,
        keyHeadHash: first.headHash,
      });
      return { kind: 'first-part', principal, apiKeyPart: first.part, approval };
    });
  }

  /**
   * The installation ceremony: on an empty database only, creates the first admins, officers,
   * custodians and auditors, each active with a whole enrolment key (the host administrator who
   * runs it holds the token PIN already). Returns undefined when principals exist.
   */
  async install(
    plan: InstallationPlan,
  ): Promise<{ principal: Principal; apiKey: string }[] | undefined> {
    const people: [string, Role][] = [
      ...plan.admins.map((n): [string, Role] => [n, 'admin']),
      ...plan.officers.map((n): [string, Role] => [n, 'security-officer']),
      ...plan.custodians.map((n): [string, Role] => [n, 'custodian']),
      ...plan.auditors.map((n): [string, Role] => [n, 'auditor']),
    ];
    if (plan.admins.length === 0) {
      throw DomainError.validation('admins', 'admins: the installation names at least one admin');
    }
    return this.tx.run(async (em) => {
      if ((await em.count(Principal)) > 0) return undefined;
      const created: { principal: Principal; apiKey: string }[] = [];
      for (const [name, role] of people) {
        const key = newApiKey();
        const principal = await this.insert(
          em,
          SYSTEM_ACTOR,
          name,
          [role],
          [],
          { state: 'active', keyId: key.id, keyHash: key.hash, enrolment: true },
          'principal.install',
        );
        created.push({ principal, apiKey: key.key });
      }
      return created;
    });
  }

  /**
   * Changes another principal's roles, scope or state. Disabling, and changes that touch only
   * auditor and vending-client roles or a scope, apply at once; a change of a role of
   * {@link needsSecondAdmin} (granted or taken away) and re-enabling wait for a second admin.
   */
  async update(
    actor: AuthenticatedPrincipal,
    id: string,
    dto: UpdatePrincipalDto,
  ): Promise<Changed> {
    if (id === actor.id) {
      throw new DomainError(
        ErrorCode.SELF_CHANGE,
        'Nobody changes their own roles or state: ask another admin',
      );
    }
    return this.changing(async (em) => {
      const p = await this.load(em, id);
      if (p.state === 'pending') {
        throw DomainError.invalidState(`Principal ${id} is pending approval`, { state: p.state });
      }
      const roles = dto.roles ?? p.roles;
      const sgcScope = dto.sgcScope ?? (roles.includes('vending-client') ? p.sgcScope : []);
      checkRoleRules(roles, sgcScope);
      const state = dto.state ?? p.state;
      const before: Snapshot = { roles: p.roles, sgcScope: p.sgcScope, state: p.state };
      const after: Snapshot = { roles, sgcScope, state };
      const rolesChanged = !sameSet(p.roles, roles);
      const gated =
        (rolesChanged && (needsSecondAdmin(p.roles) || needsSecondAdmin(roles))) ||
        (p.state === 'disabled' && state === 'active');
      if (!gated) {
        await this.applyChange(em, p, before, after, actor);
        return { kind: 'done', principal: p };
      }
      const approval = await this.approvals.request(em, actor, 'principal.update', p.id, {
        before,
        after,
      });
      return { kind: 'requested', principal: p, approval };
    });
  }

  /**
   * Issues a new key for another principal: always through a second admin, in two parts; the old
   * key works until the approval completes the new one.
   */
  async requestKey(actor: AuthenticatedPrincipal, id: string): Promise<KeyFirstPartIssued> {
    if (id === actor.id) {
      throw new DomainError(
        ErrorCode.SELF_CHANGE,
        'Your own key is replaced at POST /api/v1/principals/me/api-key',
      );
    }
    return this.tx.run(async (em) => {
      const principal = await this.load(em, id);
      if (principal.state === 'pending') {
        throw DomainError.invalidState(`Principal ${id} is pending approval`, { state: 'pending' });
      }
      const first = newKeyFirstPart();
      const approval = await this.approvals.request(em, actor, 'principal.api-key', id, {
        keyId: first.id,
        keyHeadHash: first.headHash,
      });
      return { kind: 'first-part', principal, apiKeyPart: first.part, approval };
    });
  }

  /**
   * Replaces the caller's own key with a new one only the caller sees. Exchanging an enrolment
   * key this way is how a holder takes possession of a key someone else issued.
   */
  async rotateOwnKey(
    actor: AuthenticatedPrincipal,
  ): Promise<{ principal: Principal; apiKey: string }> {
    return this.changing(async (em) => {
      const p = await this.load(em, actor.id);
      const enrolled = p.apiKeyEnrolment;
      const key = newApiKey();
      this.setKey(p, key.id, key.hash, false);
      await em.save(p);
      await this.audit.record(em, {
        actor,
        action: enrolled ? 'principal.enrol' : 'principal.api-key.rotate',
        subjectType: 'principal',
        subjectId: p.id,
        details: { keyId: key.id },
      });
      return { principal: p, apiKey: key.key };
    });
  }

  private async activateCreated(
    em: EntityManager,
    approval: Approval,
    params: Record<string, unknown>,
    approver: AuditActor,
  ): Promise<ApprovalResult> {
    const p = await this.load(em, approval.subjectId);
    if (p.state !== 'pending' || p.apiKeyId !== params.keyId) {
      throw DomainError.invalidState(`Principal ${p.id} is no longer waiting for this approval`);
    }
    p.state = 'active';
    return this.completeKeyOf(em, p, params, approver, 'principal.activate', { roles: p.roles });
  }

  /** A creation that was not approved leaves nothing behind but its audit events. */
  private async dropUnapproved(em: EntityManager, approval: Approval): Promise<void> {
    await em.delete(Principal, { id: approval.subjectId, state: 'pending' });
  }

  private async applyUpdate(
    em: EntityManager,
    approval: Approval,
    params: Record<string, unknown>,
    approver: AuditActor,
  ): Promise<void> {
    const p = await this.load(em, approval.subjectId);
    const before = params.before as Snapshot;
    const current: Snapshot = { roles: p.roles, sgcScope: p.sgcScope, state: p.state };
    if (canonicalSnapshot(current) !== canonicalSnapshot(before)) {
      throw DomainError.invalidState(
        `Principal ${p.id} changed since the request: request the change again`,
      );
    }
    await this.applyChange(em, p, before, params.after as Snapshot, approver);
  }

  private async completeKey(
    em: EntityManager,
    approval: Approval,
    params: Record<string, unknown>,
    approver: AuditActor,
  ): Promise<ApprovalResult> {
    const p = await this.load(em, approval.subjectId);
    if (p.state === 'pending') {
      throw DomainError.invalidState(`Principal ${p.id} is pending approval`);
    }
    return this.completeKeyOf(em, p, params, approver, 'principal.api-key.issue', {
      requestedBy: approval.requestedBy,
    });
  }

  /**
   * Makes the second part of the key whose first part the request bound (`keyId`,
   * `keyHeadHash`), sets it as `p`'s enrolment key and records `action`; returns the part for
   * the approver.
   */
  private async completeKeyOf(
    em: EntityManager,
    p: Principal,
    params: Record<string, unknown>,
    approver: AuditActor,
    action: string,
    details: Record<string, unknown>,
  ): Promise<ApprovalResult> {
    const second = newKeySecondPart(String(params.keyHeadHash));
    this.setKey(p, String(params.keyId), second.hash, true);
    await em.save(p);
    await this.audit.record(em, {
      actor: approver,
      action,
      subjectType: 'principal',
      subjectId: p.id,
      details: { ...details, keyId: p.apiKeyId },
    });
    return { principalId: p.id, apiKeyPart: second.part };
  }

  private async applyChange(
    em: EntityManager,
    p: Principal,
    before: Snapshot,
    after: Snapshot,
    actor: AuditActor,
  ): Promise<void> {
    if (p.roles.includes('admin') && (!after.roles.includes('admin') || after.state !== 'active')) {
      const admins = (await em.find(Principal, { where: { state: 'active' } })).filter((x) =>
        x.roles.includes('admin'),
      );
      if (admins.length <= 1) {
        throw DomainError.invalidState('The last active admin cannot be disabled or demoted');
      }
    }
    p.roles = [...after.roles];
    p.sgcScope = [...after.sgcScope];
    p.state = after.state;
    p.updatedAt = this.clock.nowIso();
    await em.save(p);
    await this.audit.record(em, {
      actor,
      action: 'principal.update',
      subjectType: 'principal',
      subjectId: p.id,
      details: { before, after },
    });
  }

  private setKey(p: Principal, keyId: string, hash: string, enrolment: boolean): void {
    p.apiKeyId = keyId;
    p.apiKeyHash = hash;
    p.apiKeyScheme = CURRENT_SCHEME;
    p.apiKeyEnrolment = enrolment;
    p.apiKeyCreatedAt = this.clock.nowIso();
    p.updatedAt = p.apiKeyCreatedAt;
  }

  private async load(em: EntityManager, id: string): Promise<Principal> {
    const p = await em.findOneBy(Principal, { id });
    if (!p) throw DomainError.notFound('principal', id);
    return p;
  }

  /** Runs a change to principals, then forgets this process's cached principals. */
  private async changing<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.forgetting(this.tx.run(work));
  }

  private async forgetting<T>(work: Promise<T>): Promise<T> {
    try {
      return await work;
    } finally {
      this.byKeyId.clear();
    }
  }

  private async insert(
    em: EntityManager,
    actor: AuditActor,
    name: string,
    roles: readonly Role[],
    scope: readonly string[],
    key: { state: PrincipalState; keyId: string; keyHash: string; enrolment: boolean },
    action = 'principal.create',
  ): Promise<Principal> {
    const now = this.clock.nowIso();
    const principal = em.create(Principal, {
      id: randomUUID(),
      name,
      roles: [...roles],
      sgcScope: [...scope],
      state: key.state,
      apiKeyId: key.keyId,
      apiKeyHash: key.keyHash,
      apiKeyScheme: CURRENT_SCHEME,
      apiKeyEnrolment: key.enrolment,
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
      details: { name, roles, sgcScope: scope, state: key.state, keyId: key.keyId },
    });
    return principal;
  }
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  return a.length === b.length && a.every((x) => b.includes(x));
}

function canonicalSnapshot(s: Snapshot): string {
  return JSON.stringify([[...s.roles].sort(), [...s.sgcScope].sort(), s.state]);
}
