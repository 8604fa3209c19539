import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { KEY_CUSTODY, type KeyCustody, type KeyInfo, type KeySpec } from '@sts/hsm';
import { In, IsNull, LessThanOrEqual, Not, type EntityManager } from 'typeorm';
import { Approval, type ApprovalAction } from '../approvals/approval.entity';
import { ApprovalsService, toApprovalDto } from '../approvals/approvals.service';
import type { ApprovalDto } from '../approvals/dto/approval.dto';
import { AuditService, SYSTEM_ACTOR, type AuditActor } from '../audit/audit.service';
import type { AuthenticatedPrincipal } from '../auth/authenticated-principal';
import type { Ceremony } from '../ceremonies/ceremony.entity';
import { CeremoniesService } from '../ceremonies/ceremonies.service';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { ErrorCode } from '../common/error-codes';
import { JsonLogger } from '../common/json-logger';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { destroyIfPresent, hexBytes } from '../custody/custody';
import { TransactionRunner } from '../database/transaction-runner';
import { Kek } from '../keks/kek.entity';
import { SupplyGroup } from '../supply-groups/supply-group.entity';
import { assertInScope, scopeFilter } from '../auth/supply-group-scope';
import type {
  RevisionStartedDto,
  StartRevisionDto,
  VendingKeyListDto,
  VendingKeyQueryDto,
} from './dto/vending-key.dto';
import { VendingKeyDto } from './dto/vending-key.dto';
import { checkKeyAttributes } from './key-attributes';
import { VendingKey, type VendingKeyState } from './vending-key.entity';
import { type PageOrder, readPage } from '../common/paging';
import type { SkipLockedRowLock } from '../database/dialect';

const MAX_LIVE = 9;

/** States in which a revision still occupies its KRN and its token object exists (or will). */
const LIVE: readonly VendingKeyState[] = [
  'loading',
  'pending-approval',
  'active',
  'suspended',
  'superseded',
  'expired',
];
const DESTROYABLE: readonly VendingKeyState[] = [
  'pending-approval',
  'suspended',
  'superseded',
  'expired',
];

/** The list order: by SGC, then oldest first. */
const VENDING_KEY_ORDER: PageOrder<VendingKey> = {
  keys: [
    { column: 'k.sgc', value: (k) => k.sgc },
    { column: 'k.created_at', value: (k) => k.createdAt },
    { column: 'k.id', value: (k) => k.id },
  ],
  direction: 'ASC',
};

/**
 * Vending keys and their revisions: loading (ceremony or wrapped import), activation and
 * rotation (supersession), suspension, destruction, each under dual control, plus the
 * scheduled transitions. See docs/adr/0001-key-hierarchy-and-revisions.md.
 */
@Injectable()
export class VendingKeysService implements OnModuleInit, OnModuleDestroy {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly approvals: ApprovalsService,
    private readonly ceremonies: CeremoniesService,
    private readonly clock: Clock,
    private readonly logger: JsonLogger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(KEY_CUSTODY) private readonly custody: KeyCustody,
  ) {}

  onModuleInit(): void {
    const byId = (p: Record<string, unknown>) => String(p.vendingKeyId);
    this.approvals.register('key.activate', {
      decidedBy: 'security-officer',
      execute: (em, a, p, who) => this.activate(em, a, p, who),
    });
    this.approvals.register('key.rotate', {
      decidedBy: 'security-officer',
      execute: (em, a, p, who) => this.activate(em, a, p, who),
    });
    this.approvals.register('key.suspend', {
      decidedBy: 'security-officer',
      execute: (em, _a, p, who) =>
        this.transition(em, byId(p), ['active'], 'suspended', 'vending-key.suspend', who),
    });
    this.approvals.register('key.reactivate', {
      decidedBy: 'security-officer',
      execute: (em, _a, p, who) =>
        this.transition(em, byId(p), ['suspended'], 'active', 'vending-key.reactivate', who),
    });
    this.approvals.register('key.issue-until', {
      decidedBy: 'security-officer',
      execute: (em, _a, p, who) => this.setIssueUntil(em, byId(p), String(p.issueUntil), who),
    });
    this.approvals.register('key.destroy', {
      decidedBy: 'security-officer',
      execute: (em, _a, p, who) => this.destroy(em, byId(p), who),
    });
    this.approvals.register('key.import', {
      decidedBy: 'security-officer',
      execute: (em, a, p, who) => this.importWrapped(em, a, p, who),
      onClosed: (em, _a, p) => this.abandon(em, byId(p), SYSTEM_ACTOR),
    });
    this.ceremonies.register('vending-key', {
      spec: async (em, c) => this.specOf(await this.find(em, c.subjectId)),
      onCompleted: (em, c, key, who) => this.loaded(em, c.subjectId, key, who),
      onFailed: (em, c: Ceremony, _state, who) => this.abandon(em, c.subjectId, who),
    });
    if (this.config.schedulerSeconds > 0) {
      this.timer = setInterval(() => {
        void this.applyDueTransitions().catch(() => undefined);
      }, this.config.schedulerSeconds * 1000);
      this.timer.unref();
    }
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /**
   * Starts the next revision of a supply group: allocates the KRN (1..9, wrapping, at most nine
   * live), claims the group's single revision slot with a conditional update (so concurrent
   * requests produce exactly one revision), and opens a ceremony or a wrapped-import request.
   */
  async startRevision(
    actor: AuthenticatedPrincipal,
    sgc: string,
    dto: StartRevisionDto,
  ): Promise<RevisionStartedDto> {
    return this.tx.run(async (em) => {
      const group = await em.findOneBy(SupplyGroup, { sgc });
      if (!group) throw DomainError.notFound('supplyGroup', sgc);
      if (group.state !== 'active') {
        throw DomainError.invalidState(`Supply group ${sgc} is ${group.state}`, {
          state: group.state,
        });
      }
      const id = randomUUID();
      const claim = await em
        .createQueryBuilder()
        .update(SupplyGroup)
        .set({ pendingRevisionId: id, updatedAt: this.clock.nowIso() })
        .where('id = :gid AND pending_revision_id IS NULL', { gid: group.id })
        .execute();
      if (claim.affected !== 1) {
        throw new DomainError(
          ErrorCode.REVISION_IN_PROGRESS,
          `Supply group ${sgc} has a revision in progress`,
          {
            sgc,
          },
        );
      }
      const krn = await this.nextKrn(em, group, dto.krn);
      const attrs = checkKeyAttributes(sgc, krn, dto);
      const now = this.clock.nowIso();
      const key = em.create(VendingKey, {
        id,
        supplyGroupId: group.id,
        sgc,
        krn,
        liveKrn: krn,
        keyType: attrs.keyType,
        dkga: attrs.dkga,
        keyLengthBytes: attrs.lengthBytes,
        allowedEas: attrs.allowedEas,
        baseDate: attrs.baseDate,
        ken: attrs.ken,
        activateAt: attrs.activateAt,
        issueUntil: attrs.issueUntil,
        expiresAt: attrs.expiresAt,
        state: 'loading',
        expectedKcv: dto.expectedKcv.toLowerCase(),
        kcv: null,
        tokenLabel: `vk-${sgc}-${krn}-${id.slice(0, 8)}`,
        loadMethod: dto.loadMethod,
        supersedesId: null,
        supersedeAt: null,
        createdBy: actor.id,
        createdAt: now,
        updatedAt: now,
        destroyedAt: null,
        version: 1,
      });
      await em.insert(VendingKey, key);
      await this.audit.record(em, {
        actor,
        action: 'vending-key.revision.start',
        subjectType: 'vending-key',
        subjectId: id,
        details: {
          sgc,
          krn,
          keyType: key.keyType,
          dkga: key.dkga,
          allowedEas: key.allowedEas,
          baseDate: key.baseDate,
          ken: key.ken,
          loadMethod: key.loadMethod,
          expectedKcv: key.expectedKcv,
        },
      });
      if (dto.loadMethod === 'ceremony') {
        const ceremony = await this.ceremonies.open(em, actor, {
          purpose: 'vending-key',
          subjectId: id,
          algorithm: attrs.algorithm,
          lengthBytes: attrs.lengthBytes,
          componentCount: dto.componentCount ?? 2,
          expectedKcv: key.expectedKcv,
          custodianIds: dto.custodianIds ?? [],
        });
        return { vendingKey: VendingKeyDto.from(key), ceremony };
      }
      const kek = await em.findOneBy(Kek, { id: dto.kekId ?? '' });
      if (!kek) throw DomainError.validation('kekId', 'kekId: no such key-encryption key');
      if (kek.state !== 'active')
        throw DomainError.invalidState(`KEK ${kek.id} is ${kek.state}`, { field: 'kekId' });
      const blob = (dto.wrappedKey ?? '').toLowerCase();
      const approval = await this.approvals.request(
        em,
        actor,
        'key.import',
        id,
        {
          vendingKeyId: id,
          sgc,
          krn,
          kekId: kek.id,
          blobSha256: sha256(blob),
          expectedKcv: key.expectedKcv,
        },
        blob,
      );
      return { vendingKey: VendingKeyDto.from(key), approval: toApprovalDto(approval) };
    });
  }

  /** One page of the vending keys `principal` may see, by SGC and then oldest first. */
  async list(
    principal: AuthenticatedPrincipal,
    query: VendingKeyQueryDto,
  ): Promise<VendingKeyListDto> {
    const { sgc, state } = query;
    if (sgc) assertInScope(principal, sgc);
    const scope = scopeFilter(principal);
    const page = await this.tx.read((em) =>
      readPage(
        em.createQueryBuilder(VendingKey, 'k').where({
          ...(sgc ? { sgc } : scope ? { sgc: In([...scope]) } : {}),
          ...(state ? { state } : {}),
        }),
        VENDING_KEY_ORDER,
        query,
      ),
    );
    return { items: page.rows.map((k) => VendingKeyDto.from(k)), next: page.next };
  }

  async get(principal: AuthenticatedPrincipal, id: string): Promise<VendingKeyDto> {
    const key = await this.tx.read((em) => this.find(em, id));
    assertInScope(principal, key.sgc);
    return VendingKeyDto.from(key);
  }

  /** Requests activation (first revision) or rotation (supersedes the active revision). */
  async requestActivation(
    actor: AuthenticatedPrincipal,
    id: string,
    effectiveAt?: string,
  ): Promise<ApprovalDto> {
    const at = effectiveAt ? new Date(effectiveAt).toISOString() : null;
    return this.tx.run(async (em) => {
      const key = await this.find(em, id);
      if (key.state !== 'pending-approval') {
        throw DomainError.invalidState(`Vending key ${id} is ${key.state}`, { state: key.state });
      }
      const current = await em.findOne(VendingKey, {
        where: {
          supplyGroupId: key.supplyGroupId,
          state: 'active',
          supersedeAt: IsNull(),
          id: Not(id),
        },
        order: { createdAt: 'DESC' },
      });
      const action: ApprovalAction = current ? 'key.rotate' : 'key.activate';
      const approval = await this.approvals.request(em, actor, action, id, {
        vendingKeyId: id,
        sgc: key.sgc,
        krn: key.krn,
        kcv: key.kcv,
        effectiveAt: at,
        supersedes: current ? { vendingKeyId: current.id, krn: current.krn } : null,
      });
      return toApprovalDto(approval);
    });
  }

  async requestAction(
    actor: AuthenticatedPrincipal,
    id: string,
    action: Extract<ApprovalAction, 'key.suspend' | 'key.reactivate' | 'key.destroy'>,
    reason: string,
  ): Promise<ApprovalDto> {
    const from: Record<typeof action, readonly VendingKeyState[]> = {
      'key.suspend': ['active'],
      'key.reactivate': ['suspended'],
      'key.destroy': DESTROYABLE,
    };
    return this.tx.run(async (em) => {
      const key = await this.find(em, id);
      if (!from[action].includes(key.state)) {
        throw DomainError.invalidState(
          `Vending key ${id} is ${key.state}; ${action} needs ${from[action].join(' or ')}`,
          {
            state: key.state,
          },
        );
      }
      const approval = await this.approvals.request(em, actor, action, id, {
        vendingKeyId: id,
        sgc: key.sgc,
        krn: key.krn,
        kcv: key.kcv,
        reason,
      });
      return toApprovalDto(approval);
    });
  }

  /** Asks a second officer to move the key's issue-until to `issueUntil`. */
  async requestIssueUntil(
    actor: AuthenticatedPrincipal,
    id: string,
    issueUntil: string,
    reason: string,
  ): Promise<ApprovalDto> {
    const at = new Date(issueUntil).toISOString();
    return this.tx.run(async (em) => {
      const key = await this.find(em, id);
      this.assertIssueUntil(key, at);
      const approval = await this.approvals.request(em, actor, 'key.issue-until', id, {
        vendingKeyId: id,
        sgc: key.sgc,
        krn: key.krn,
        kcv: key.kcv,
        state: key.state,
        issueUntil: at,
        previous: key.issueUntil,
        reason,
      });
      return toApprovalDto(approval);
    });
  }

  /** An active or superseded key, and a time after now and its activation, not after its expiry. */
  private assertIssueUntil(key: VendingKey, at: string): void {
    if (key.state !== 'active' && key.state !== 'superseded') {
      throw DomainError.invalidState(
        `Vending key ${key.id} is ${key.state}; a new issue-until needs active or superseded`,
        { state: key.state },
      );
    }
    if (at <= this.clock.nowIso() || (key.activateAt !== null && at <= key.activateAt)) {
      throw DomainError.validation(
        'issueUntil',
        'issueUntil: must be later than now and the key activation',
      );
    }
    if (key.expiresAt !== null && at > key.expiresAt) {
      throw DomainError.validation(
        'issueUntil',
        `issueUntil: must not be after the key expiry (${key.expiresAt})`,
      );
    }
  }

  private async setIssueUntil(
    em: EntityManager,
    id: string,
    at: string,
    who: AuditActor,
  ): Promise<void> {
    const key = await this.find(em, id);
    this.assertIssueUntil(key, at);
    const previous = key.issueUntil;
    key.issueUntil = at;
    key.updatedAt = this.clock.nowIso();
    await em.save(key);
    await this.audit.record(em, {
      actor: who,
      action: 'vending-key.issue-until',
      subjectType: 'vending-key',
      subjectId: key.id,
      details: { sgc: key.sgc, krn: key.krn, state: key.state, issueUntil: at, previous },
    });
  }

  /** Applies scheduled supersession and expiry. Returns how many keys changed. */
  async applyDueTransitions(): Promise<number> {
    return this.tx.run(async (em) => {
      const now = this.clock.nowIso();
      const superseding = await em.find(VendingKey, {
        where: { state: 'active', supersedeAt: LessThanOrEqual(now) },
        ...this.sweepLock(),
      });
      for (const k of superseding) {
        await this.setState(em, k, 'superseded', 'vending-key.supersede', SYSTEM_ACTOR, {
          scheduledAt: k.supersedeAt,
        });
      }
      const expiring = await em.find(VendingKey, {
        where: {
          state: In(['active', 'suspended', 'superseded']),
          expiresAt: LessThanOrEqual(now),
        },
        ...this.sweepLock(),
      });
      for (const k of expiring) {
        await this.setState(em, k, 'expired', 'vending-key.expire', SYSTEM_ACTOR, {
          expiresAt: k.expiresAt,
        });
      }
      return superseding.length + expiring.length;
    });
  }

  /** Several processes may sweep at once: on PostgreSQL each due row goes to one of them. */
  private sweepLock(): SkipLockedRowLock {
    return this.tx.dialect.skipLockedRowLock;
  }

  // ---- executors (run inside the approving transaction) ----

  private async activate(
    em: EntityManager,
    _a: Approval,
    p: Record<string, unknown>,
    who: AuditActor,
  ): Promise<void> {
    const key = await this.find(em, String(p.vendingKeyId));
    if (key.state !== 'pending-approval') {
      throw DomainError.invalidState(`Vending key ${key.id} is ${key.state}`, { state: key.state });
    }
    const now = this.clock.nowIso();
    const effectiveAt =
      typeof p.effectiveAt === 'string' && p.effectiveAt > now ? p.effectiveAt : now;
    const supersedes = p.supersedes as { vendingKeyId: string } | null;
    if (supersedes) {
      const old = await this.find(em, supersedes.vendingKeyId);
      if (old.state !== 'active' || old.supersedeAt !== null) {
        throw DomainError.invalidState(`The revision to supersede (${old.id}) is ${old.state}`, {
          state: old.state,
        });
      }
      old.supersedeAt = effectiveAt;
      if (effectiveAt <= now) {
        await this.setState(em, old, 'superseded', 'vending-key.supersede', who, { by: key.id });
      } else {
        old.updatedAt = now;
        await em.save(old);
        await this.audit.record(em, {
          actor: who,
          action: 'vending-key.supersede.schedule',
          subjectType: 'vending-key',
          subjectId: old.id,
          details: { at: effectiveAt, by: key.id },
        });
      }
      key.supersedesId = old.id;
    }
    key.activateAt = effectiveAt;
    await this.setState(em, key, 'active', 'vending-key.activate', who, {
      effectiveAt,
      supersedes: key.supersedesId,
    });
    await this.releaseSlot(em, key);
  }

  private async transition(
    em: EntityManager,
    id: string,
    from: readonly VendingKeyState[],
    to: VendingKeyState,
    action: string,
    who: AuditActor,
  ): Promise<void> {
    const key = await this.find(em, id);
    if (!from.includes(key.state)) {
      throw DomainError.invalidState(`Vending key ${id} is ${key.state}`, { state: key.state });
    }
    await this.setState(em, key, to, action, who, {});
  }

  private async destroy(em: EntityManager, id: string, who: AuditActor): Promise<void> {
    const key = await this.find(em, id);
    if (!DESTROYABLE.includes(key.state)) {
      throw DomainError.invalidState(`Vending key ${id} is ${key.state}`, { state: key.state });
    }
    key.liveKrn = null;
    key.destroyedAt = this.clock.nowIso();
    await this.setState(em, key, 'destroyed', 'vending-key.destroy', who, {
      tokenLabel: key.tokenLabel,
    });
    await this.releaseSlot(em, key);
    // Last, so that a database failure before this point leaves the key usable; a failure to
    // commit after it is repaired by retrying (NOT_FOUND counts as destroyed).
    await destroyIfPresent(this.custody, key.tokenLabel);
  }

  private async importWrapped(
    em: EntityManager,
    a: Approval,
    p: Record<string, unknown>,
    who: AuditActor,
  ): Promise<void> {
    const key = await this.find(em, String(p.vendingKeyId));
    if (key.state !== 'loading')
      throw DomainError.invalidState(`Vending key ${key.id} is ${key.state}`);
    const blob = a.attachment ?? '';
    if (sha256(blob) !== p.blobSha256) {
      throw new DomainError(
        ErrorCode.PAYLOAD_HASH_MISMATCH,
        'The stored wrapped key does not match the approved hash',
      );
    }
    const kek = await em.findOneBy(Kek, { id: String(p.kekId) });
    if (!kek || kek.state !== 'active')
      throw DomainError.invalidState('The key-encryption key is no longer active');
    const info = await this.custody.importWrapped(
      kek.tokenLabel,
      hexBytes(blob),
      this.specOf(key),
      key.expectedKcv,
    );
    try {
      await em.update(Approval, { id: a.id }, { attachment: null });
      await this.loaded(em, key.id, info, who);
    } catch (error) {
      await destroyIfPresent(this.custody, info.label).catch(() => undefined);
      throw error;
    }
  }

  // ---- ceremony / import completion ----

  private async loaded(
    em: EntityManager,
    id: string,
    info: KeyInfo,
    who: AuditActor,
  ): Promise<void> {
    const key = await this.find(em, id);
    key.kcv = info.kcv;
    await this.setState(em, key, 'pending-approval', 'vending-key.load', who, {
      kcv: info.kcv,
      tokenLabel: info.label,
      loadMethod: key.loadMethod,
    });
  }

  /** A ceremony failed or was aborted, or an import was rejected: the revision is abandoned. */
  private async abandon(em: EntityManager, id: string, who: AuditActor): Promise<void> {
    const key = await this.find(em, id);
    if (key.state !== 'loading') return;
    key.liveKrn = null;
    await this.setState(em, key, 'failed', 'vending-key.load.abandon', who, {});
    await this.releaseSlot(em, key);
  }

  // ---- helpers ----

  private async nextKrn(
    em: EntityManager,
    group: SupplyGroup,
    requested?: number,
  ): Promise<number> {
    const live = await em.find(VendingKey, {
      where: { supplyGroupId: group.id, state: In([...LIVE]) },
      order: { createdAt: 'DESC' },
    });
    const latest = await em.findOne(VendingKey, {
      where: { supplyGroupId: group.id, state: Not('failed') },
      order: { createdAt: 'DESC' },
    });
    if (!latest) return requested ?? 1;
    const next = (latest.krn % 9) + 1;
    if (requested !== undefined && requested !== next) {
      throw new DomainError(
        ErrorCode.KRN_NOT_NEXT,
        `The next revision of ${group.sgc} is KRN ${next}`,
        {
          field: 'krn',
          next,
        },
      );
    }
    if (live.length >= MAX_LIVE || live.some((k) => k.krn === next)) {
      throw new DomainError(
        ErrorCode.KRN_EXHAUSTED,
        `KRN ${next} of ${group.sgc} is still live: destroy old revisions first (at most nine live)`,
        { next, live: live.length },
      );
    }
    return next;
  }

  private specOf(key: VendingKey): KeySpec {
    return {
      label: key.tokenLabel,
      algorithm: key.dkga === '02' ? 'DES' : 'HMAC',
      usage: 'DERIVE',
      lengthBytes: key.keyLengthBytes,
    };
  }

  private async setState(
    em: EntityManager,
    key: VendingKey,
    to: VendingKeyState,
    action: string,
    who: AuditActor,
    details: Record<string, unknown>,
  ): Promise<void> {
    const from = key.state;
    key.state = to;
    key.updatedAt = this.clock.nowIso();
    await em.save(key);
    await this.audit.record(em, {
      actor: who,
      action,
      subjectType: 'vending-key',
      subjectId: key.id,
      details: { sgc: key.sgc, krn: key.krn, from, to, ...details },
    });
    this.logger.event('info', 'vending key state changed', { vendingKeyId: key.id, from, to });
  }

  private async releaseSlot(em: EntityManager, key: VendingKey): Promise<void> {
    await em.update(
      SupplyGroup,
      { id: key.supplyGroupId, pendingRevisionId: key.id },
      { pendingRevisionId: null },
    );
  }

  private async find(em: EntityManager, id: string): Promise<VendingKey> {
    const key = await em.findOneBy(VendingKey, { id });
    if (!key) throw DomainError.notFound('vendingKey', id);
    return key;
  }
}

function sha256(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}
