import { Injectable } from '@nestjs/common';
import { type EntityManager, In } from 'typeorm';
import { APPROVAL_ACTIONS, ApprovalVote, Approval } from '../approvals/approval.entity';
import { Ceremony, CeremonyComponent } from '../ceremonies/ceremony.entity';
import { type Page, type PageOrder, type PageQueryDto, readPage } from '../common/paging';
import { TransactionRunner } from '../database/transaction-runner';
import { Principal } from '../principals/principal.entity';
import { VendingKey } from '../vending-keys/vending-key.entity';
import { type InventoryRow, inventoryRow, type KeyPeople } from './key-inventory';

/** The inventory order: by supply group, then revisions as they were made. */
const INVENTORY_ORDER: PageOrder<VendingKey> = {
  keys: [
    { column: 'k.sgc', value: (k) => k.sgc },
    { column: 'k.created_at', value: (k) => k.createdAt },
    { column: 'k.id', value: (k) => k.id },
  ],
  direction: 'ASC',
};

/** Keys read at once while the whole inventory is written as CSV. */
const CSV_PAGE = 500;

@Injectable()
export class ReportsService {
  constructor(private readonly tx: TransactionRunner) {}

  /** One page of the key inventory. */
  async inventory(query: PageQueryDto): Promise<Page<InventoryRow>> {
    return this.tx.read(async (em) => {
      const page = await readPage(em.createQueryBuilder(VendingKey, 'k'), INVENTORY_ORDER, query);
      const people = await peopleOf(em, page.rows);
      return { rows: page.rows.map((k) => inventoryRow(k, people)), next: page.next };
    });
  }

  /** Every key of the inventory, page by page. */
  async *wholeInventory(): AsyncGenerator<InventoryRow[]> {
    let cursor: string | undefined;
    do {
      const page = await this.inventory({ limit: CSV_PAGE, cursor });
      yield page.rows;
      cursor = page.next ?? undefined;
    } while (cursor);
  }

}

/** Who entered the components of `keys` and who approved actions on them. */
async function peopleOf(em: EntityManager, keys: readonly VendingKey[]): Promise<KeyPeople> {
  const ids = keys.map((k) => k.id);
  if (ids.length === 0) return { custodians: new Map(), approvers: new Map(), names: new Map() };
  {
      const ceremonies = await em.findBy(Ceremony, { purpose: 'vending-key', subjectId: In(ids) });
      const components = ceremonies.length
        ? await em.findBy(CeremonyComponent, { ceremonyId: In(ceremonies.map((c) => c.id)) })
        : [];
      const approvals = await em.findBy(Approval, { subjectId: In(ids), action: In(APPROVAL_ACTIONS.filter((a) => a.startsWith('key.'))) });
      const votes = approvals.length
        ? await em.findBy(ApprovalVote, {
            approvalId: In(approvals.map((a) => a.id)),
            decision: 'approve',
          })
        : [];
      // Custodians in component order, approvers in voting order.
      components.sort((a, b) => a.index - b.index);
      votes.sort((a, b) => a.at.localeCompare(b.at));
      const custodians = groupDistinct(
        components.map((c) => [ceremonyKey(ceremonies, c.ceremonyId), c.custodianId]),
      );
      const approvers = groupDistinct(
        votes.map((v) => [approvals.find((a) => a.id === v.approvalId)?.subjectId, v.principalId]),
      );
      const personIds = new Set([
        ...keys.map((k) => k.createdBy),
        ...components.map((c) => c.custodianId),
        ...votes.map((v) => v.principalId),
      ]);
      const principals = await em.findBy(Principal, { id: In([...personIds]) });
      return { custodians, approvers, names: new Map(principals.map((p) => [p.id, p.name])) };
  }
}

function ceremonyKey(ceremonies: readonly Ceremony[], ceremonyId: string): string | undefined {
  return ceremonies.find((c) => c.id === ceremonyId)?.subjectId;
}

/** `[group, member]` pairs as a map of group to its distinct members, in first-seen order. */
function groupDistinct(pairs: [string | undefined, string][]): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const [group, member] of pairs) {
    if (group === undefined) continue;
    const members = out.get(group) ?? [];
    if (!members.includes(member)) members.push(member);
    out.set(group, members);
  }
  return out;
}
