import { randomUUID } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { HsmError, KEY_CUSTODY, type KeyCustody, type KeyInfo, type KeySpec } from '@sts/hsm';
import { In, type EntityManager } from 'typeorm';
import { AuditService, type AuditActor } from '../audit/audit.service';
import type { AuthenticatedPrincipal } from '../auth/authenticated-principal';
import { Clock } from '../common/clock';
import { DomainError, isUniqueViolation } from '../common/domain-error';
import { ErrorCode } from '../common/error-codes';
import { JsonLogger } from '../common/json-logger';
import { destroyIfPresent, hexBytes } from '../custody/custody';
import { TransactionRunner } from '../database/transaction-runner';
import { Principal } from '../principals/principal.entity';
import {
  Ceremony,
  CeremonyComponent,
  type CeremonyPurpose,
  type CeremonyState,
} from './ceremony.entity';
import { CeremonyDto, type SubmitComponentDto } from './dto/ceremony.dto';

/** What the owner of the key being loaded does when the ceremony ends. */
export interface CeremonySubjectHandler {
  /** The token object to create. */
  spec(em: EntityManager, ceremony: Ceremony): Promise<KeySpec>;
  onCompleted(
    em: EntityManager,
    ceremony: Ceremony,
    key: KeyInfo,
    actor: AuditActor,
  ): Promise<void>;
  onFailed(
    em: EntityManager,
    ceremony: Ceremony,
    state: 'failed' | 'aborted',
    actor: AuditActor,
  ): Promise<void>;
}

export interface OpenCeremony {
  readonly purpose: CeremonyPurpose;
  readonly subjectId: string;
  readonly algorithm: 'DES' | 'HMAC' | 'AES';
  readonly lengthBytes: number;
  readonly componentCount: number;
  readonly expectedKcv: string;
  readonly custodianIds: readonly string[];
}

/**
 * Key-component ceremonies: an officer opens one; 2-3 custodians each enter a component and its
 * check value; components go straight into the token (`storeVerifiedComponent`), the database
 * keeps only who entered which check value; the last one combines them in the token.
 */
@Injectable()
export class CeremoniesService {
  private readonly handlers = new Map<CeremonyPurpose, CeremonySubjectHandler>();

  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly logger: JsonLogger,
    @Inject(KEY_CUSTODY) private readonly custody: KeyCustody,
  ) {}

  register(purpose: CeremonyPurpose, handler: CeremonySubjectHandler): void {
    this.handlers.set(purpose, handler);
  }

  /** Opens a ceremony inside the caller's transaction. */
  async open(
    em: EntityManager,
    actor: AuthenticatedPrincipal,
    input: OpenCeremony,
  ): Promise<CeremonyDto> {
    if (input.custodianIds.includes(actor.id)) {
      throw DomainError.validation(
        'custodianIds',
        'custodianIds: the officer who opens a ceremony cannot be a custodian in it',
      );
    }
    if (input.custodianIds.length > 0) {
      if (input.custodianIds.length < input.componentCount) {
        throw DomainError.validation(
          'custodianIds',
          `custodianIds: name at least ${input.componentCount} custodians`,
        );
      }
      const found = await em.findBy(Principal, { id: In([...input.custodianIds]) });
      const ok = found.filter((p) => p.state === 'active' && p.roles.includes('custodian'));
      if (ok.length !== input.custodianIds.length) {
        throw DomainError.validation(
          'custodianIds',
          'custodianIds: every entry must be an active custodian',
        );
      }
    }
    const now = this.clock.nowIso();
    const ceremony = em.create(Ceremony, {
      id: randomUUID(),
      purpose: input.purpose,
      subjectId: input.subjectId,
      algorithm: input.algorithm,
      lengthBytes: input.lengthBytes,
      componentCount: input.componentCount,
      expectedKcv: input.expectedKcv.toLowerCase(),
      custodians: [...input.custodianIds],
      state: 'open',
      openedBy: actor.id,
      createdAt: now,
      updatedAt: now,
    });
    await em.insert(Ceremony, ceremony);
    await this.audit.record(em, {
      actor,
      action: 'ceremony.open',
      subjectType: 'ceremony',
      subjectId: ceremony.id,
      details: {
        purpose: input.purpose,
        target: input.subjectId,
        componentCount: input.componentCount,
        expectedKcv: ceremony.expectedKcv,
      },
    });
    return CeremonyDto.from(ceremony, []);
  }

  async list(state?: CeremonyState): Promise<CeremonyDto[]> {
    return this.tx.read(async (em) => {
      const rows = await em.find(Ceremony, {
        where: state ? { state } : {},
        order: { createdAt: 'DESC' },
        take: 500,
      });
      const comps = rows.length
        ? await em.findBy(CeremonyComponent, { ceremonyId: In(rows.map((r) => r.id)) })
        : [];
      return rows.map((r) =>
        CeremonyDto.from(
          r,
          comps.filter((c) => c.ceremonyId === r.id),
        ),
      );
    });
  }

  async get(id: string): Promise<CeremonyDto> {
    return this.tx.read(async (em) => {
      const c = await em.findOneBy(Ceremony, { id });
      if (!c) throw DomainError.notFound('ceremony', id);
      return CeremonyDto.from(c, await em.findBy(CeremonyComponent, { ceremonyId: id }));
    });
  }

  async submitComponent(
    actor: AuthenticatedPrincipal,
    id: string,
    dto: SubmitComponentDto,
  ): Promise<CeremonyDto> {
    let created: string | undefined;
    let deferred: DomainError | undefined;
    try {
      await this.tx.run(async (em) => {
        const c = await this.load(em, id);
        if (c.state !== 'open')
          throw DomainError.invalidState(`Ceremony ${id} is ${c.state}`, { state: c.state });
        if (c.openedBy === actor.id) {
          throw new DomainError(
            ErrorCode.FORBIDDEN,
            'The officer who opened the ceremony cannot enter a component',
          );
        }
        if (c.custodians.length > 0 && !c.custodians.includes(actor.id)) {
          throw new DomainError(ErrorCode.FORBIDDEN, 'You are not a custodian of this ceremony');
        }
        const entered = await em.findBy(CeremonyComponent, { ceremonyId: id });
        if (entered.some((e) => e.custodianId === actor.id)) {
          throw new DomainError(
            ErrorCode.ALREADY_EXISTS,
            'You have entered your component already',
          );
        }
        const index = entered.length + 1;
        const component = hexBytes(dto.component);
        let kcv: string;
        try {
          if (component.length !== c.lengthBytes) {
            throw DomainError.validation('component', `component: must be ${c.lengthBytes} bytes`);
          }
          kcv = await this.storeComponent(c, index, component, dto.kcv.toLowerCase());
        } finally {
          component.fill(0);
        }
        try {
          await em.insert(CeremonyComponent, {
            id: randomUUID(),
            ceremonyId: id,
            index,
            custodianId: actor.id,
            kcv,
            submittedAt: this.clock.nowIso(),
          });
        } catch (error) {
          if (isUniqueViolation(error))
            throw new DomainError(ErrorCode.ALREADY_EXISTS, 'That component slot is taken; retry');
          throw error;
        }
        await this.audit.record(em, {
          actor,
          action: 'ceremony.component',
          subjectType: 'ceremony',
          subjectId: id,
          details: { index, kcv },
        });
        if (index < c.componentCount) return;
        const handler = this.handlerFor(c.purpose);
        const spec = await handler.spec(em, c);
        let key: KeyInfo;
        try {
          key = await this.custody.completeCeremony(id, c.componentCount, spec, c.expectedKcv);
        } catch (error) {
          if (!(error instanceof HsmError) || error.code !== 'CHECK_VALUE_MISMATCH') throw error;
          await this.finish(em, c, 'failed', actor, handler, { reason: 'CHECK_VALUE_MISMATCH' });
          deferred = new DomainError(
            ErrorCode.CHECK_VALUE_MISMATCH,
            'The combined key does not match the expected check value; the ceremony failed and nothing was stored',
          );
          return;
        }
        created = key.label;
        c.state = 'completed';
        c.updatedAt = this.clock.nowIso();
        await em.save(c);
        await handler.onCompleted(em, c, key, actor);
        await this.audit.record(em, {
          actor,
          action: 'ceremony.complete',
          subjectType: 'ceremony',
          subjectId: id,
          details: { purpose: c.purpose, target: c.subjectId, kcv: key.kcv, tokenLabel: key.label },
        });
      });
    } catch (error) {
      if (created) await this.compensate(created);
      throw error;
    }
    if (deferred) throw deferred;
    return this.get(id);
  }

  async abort(actor: AuthenticatedPrincipal, id: string): Promise<CeremonyDto> {
    await this.tx.run(async (em) => {
      const c = await this.load(em, id);
      if (c.state !== 'open')
        throw DomainError.invalidState(`Ceremony ${id} is ${c.state}`, { state: c.state });
      await this.custody.abortCeremony(id);
      await this.finish(em, c, 'aborted', actor, this.handlerFor(c.purpose), {});
    });
    return this.get(id);
  }

  private async storeComponent(
    c: Ceremony,
    index: number,
    component: Buffer,
    kcv: string,
  ): Promise<string> {
    if (this.custody.storeVerifiedComponent) {
      return (await this.custody.storeVerifiedComponent(c.id, index, c.algorithm, component, kcv))
        .kcv;
    }
    const stored = await this.custody.storeComponent(c.id, index, c.algorithm, component);
    if (stored.kcv !== kcv) {
      throw new DomainError(
        ErrorCode.CHECK_VALUE_MISMATCH,
        'The component does not match its check value',
      );
    }
    return stored.kcv;
  }

  private async finish(
    em: EntityManager,
    c: Ceremony,
    state: 'failed' | 'aborted',
    actor: AuditActor,
    handler: CeremonySubjectHandler,
    details: Record<string, unknown>,
  ): Promise<void> {
    c.state = state;
    c.updatedAt = this.clock.nowIso();
    await em.save(c);
    await handler.onFailed(em, c, state, actor);
    await this.audit.record(em, {
      actor,
      action: state === 'failed' ? 'ceremony.fail' : 'ceremony.abort',
      subjectType: 'ceremony',
      subjectId: c.id,
      outcome: state === 'failed' ? 'failure' : 'success',
      details: { purpose: c.purpose, target: c.subjectId, ...details },
    });
  }

  private async load(em: EntityManager, id: string): Promise<Ceremony> {
    const c = await em.findOne(Ceremony, {
      where: { id },
      ...(this.tx.isPostgres ? { lock: { mode: 'pessimistic_write' as const } } : {}),
    });
    if (!c) throw DomainError.notFound('ceremony', id);
    return c;
  }

  private handlerFor(purpose: CeremonyPurpose): CeremonySubjectHandler {
    const h = this.handlers.get(purpose);
    if (!h) throw new Error(`no ceremony handler for ${purpose}`);
    return h;
  }

  /** The database did not record a key the token created: remove it so the two agree. */
  private async compensate(label: string): Promise<void> {
    try {
      await destroyIfPresent(this.custody, label);
      this.logger.event('warn', 'token object removed after a failed transaction', {
        tokenLabel: label,
      });
    } catch {
      this.logger.event('error', 'orphan token object after a failed transaction', {
        tokenLabel: label,
      });
    }
  }
}
