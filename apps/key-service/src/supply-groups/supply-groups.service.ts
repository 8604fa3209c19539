import { randomUUID } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { checkSgc } from '@sts/core';
import { In, type EntityManager } from 'typeorm';
import { AuditService } from '../audit/audit.service';
import type { AuthenticatedPrincipal } from '../auth/authenticated-principal';
import { assertInScope, scopeFilter } from '../auth/supply-group-scope';
import { Clock } from '../common/clock';
import { DomainError, isUniqueViolation } from '../common/domain-error';
import { ErrorCode } from '../common/error-codes';
import { TransactionRunner } from '../database/transaction-runner';
import { VendingKey } from '../vending-keys/vending-key.entity';
import type { CreateSupplyGroupDto, UpdateSupplyGroupDto } from './dto/supply-group.dto';
import { SupplyGroup, type SupplyGroupState } from './supply-group.entity';
import { type Page, type PageOrder, type PageQueryDto, readPage } from '../common/paging';

const TRANSITIONS: Record<SupplyGroupState, readonly SupplyGroupState[]> = {
  active: ['suspended', 'retired'],
  suspended: ['active', 'retired'],
  retired: [],
};

/** The list order: by SGC (unique). */
const SUPPLY_GROUP_ORDER: PageOrder<SupplyGroup> = {
  keys: [{ column: 'g.sgc', value: (g) => g.sgc }],
  direction: 'ASC',
};

@Injectable()
export class SupplyGroupsService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
  ) {}

  async create(actor: AuthenticatedPrincipal, dto: CreateSupplyGroupDto): Promise<SupplyGroup> {
    const sgc = checkSgc(dto.sgc);
    return this.tx.run(async (em) => {
      const now = this.clock.nowIso();
      const group = em.create(SupplyGroup, {
        id: randomUUID(),
        sgc,
        name: dto.name,
        cluster: dto.cluster ?? null,
        state: 'active',
        pendingRevisionId: null,
        createdAt: now,
        updatedAt: now,
        version: 1,
      });
      try {
        await em.insert(SupplyGroup, group);
      } catch (error) {
        if (isUniqueViolation(error)) {
          throw new DomainError(ErrorCode.ALREADY_EXISTS, `Supply group ${sgc} exists`, {
            field: 'sgc',
          });
        }
        throw error;
      }
      await this.audit.record(em, {
        actor,
        action: 'supply-group.create',
        subjectType: 'supply-group',
        subjectId: sgc,
        details: { name: dto.name, cluster: dto.cluster ?? null },
      });
      return group;
    });
  }

  /** One page of the supply groups `principal` may see, in SGC order. */
  async list(principal: AuthenticatedPrincipal, query: PageQueryDto): Promise<Page<SupplyGroup>> {
    const scope = scopeFilter(principal);
    return this.tx.read((em) =>
      readPage(
        em.createQueryBuilder(SupplyGroup, 'g').where(scope ? { sgc: In([...scope]) } : {}),
        SUPPLY_GROUP_ORDER,
        query,
      ),
    );
  }

  async get(principal: AuthenticatedPrincipal, sgc: string): Promise<SupplyGroup> {
    assertInScope(principal, sgc);
    return this.tx.read((em) => this.find(em, sgc));
  }

  async find(em: EntityManager, sgc: string): Promise<SupplyGroup> {
    const group = await em.findOneBy(SupplyGroup, { sgc });
    if (!group) throw DomainError.notFound('supplyGroup', sgc);
    return group;
  }

  async update(
    actor: AuthenticatedPrincipal,
    sgc: string,
    dto: UpdateSupplyGroupDto,
  ): Promise<SupplyGroup> {
    return this.tx.run(async (em) => {
      const group = await this.find(em, sgc);
      const before = { name: group.name, state: group.state };
      if (dto.state !== undefined && dto.state !== group.state) {
        if (!TRANSITIONS[group.state].includes(dto.state)) {
          throw DomainError.invalidState(
            `Supply group ${sgc} cannot go from ${group.state} to ${dto.state}`,
            {
              state: group.state,
            },
          );
        }
        if (dto.state === 'retired') {
          const active = await em.countBy(VendingKey, {
            supplyGroupId: group.id,
            state: In(['active', 'suspended', 'pending-approval', 'loading']),
          });
          if (active > 0) {
            throw DomainError.invalidState(
              `Supply group ${sgc} still has ${active} live key revision(s)`,
            );
          }
        }
        group.state = dto.state;
      }
      if (dto.name !== undefined) group.name = dto.name;
      group.updatedAt = this.clock.nowIso();
      await em.save(group);
      await this.audit.record(em, {
        actor,
        action: 'supply-group.update',
        subjectType: 'supply-group',
        subjectId: sgc,
        details: { before, after: { name: group.name, state: group.state } },
      });
      return group;
    });
  }
}
