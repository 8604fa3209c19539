import { randomUUID } from 'node:crypto';
import { Injectable, type OnModuleInit } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { AuditService, type AuditActor } from '../audit/audit.service';
import type { AuthenticatedPrincipal } from '../auth/authenticated-principal';
import { CeremoniesService } from '../ceremonies/ceremonies.service';
import { Clock } from '../common/clock';
import { DomainError, isUniqueViolation } from '../common/domain-error';
import { ErrorCode } from '../common/error-codes';
import { TransactionRunner } from '../database/transaction-runner';
import { type CreateKekDto, KekDto, type KekCreatedDto } from './dto/kek.dto';
import { Kek, type KekState } from './kek.entity';
import { type Page, type PageOrder, type PageQueryDto, readPage } from '../common/paging';

/** The list order: oldest first. */
const KEK_ORDER: PageOrder<Kek> = {
  keys: [
    { column: 'k.created_at', value: (k) => k.createdAt },
    { column: 'k.id', value: (k) => k.id },
  ],
  direction: 'ASC',
};

/** Key-encryption keys: AES keys loaded by ceremony; wrapped imports unwrap under them. */
@Injectable()
export class KeksService implements OnModuleInit {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly ceremonies: CeremoniesService,
    private readonly clock: Clock,
  ) {}

  onModuleInit(): void {
    this.ceremonies.register('kek', {
      spec: async (em, c) => {
        const kek = await this.find(em, c.subjectId);
        return {
          label: kek.tokenLabel,
          algorithm: 'AES',
          usage: 'UNWRAP',
          lengthBytes: kek.lengthBytes,
        };
      },
      onCompleted: async (em, c, key, who) => {
        const kek = await this.find(em, c.subjectId);
        kek.kcv = key.kcv;
        await this.setState(em, kek, 'active', who);
      },
      onFailed: async (em, c, _state, who) => {
        await this.setState(em, await this.find(em, c.subjectId), 'failed', who);
      },
    });
  }

  async create(actor: AuthenticatedPrincipal, dto: CreateKekDto): Promise<KekCreatedDto> {
    return this.tx.run(async (em) => {
      const id = randomUUID();
      const now = this.clock.nowIso();
      const kek = em.create(Kek, {
        id,
        name: dto.name,
        lengthBytes: dto.lengthBytes,
        state: 'loading',
        expectedKcv: dto.expectedKcv.toLowerCase(),
        kcv: null,
        tokenLabel: `kek-${id.slice(0, 8)}`,
        createdBy: actor.id,
        createdAt: now,
        updatedAt: now,
      });
      try {
        await em.insert(Kek, kek);
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new DomainError(ErrorCode.ALREADY_EXISTS, `A KEK named ${dto.name} exists`, {
            field: 'name',
          });
        }
        throw error;
      }
      await this.audit.record(em, {
        actor,
        action: 'kek.create',
        subjectType: 'kek',
        subjectId: id,
        details: { name: dto.name, lengthBytes: dto.lengthBytes, expectedKcv: kek.expectedKcv },
      });
      const ceremony = await this.ceremonies.open(em, actor, {
        purpose: 'kek',
        subjectId: id,
        algorithm: 'AES',
        lengthBytes: dto.lengthBytes,
        componentCount: dto.componentCount,
        expectedKcv: kek.expectedKcv,
        custodianIds: dto.custodianIds ?? [],
      });
      return { kek: KekDto.from(kek), ceremony };
    });
  }

  /** One page of key-encryption keys, oldest first. */
  async list(query: PageQueryDto): Promise<Page<Kek>> {
    return this.tx.read((em) => readPage(em.createQueryBuilder(Kek, 'k'), KEK_ORDER, query));
  }

  async get(id: string): Promise<Kek> {
    return this.tx.read((em) => this.find(em, id));
  }

  private async find(em: EntityManager, id: string): Promise<Kek> {
    const kek = await em.findOneBy(Kek, { id });
    if (!kek) throw DomainError.notFound('kek', id);
    return kek;
  }

  private async setState(
    em: EntityManager,
    kek: Kek,
    to: KekState,
    who: AuditActor,
  ): Promise<void> {
    const from = kek.state;
    kek.state = to;
    kek.updatedAt = this.clock.nowIso();
    await em.save(kek);
    await this.audit.record(em, {
      actor: who,
      action: to === 'active' ? 'kek.load' : 'kek.load.abandon',
      subjectType: 'kek',
      subjectId: kek.id,
      details: { from, to, kcv: kek.kcv },
    });
  }
}
