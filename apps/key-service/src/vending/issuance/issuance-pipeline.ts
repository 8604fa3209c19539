import { Injectable, type OnApplicationShutdown } from '@nestjs/common';
import type { EntityManager } from 'typeorm';
import { type AuditInput, AuditService } from '../../audit/audit.service';
import { Clock } from '../../common/clock';
import {
  currentRequestId,
  type RequestContext,
  runWithContext,
} from '../../common/request-context';
import { TransactionRunner } from '../../database/transaction-runner';
import type { TokenIssuanceDto } from '../dto/vending-response.dto';
import { TidAllocator } from '../tid-allocation/tid-allocator';
import { type Committed, IssuanceCommitter, isRetryableConflict } from './issuance-committer';
import {
  type Assembled,
  assembleIssuance,
  type IssuancePlan,
  type KeyCheck,
} from './issuance-plan';
import {
  allocateReadingKeys,
  insertIssuance,
  issuanceRows,
  type IssuedRecord,
  type KeysById,
  readKeysById,
} from './issuance-sql';

/**
 * Most issuances in one group-commit transaction. Each runs in a savepoint that writes, i.e. a
 * PostgreSQL subtransaction; past 64 of them in one transaction the backend's subtransaction cache
 * overflows and every other session's snapshots get slower, so batches stay within it.
 */
export const ISSUANCE_BATCH_MAX = 64;

/**
 * While requests arrive concurrently, how long a batch waits for more before it starts. Each
 * batch costs two round trips to PostgreSQL whatever its size. Measured under bench:vending with
 * 32 connections: no wait made batches of about 5 and cost CPU; 3 ms made batches of 13-19 but
 * stretched each cycle to 11-12 ms, a third of it waiting, which bounded throughput; 1 ms made
 * batches of 13-14 in cycles of about 9 ms. A lone request after a quiet spell does not wait.
 */
export const ISSUANCE_GATHER_MS = 1;

/** An audit event that joins a batch without an issuance (a derived-key export). */
export interface BatchEvent {
  readonly audit: AuditInput;
  readonly keyCheck: KeyCheck;
}

/** One request's work in a batch: an issuance plan or an event, in its request context. */
interface Item {
  readonly context: RequestContext | undefined;
  readonly plan?: IssuancePlan;
  readonly event?: BatchEvent;
}

/** What an item comes to: its answer (none for an event) and audit events; its record unwritten. */
interface ItemResult {
  readonly body: TokenIssuanceDto | null;
  readonly audits: readonly AuditInput[];
  readonly unwritten?: IssuedRecord;
}

/**
 * Executes issuance plans in group commit (docs/vending.md, "How an issuance is committed"): the
 * plans that arrive together share one transaction, which re-reads their vending keys, makes their
 * `before` writes, allocates their TIDs, assembles each issuance (`assembleIssuance`) and
 * writes the records with the audit events. When any item fails, the committer runs the batch
 * again with a savepoint per item, through the same steps for one item at a time, so each
 * failure reaches its own caller only.
 */
@Injectable()
export class IssuancePipeline implements OnApplicationShutdown {
  private readonly committer: IssuanceCommitter<EntityManager, Item, ItemResult>;
  /** The batch's fresh reads of its items' vending keys (the isolated run's first step). */
  private batchKeys = new WeakMap<EntityManager, KeysById>();

  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly tids: TidAllocator,
  ) {
    this.committer = new IssuanceCommitter<EntityManager, Item, ItemResult>({
      transaction: (work) => this.tx.runPipelined(work),
      beforeItems: (em, items) => this.readBatchKeys(em, items),
      item: (em, item) => this.inContext(item.context, () => this.runIsolated(em, item)),
      savepoint: (item) => item.plan !== undefined,
      afterItems: (em, done) => this.recordBatch(em, done),
      lockOrder: (item) => item.plan?.lockKey ?? '',
      chainSavepoints: tx.dialect.chainsStatements,
      optimistic: true,
      runAll: (em, items) => this.execute(em, items),
      retryable: isRetryableConflict,
      maxBatch: ISSUANCE_BATCH_MAX,
      gatherMs: ISSUANCE_GATHER_MS,
    });
  }

  /** Issuances already handed over are committed before the pool closes. */
  async onApplicationShutdown(): Promise<void> {
    await this.committer.drain();
  }

  /** Resolves with the plan's answer once it is committed. */
  async issue(plan: IssuancePlan, context: RequestContext | undefined): Promise<TokenIssuanceDto> {
    const result = await this.committer.submit({ context, plan });
    if (!result.body) throw new Error('issuance committed without an answer');
    return result.body;
  }

  /** Resolves once the event is committed with a batch (after its key was judged again). */
  async record(event: BatchEvent, context: RequestContext | undefined): Promise<void> {
    await this.committer.submit({ context, event });
  }

  /**
   * A batch's items (in lock order) in few statements: the key re-read and the TIDs of every
   * token spec in one upsert per round (a TID row asked for twice takes a second round) after
   * the `before` writes, then each issuance assembled. With `keys` the keys were read already.
   */
  private async execute(
    em: EntityManager,
    items: readonly Item[],
    keys?: KeysById,
  ): Promise<ItemResult[]> {
    const at = this.clock.nowIso();
    const checks = items.flatMap((item) => {
      const check = item.plan?.keyCheck ?? item.event?.keyCheck;
      return check ? [check] : [];
    });
    const checkKeys = (read: KeysById) => {
      for (const c of checks) c.check(read.get(c.used.id));
    };
    const keyIds = [...new Set(checks.map((c) => c.used.id))];
    let keysRead = keys !== undefined;
    if (keys) checkKeys(keys);
    const needs = items.flatMap((item, i) =>
      (item.plan?.tokens ?? []).flatMap((spec, j) =>
        spec.tid && spec.key
          ? [{ i, j, lock: `${spec.key.id}|${item.plan?.meter.iin}|${item.plan?.meter.drn}` }]
          : [],
      ),
    );
    if (needs.length === 0 && !keysRead && keyIds.length > 0) {
      checkKeys(await readKeysById(em, keyIds));
    }
    keysRead ||= needs.length === 0;
    for (const item of items) {
      const before = item.plan?.before;
      if (before) await this.inContext(item.context, () => before(em, at));
    }
    const tids = items.map((item) => (item.plan?.tokens ?? []).map((): number | null => null));
    let remaining = needs;
    while (remaining.length > 0) {
      const seen = new Set<string>();
      const round: typeof needs = [];
      const later: typeof needs = [];
      for (const n of remaining) {
        (seen.has(n.lock) ? later : round).push(n);
        seen.add(n.lock);
      }
      const requests = round.map(({ i, j }) => {
        const plan = items[i].plan as IssuancePlan;
        const spec = plan.tokens[j];
        return {
          vendingKeyId: (spec.key as { id: string }).id,
          meter: plan.meter,
          nowTid: (spec.tid as { nowTid: (at: string) => number }).nowTid(at),
        };
      });
      const got = keysRead
        ? await this.tids.allocateMany(em, requests, at)
        : await allocateReadingKeys(em, this.tids, requests, at, {
            ids: keyIds,
            check: checkKeys,
          });
      keysRead = true;
      round.forEach(({ i, j }, k) => (tids[i][j] = got[k]));
      remaining = later;
    }
    const results: ItemResult[] = [];
    for (const [i, item] of items.entries()) {
      const plan = item.plan;
      if (!plan) {
        results.push({ body: null, audits: [(item.event as BatchEvent).audit] });
        continue;
      }
      results.push(unwritten(assembleIssuance(plan, tids[i], at)));
    }
    return results;
  }

  /**
   * One item of a batch run with a savepoint per item: the same steps as {@link execute}, on
   * the keys the batch read first; its record written in its own savepoint, so that a duplicate
   * Idempotency-Key fails this item alone.
   */
  private async runIsolated(em: EntityManager, item: Item): Promise<ItemResult> {
    const [result] = await this.execute(em, [item], this.batchKeys.get(em) ?? new Map());
    if (!result.unwritten) return result;
    await insertIssuance(em, result.unwritten);
    return { body: result.body, audits: result.audits };
  }

  /** The isolated run's first step: one read of the vending keys its items used. */
  private async readBatchKeys(em: EntityManager, items: readonly Item[]): Promise<void> {
    const ids = new Set<string>();
    for (const item of items) {
      const check = item.plan?.keyCheck ?? item.event?.keyCheck;
      if (check) ids.add(check.used.id);
    }
    this.batchKeys.set(em, await readKeysById(em, [...ids]));
  }

  /**
   * The audit events of a batch's successful items, each with the request id of its own
   * request; with them the issuance records not yet written (on PostgreSQL one statement writes
   * both).
   */
  private async recordBatch(em: EntityManager, done: readonly Committed<Item, ItemResult>[]) {
    this.batchKeys.delete(em);
    const rows = done.flatMap((d) => (d.value.unwritten ? [d.value.unwritten] : []));
    await this.audit.recordForRequests(
      em,
      done.flatMap((d) => {
        const requestId = d.input.context?.requestId ?? currentRequestId();
        return d.value.audits.map((input) => ({ input, requestId }));
      }),
      rows.length > 0 ? issuanceRows(rows) : undefined,
    );
  }

  private inContext<T>(context: RequestContext | undefined, fn: () => Promise<T>): Promise<T> {
    return context ? runWithContext(context, fn) : fn();
  }
}

function unwritten(a: Assembled): ItemResult {
  return { body: a.body, audits: a.audits, unwritten: a.record };
}
