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
import { type PageOrder, type PageQueryDto, readPage } from '../common/paging';
import { destroyIfPresent, hexBytes } from '../custody/custody';
import { TransactionRunner } from '../database/transaction-runner';
import { Principal } from '../principals/principal.entity';
import {
  Ceremony,
  CeremonyComponent,
  type CeremonyPurpose,
  type CeremonyState,
} from './ceremony.entity';
import {
  CeremonyDto,
  type CeremonyListDto,
  type ReleasedComponentDto,
  type SubmitComponentDto,
} from './dto/ceremony.dto';

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

/** The list order: newest first. */
const CEREMONY_ORDER: PageOrder<Ceremony> = {
  keys: [
    { column: 'c.created_at', value: (c) => c.createdAt },
    { column: 'c.id', value: (c) => c.id },
  ],
  direction: 'DESC',
};

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
    await this.checkCustodians(em, actor, input.custodianIds, input.componentCount, false);
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

  /**
   * Opens a ceremony for a key generated inside the token as `componentCount` components
   * (`KeyCustody.generateComponents`), one for each named custodian, who collects it with
   * {@link releaseComponent}. Runs inside the caller's transaction; the caller's subject row
   * must exist already (the handler's `spec` reads it). If the transaction fails afterwards,
   * call {@link discardGenerated} with the returned label.
   */
  async openGenerated(
    em: EntityManager,
    actor: AuthenticatedPrincipal,
    input: Omit<OpenCeremony, 'expectedKcv'>,
  ): Promise<{ ceremony: CeremonyDto; key: KeyInfo }> {
    await this.checkCustodians(em, actor, input.custodianIds, input.componentCount, true);
    const now = this.clock.nowIso();
    const ceremony = em.create(Ceremony, {
      id: randomUUID(),
      purpose: input.purpose,
      subjectId: input.subjectId,
      algorithm: input.algorithm,
      lengthBytes: input.lengthBytes,
      componentCount: input.componentCount,
      expectedKcv: '',
      custodians: [...input.custodianIds],
      state: 'releasing',
      openedBy: actor.id,
      createdAt: now,
      updatedAt: now,
    });
    const spec = await this.handlerFor(input.purpose).spec(em, ceremony);
    const generated = await this.custody.generateComponents(
      ceremony.id,
      input.componentCount,
      spec,
    );
    ceremony.expectedKcv = generated.key.kcv;
    await em.insert(Ceremony, ceremony);
    await this.audit.record(em, {
      actor,
      action: 'ceremony.generate',
      subjectType: 'ceremony',
      subjectId: ceremony.id,
      details: {
        purpose: input.purpose,
        target: input.subjectId,
        componentCount: input.componentCount,
        kcv: generated.key.kcv,
        componentKcvs: generated.componentKcvs,
        tokenLabel: generated.key.label,
      },
    });
    return { ceremony: CeremonyDto.from(ceremony, []), key: generated.key };
  }

  /** Removes a generated key and its unreleased components after a failed transaction. */
  async discardGenerated(ceremonyId: string, label: string): Promise<void> {
    await this.custody.abortCeremony(ceremonyId).catch(() => undefined);
    await this.compensate(label);
  }

  /**
   * Hands component `index` of a generated key to the custodian named for it, once. The token
   * destroys its copy; the database records who collected which check value, never the value.
   * The last release completes the ceremony (the subject's handler activates the key).
   */
  async releaseComponent(
    actor: AuthenticatedPrincipal,
    id: string,
    index: number,
  ): Promise<ReleasedComponentDto> {
    return this.tx.run(async (em) => {
      const c = await this.load(em, id);
      if (c.state !== 'releasing')
        throw DomainError.invalidState(`Ceremony ${id} is ${c.state}`, { state: c.state });
      if (!Number.isInteger(index) || index < 1 || index > c.componentCount) {
        throw DomainError.validation('index', `index: must be 1 to ${c.componentCount}`);
      }
      if (c.custodians[index - 1] !== actor.id) {
        throw new DomainError(ErrorCode.FORBIDDEN, `Component ${index} is not yours to collect`);
      }
      const released = await em.findBy(CeremonyComponent, { ceremonyId: id });
      if (released.some((r) => r.index === index)) {
        throw new DomainError(ErrorCode.ALREADY_EXISTS, `Component ${index} was collected already`);
      }
      const out = await this.custody.releaseComponent(id, index);
      try {
        await em.insert(CeremonyComponent, {
          id: randomUUID(),
          ceremonyId: id,
          index,
          custodianId: actor.id,
          kcv: out.kcv,
          submittedAt: this.clock.nowIso(),
        });
        await this.audit.record(em, {
          actor,
          action: 'ceremony.component.release',
          subjectType: 'ceremony',
          subjectId: id,
          details: { index, kcv: out.kcv },
        });
        if (released.length + 1 === c.componentCount) {
          const handler = this.handlerFor(c.purpose);
          const key = await this.custody.describeKey((await handler.spec(em, c)).label);
          c.state = 'completed';
          c.updatedAt = this.clock.nowIso();
          await em.save(c);
          await handler.onCompleted(em, c, key, actor);
          await this.audit.record(em, {
            actor,
            action: 'ceremony.complete',
            subjectType: 'ceremony',
            subjectId: id,
            details: {
              purpose: c.purpose,
              target: c.subjectId,
              kcv: key.kcv,
              tokenLabel: key.label,
            },
          });
        }
        return { index, component: Buffer.from(out.component).toString('hex'), kcv: out.kcv };
      } finally {
        out.component.fill(0);
      }
    });
  }

  /** One page of ceremonies, newest first, optionally in one state. */
  async list(query: PageQueryDto & { state?: CeremonyState }): Promise<CeremonyListDto> {
    return this.tx.read(async (em) => {
      const page = await readPage(
        em.createQueryBuilder(Ceremony, 'c').where(query.state ? { state: query.state } : {}),
        CEREMONY_ORDER,
        query,
      );
      const rows = page.rows;
      const comps = rows.length
        ? await em.findBy(CeremonyComponent, { ceremonyId: In(rows.map((r) => r.id)) })
        : [];
      const items = rows.map((r) =>
        CeremonyDto.from(
          r,
          comps.filter((c) => c.ceremonyId === r.id),
        ),
      );
      return { items, next: page.next };
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
    let finished = false;
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
          // We hold the ceremony (row lock on PostgreSQL, the queue on SQLite) and no row records
          // component `index`: whatever the token holds there was left by a submission whose
          // transaction failed after its token write, so discarding it lets the retry go in.
          // (Discarding right after the failure would be unsafe: a lost connection has released
          // the lock, and another custodian may already be using the index.)
          await this.custody.discardComponent(id, index);
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
        // The components stay in the token until this transaction has committed: if it fails, the
        // last custodian's retry combines them again instead of finding them gone.
        finished = true;
        try {
          key = await this.custody.completeCeremony(id, c.componentCount, spec, c.expectedKcv, {
            keepComponents: true,
          });
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
    if (finished) await this.dropComponents(id);
    if (deferred) throw deferred;
    return this.get(id);
  }

  async abort(actor: AuthenticatedPrincipal, id: string): Promise<CeremonyDto> {
    await this.tx.run(async (em) => {
      const c = await this.load(em, id);
      if (c.state !== 'open' && c.state !== 'releasing')
        throw DomainError.invalidState(`Ceremony ${id} is ${c.state}`, { state: c.state });
      const handler = this.handlerFor(c.purpose);
      await this.custody.abortCeremony(id);
      // A generated key exists in the token already: an aborted hand-out must not leave it usable.
      if (c.state === 'releasing')
        await destroyIfPresent(this.custody, (await handler.spec(em, c)).label);
      await this.finish(em, c, 'aborted', actor, handler, {});
    });
    return this.get(id);
  }

  private async storeComponent(
    c: Ceremony,
    index: number,
    component: Buffer,
    kcv: string,
  ): Promise<string> {
    return (await this.custody.storeVerifiedComponent(c.id, index, c.algorithm, component, kcv))
      .kcv;
  }

  /**
   * Custodians named for a ceremony must be active custodians other than the officer. With
   * `exact`, one per component (component i goes to custodian i); otherwise at least as many as
   * components, or none (any custodian).
   */
  private async checkCustodians(
    em: EntityManager,
    actor: AuthenticatedPrincipal,
    custodianIds: readonly string[],
    componentCount: number,
    exact: boolean,
  ): Promise<void> {
    if (custodianIds.includes(actor.id)) {
      throw DomainError.validation(
        'custodianIds',
        'custodianIds: the officer who opens a ceremony cannot be a custodian in it',
      );
    }
    if (exact && custodianIds.length !== componentCount) {
      throw DomainError.validation(
        'custodianIds',
        `custodianIds: name exactly ${componentCount} custodians, one per component`,
      );
    }
    if (new Set(custodianIds).size !== custodianIds.length) {
      throw DomainError.validation('custodianIds', 'custodianIds: name each custodian once');
    }
    if (custodianIds.length === 0) return;
    if (custodianIds.length < componentCount) {
      throw DomainError.validation(
        'custodianIds',
        `custodianIds: name at least ${componentCount} custodians`,
      );
    }
    const found = await em.findBy(Principal, { id: In([...custodianIds]) });
    const ok = found.filter((p) => p.state === 'active' && p.roles.includes('custodian'));
    if (ok.length !== custodianIds.length) {
      throw DomainError.validation(
        'custodianIds',
        'custodianIds: every entry must be an active custodian',
      );
    }
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
      ...this.tx.dialect.rowLock,
    });
    if (!c) throw DomainError.notFound('ceremony', id);
    return c;
  }

  private handlerFor(purpose: CeremonyPurpose): CeremonySubjectHandler {
    const h = this.handlers.get(purpose);
    if (!h) throw new Error(`no ceremony handler for ${purpose}`);
    return h;
  }

  /**
   * The ceremony's end is committed: destroy the components it kept for a retry. If the token
   * cannot, they stay behind (encrypted in the token, unreachable through the API); say so.
   */
  private async dropComponents(ceremonyId: string): Promise<void> {
    try {
      await this.custody.abortCeremony(ceremonyId);
    } catch {
      this.logger.event('error', 'ceremony components left in the token after the ceremony ended', {
        ceremonyId,
      });
    }
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
