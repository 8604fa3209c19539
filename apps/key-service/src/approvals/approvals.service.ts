import { createHash, randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { In, LessThanOrEqual, type EntityManager } from 'typeorm';
import { canonicalJson } from '../common/canonical-json';
import { AuditService, SYSTEM_ACTOR, type AuditActor } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { DomainError, isUniqueViolation, toDomainError } from '../common/domain-error';
import { ErrorCode, httpStatusOf } from '../common/error-codes';
import { JsonLogger } from '../common/json-logger';
import { type PageOrder, type PageQueryDto, readPage } from '../common/paging';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { TransactionRunner } from '../database/transaction-runner';
import type { AuthenticatedPrincipal } from '../auth/authenticated-principal';
import type { Role } from '../auth/role';
import type { ApprovalDto } from './dto/approval.dto';
import { Approval, type ApprovalAction, type ApprovalState, ApprovalVote } from './approval.entity';

/**
 * What the execution of an approved action hands to the approver whose vote completed it, in
 * that answer only (never stored): the second part of an API key issued in two parts.
 */
export interface ApprovalResult {
  readonly principalId: string;
  readonly apiKeyPart: string;
}

/** What an approved action does; registered by the feature that owns the subject. */
export interface ApprovalExecutor {
  /** The role that decides (approves or rejects) requests for this action. */
  readonly decidedBy: Role;
  /** Runs the approved payload inside the approving transaction (exactly once). */
  execute(
    em: EntityManager,
    approval: Approval,
    params: Record<string, unknown>,
    approver: AuditActor,
  ): Promise<ApprovalResult | void>;
  /** Called when a request ends without running (rejected, expired, cancelled, failed). */
  onClosed?(em: EntityManager, approval: Approval, params: Record<string, unknown>): Promise<void>;
}

/** The list order: newest first. */
const APPROVAL_ORDER: PageOrder<Approval> = {
  keys: [
    { column: 'a.created_at', value: (a) => a.createdAt },
    { column: 'a.id', value: (a) => a.id },
  ],
  direction: 'DESC',
};

export function payloadHashOf(payload: string): string {
  return createHash('sha256').update(payload, 'utf8').digest('hex');
}

/**
 * Dual control. A request stores the exact payload and its hash; approvers state the hash they
 * reviewed; the requester can never approve; when the quorum is reached the action runs once, in
 * the same transaction that records the deciding vote. See docs/adr/0006-dual-control-and-principals.md.
 */
@Injectable()
export class ApprovalsService implements OnModuleInit, OnModuleDestroy {
  private readonly executors = new Map<ApprovalAction, ApprovalExecutor>();
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly logger: JsonLogger,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  onModuleInit(): void {
    if (this.config.schedulerSeconds > 0) {
      this.timer = setInterval(() => {
        void this.expireDue().catch(() => undefined);
      }, this.config.schedulerSeconds * 1000);
      this.timer.unref();
    }
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  register(action: ApprovalAction, executor: ApprovalExecutor): void {
    this.executors.set(action, executor);
  }

  /** Opens a request inside the caller's transaction. One pending request per action and subject. */
  async request(
    em: EntityManager,
    actor: AuditActor,
    action: ApprovalAction,
    subjectId: string,
    params: Record<string, unknown>,
    attachment?: string,
  ): Promise<Approval> {
    const now = this.clock.now();
    const payload = canonicalJson({ action, subjectId, params });
    const approval = em.create(Approval, {
      id: randomUUID(),
      action,
      subjectId,
      payload,
      payloadHash: payloadHashOf(payload),
      requestedBy: actor.id,
      quorum: this.config.approvals.quorum,
      state: 'pending',
      pendingKey: `${action}:${subjectId}`,
      expiresAt: new Date(now.getTime() + this.config.approvals.ttlSeconds * 1000).toISOString(),
      createdAt: now.toISOString(),
      decidedAt: null,
      attachment: attachment ?? null,
      failureCode: null,
    });
    try {
      await em.insert(Approval, approval);
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainError(
          ErrorCode.APPROVAL_PENDING,
          `A ${action} request for ${subjectId} is already pending`,
          {
            action,
            subjectId,
          },
        );
      }
      throw error;
    }
    await this.audit.record(em, {
      actor,
      action: 'approval.request',
      subjectType: 'approval',
      subjectId: approval.id,
      details: { requestedAction: action, target: subjectId, payloadHash: approval.payloadHash },
    });
    return approval;
  }

  /** One page of requests, newest first, optionally of one state and action. */
  async list(
    query: PageQueryDto & { state?: ApprovalState; action?: ApprovalAction },
  ): Promise<{ items: ApprovalDto[]; next: string | null }> {
    const { state, action } = query;
    const page = await this.tx.read((em) =>
      readPage(
        em
          .createQueryBuilder(Approval, 'a')
          .where({ ...(state ? { state } : {}), ...(action ? { action } : {}) }),
        APPROVAL_ORDER,
        query,
      ),
    );
    return { items: await this.toDtos(page.rows), next: page.next };
  }

  async get(id: string): Promise<ApprovalDto> {
    const row = await this.tx.read((em) => em.findOneBy(Approval, { id }));
    if (!row) throw DomainError.notFound('approval', id);
    return (await this.toDtos([row]))[0];
  }

  /**
   * Records an approval; at quorum the action runs. The answer carries what the execution hands
   * to this approver (see {@link ApprovalResult}), if anything.
   */
  async approve(
    actor: AuthenticatedPrincipal,
    id: string,
    payloadHash: string,
  ): Promise<ApprovalDto> {
    let result: ApprovalResult | undefined;
    const outcome = await this.decide(actor, id, async (em, approval) => {
      if (
        payloadHash !== approval.payloadHash ||
        payloadHashOf(approval.payload) !== approval.payloadHash
      ) {
        throw new DomainError(
          ErrorCode.PAYLOAD_HASH_MISMATCH,
          'The payload hash does not match the request: review it again',
          { payloadHash: approval.payloadHash },
        );
      }
      await this.vote(em, approval, actor, 'approve');
      const approvals = await em.countBy(ApprovalVote, {
        approvalId: approval.id,
        decision: 'approve',
      });
      await this.audit.record(em, {
        actor,
        action: 'approval.approve',
        subjectType: 'approval',
        subjectId: approval.id,
        details: {
          requestedAction: approval.action,
          target: approval.subjectId,
          approvals,
          quorum: approval.quorum,
        },
      });
      if (approvals < approval.quorum) return;
      // The conditional update is the exactly-once gate, whatever the database or process.
      const gate = await em.update(
        Approval,
        { id: approval.id, state: 'pending' },
        { state: 'approved', pendingKey: null, decidedAt: this.clock.nowIso() },
      );
      if (gate.affected !== 1)
        throw DomainError.invalidState(`Approval ${approval.id} is no longer pending`);
      const executor = this.executorFor(approval.action);
      result = (await executor.execute(em, approval, this.paramsOf(approval), actor)) ?? undefined;
      await this.audit.record(em, {
        actor,
        action: 'approval.execute',
        subjectType: 'approval',
        subjectId: approval.id,
        details: {
          requestedAction: approval.action,
          target: approval.subjectId,
          payloadHash: approval.payloadHash,
        },
      });
    });
    return result ? { ...outcome, result } : outcome;
  }

  async reject(actor: AuthenticatedPrincipal, id: string, reason?: string): Promise<ApprovalDto> {
    return this.decide(actor, id, async (em, approval) => {
      await this.vote(em, approval, actor, 'reject');
      await this.close(em, approval, 'rejected', actor, { reason: reason ?? null });
    });
  }

  async cancel(actor: AuditActor, id: string, reason?: string): Promise<ApprovalDto> {
    await this.tx.run(async (em) => {
      const approval = await this.load(em, id);
      if (approval.requestedBy !== actor.id) {
        throw new DomainError(ErrorCode.FORBIDDEN, 'Only the requester can cancel a request');
      }
      if (approval.state !== 'pending')
        throw DomainError.invalidState(`Approval ${id} is ${approval.state}`);
      await this.close(em, approval, 'cancelled', actor, { reason: reason ?? null });
    });
    return this.get(id);
  }

  /** Marks every pending request past its expiry as expired. Returns how many. */
  async expireDue(): Promise<number> {
    return this.tx.run(async (em) => {
      const due = await em.find(Approval, {
        where: { state: 'pending', expiresAt: LessThanOrEqual(this.clock.nowIso()) },
        // Several processes may sweep at once: on PostgreSQL each due request goes to one.
        ...this.tx.dialect.skipLockedRowLock,
      });
      for (const approval of due) await this.close(em, approval, 'expired', SYSTEM_ACTOR, {});
      return due.length;
    });
  }

  /**
   * Common approve/reject path: checks state, expiry and the requester rule; on a domain failure
   * of the action itself the request is closed as `failed` (in its own transaction) and the
   * error is returned to the caller.
   */
  private async decide(
    actor: AuthenticatedPrincipal,
    id: string,
    work: (em: EntityManager, approval: Approval) => Promise<void>,
  ): Promise<ApprovalDto> {
    let deferred: DomainError | undefined;
    let acting = false;
    try {
      await this.tx.run(async (em) => {
        const approval = await this.load(em, id, true);
        if (approval.state !== 'pending') {
          throw DomainError.invalidState(`Approval ${id} is ${approval.state}`, {
            state: approval.state,
          });
        }
        if (approval.expiresAt <= this.clock.nowIso()) {
          await this.close(em, approval, 'expired', SYSTEM_ACTOR, {});
          deferred = new DomainError(
            ErrorCode.APPROVAL_EXPIRED,
            `Approval ${id} expired at ${approval.expiresAt}`,
          );
          return;
        }
        if (approval.requestedBy === actor.id) {
          throw new DomainError(
            ErrorCode.SELF_APPROVAL,
            'The requester cannot approve or reject their own request',
          );
        }
        if (approval.subjectId === actor.id) {
          throw new DomainError(
            ErrorCode.SELF_APPROVAL,
            'Nobody approves or rejects a request about themselves',
          );
        }
        const decidedBy = this.executorFor(approval.action).decidedBy;
        if (!actor.roles.includes(decidedBy)) {
          throw new DomainError(
            ErrorCode.FORBIDDEN,
            `Only a principal with the role ${decidedBy} decides ${approval.action} requests`,
            { required: [decidedBy] },
          );
        }
        acting = true;
        await work(em, approval);
      });
    } catch (error) {
      const domain = toDomainError(error);
      if (acting && domain && isActionFailure(domain)) {
        await this.fail(id, domain).catch((e: unknown) =>
          this.logger.event('error', 'could not record a failed approval', {
            approvalId: id,
            error: e instanceof Error ? e.name : 'unknown',
          }),
        );
      }
      throw error;
    }
    if (deferred) throw deferred;
    return this.get(id);
  }

  /** Records that the approved action could not run (e.g. the key changed state meanwhile). */
  private async fail(id: string, error: DomainError): Promise<void> {
    await this.tx.run(async (em) => {
      const approval = await this.load(em, id, true);
      if (approval.state !== 'pending') return;
      const votes = await em.countBy(ApprovalVote, { approvalId: id, decision: 'approve' });
      if (votes + 1 < approval.quorum) return; // only the deciding vote's failure closes the request
      approval.failureCode = error.code;
      await this.close(em, approval, 'failed', SYSTEM_ACTOR, { code: error.code });
    });
  }

  private async close(
    em: EntityManager,
    approval: Approval,
    state: Exclude<ApprovalState, 'pending' | 'approved'>,
    actor: AuditActor,
    details: Record<string, unknown>,
  ): Promise<void> {
    approval.state = state;
    approval.pendingKey = null;
    approval.decidedAt = this.clock.nowIso();
    await em.save(approval);
    await this.executors.get(approval.action)?.onClosed?.(em, approval, this.paramsOf(approval));
    await this.audit.record(em, {
      actor,
      action: `approval.${state === 'rejected' ? 'reject' : state === 'cancelled' ? 'cancel' : state === 'expired' ? 'expire' : 'fail'}`,
      subjectType: 'approval',
      subjectId: approval.id,
      outcome: state === 'failed' ? 'failure' : 'success',
      details: { requestedAction: approval.action, target: approval.subjectId, ...details },
    });
  }

  private async vote(
    em: EntityManager,
    approval: Approval,
    actor: AuditActor,
    decision: 'approve' | 'reject',
  ): Promise<void> {
    const existing = await em.findOneBy(ApprovalVote, {
      approvalId: approval.id,
      principalId: actor.id,
    });
    if (existing)
      throw new DomainError(ErrorCode.ALREADY_VOTED, 'You have already decided on this request');
    try {
      await em.insert(ApprovalVote, {
        id: randomUUID(),
        approvalId: approval.id,
        principalId: actor.id,
        decision,
        at: this.clock.nowIso(),
      });
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw new DomainError(ErrorCode.ALREADY_VOTED, 'You have already decided on this request');
      }
      throw error;
    }
  }

  private async load(em: EntityManager, id: string, lock = false): Promise<Approval> {
    const approval = await em.findOne(Approval, {
      where: { id },
      ...(lock ? this.tx.dialect.rowLock : {}),
    });
    if (!approval) throw DomainError.notFound('approval', id);
    return approval;
  }

  private executorFor(action: ApprovalAction): ApprovalExecutor {
    const executor = this.executors.get(action);
    if (!executor) throw new Error(`no executor registered for ${action}`);
    return executor;
  }

  private paramsOf(approval: Approval): Record<string, unknown> {
    const parsed = JSON.parse(approval.payload) as { params?: Record<string, unknown> };
    return parsed.params ?? {};
  }

  private async toDtos(rows: Approval[]): Promise<ApprovalDto[]> {
    if (rows.length === 0) return [];
    const votes = await this.tx.read((em) =>
      em.find(ApprovalVote, {
        where: { approvalId: In(rows.map((r) => r.id)) },
        order: { at: 'ASC' },
      }),
    );
    return rows.map((r) =>
      toApprovalDto(
        r,
        votes.filter((v) => v.approvalId === r.id),
      ),
    );
  }
}

/** The API view of a request (never the attachment). */
export function toApprovalDto(r: Approval, votes: readonly ApprovalVote[] = []): ApprovalDto {
  return {
    id: r.id,
    action: r.action,
    subjectId: r.subjectId,
    payload: JSON.parse(r.payload) as Record<string, unknown>,
    payloadHash: r.payloadHash,
    requestedBy: r.requestedBy,
    quorum: r.quorum,
    state: r.state,
    votes: votes.map((v) => ({ principalId: v.principalId, decision: v.decision, at: v.at })),
    expiresAt: r.expiresAt,
    createdAt: r.createdAt,
    decidedAt: r.decidedAt,
    failureCode: r.failureCode,
  };
}

/** Errors that mean the approved action itself cannot run (not the approver's mistake, not an outage). */
const ACTION_FAILURES: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.INVALID_STATE,
  ErrorCode.CHECK_VALUE_MISMATCH,
  ErrorCode.KEY_REFUSED,
  ErrorCode.NOT_FOUND,
  ErrorCode.ALREADY_EXISTS,
]);

function isActionFailure(error: DomainError): boolean {
  return ACTION_FAILURES.has(error.code) && httpStatusOf(error.code) < 500;
}
