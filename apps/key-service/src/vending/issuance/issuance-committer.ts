/** What the committer needs of a transaction's entity manager: plain statements. */
export interface SavepointCapable {
  query(sql: string): Promise<unknown>;
}

/** One item that committed, with what its work returned. */
export interface Committed<I, R> {
  readonly input: I;
  readonly value: R;
}

export interface IssuanceCommitterOptions<E extends SavepointCapable, I, R> {
  /** Runs `work` in one database transaction (commits when it resolves, rolls back otherwise). */
  readonly transaction: <T>(work: (em: E) => Promise<T>) => Promise<T>;
  /**
   * Before any item, once per batch, with every item of the batch (e.g. one read of what the
   * items must re-check inside the transaction). A failure fails the batch. Not called before
   * `runAll`, which does the batch's reads itself.
   */
  readonly beforeItems?: (em: E, inputs: readonly I[]) => Promise<void>;
  /** One item's work inside the batch transaction, in a savepoint of its own. */
  readonly item: (em: E, input: I) => Promise<R>;
  /** After every item, once per batch, with the items that succeeded (in submission order). */
  readonly afterItems?: (em: E, done: readonly Committed<I, R>[]) => Promise<void>;
  /**
   * The order in which a batch runs its items (stable: items with equal keys keep their
   * submission order). Items that lock rows should sort by the row they lock, so that concurrent
   * batches in several processes take their row locks in one global order and cannot deadlock.
   */
  readonly lockOrder?: (input: I) => string;
  /** Whether an item needs a savepoint (default: every item; an item that writes nothing does not). */
  readonly savepoint?: (input: I) => boolean;
  /**
   * Send "RELEASE SAVEPOINT; SAVEPOINT" between two items as one statement string (one round trip;
   * PostgreSQL's simple query protocol takes several statements, better-sqlite3 does not).
   */
  readonly chainSavepoints?: boolean;
  /**
   * Try each batch first without savepoints (the usual case: every item succeeds, and a batch
   * costs no subtransactions and one statement less per item). When an item fails, that attempt
   * is rolled back as a whole and the batch runs again with a savepoint per item.
   */
  readonly optimistic?: boolean;
  /**
   * The optimistic attempt's work for the whole batch at once, `beforeItems`' included (inputs
   * in lock order; results in the same order), e.g. one multi-row statement instead of one per
   * item. Default: `beforeItems`, then `item` for each input in turn.
   */
  readonly runAll?: (em: E, inputs: readonly I[]) => Promise<R[]>;
  /** Item errors worth another try in the next batch (deadlock, serialization failure). */
  readonly retryable?: (error: unknown) => boolean;
  /** Most items in one batch. */
  readonly maxBatch: number;
  /**
   * How long a batch waits, at most, for more items before it starts (until it is full), when the
   * batch before it held more than one item, i.e. while items arrive concurrently (ms; default 0:
   * it never waits). A lone item after a quiet spell does not wait.
   */
  readonly gatherMs?: number;
  /** How often an item is tried when its error is retryable (default 3). */
  readonly maxAttempts?: number;
}

interface Ticket<I, R> {
  readonly input: I;
  readonly resolve: (value: R) => void;
  readonly reject: (error: unknown) => void;
  attempts: number;
}

type Outcome<R> =
  { readonly ok: true; readonly value: R } | { readonly ok: false; readonly error: unknown };

const SAVEPOINT = 'vending_item';

/**
 * Group commit for issuances: callers hand over an item and await its result; everything pending
 * (at most `maxBatch` items) runs in ONE transaction, each item in a SAVEPOINT, so that one item's
 * failure (a rule checked against the database, a unique violation) rolls back that item alone and
 * rejects its caller alone with its own error. `afterItems` then runs once for the items that
 * succeeded (one audit append for the whole batch), the transaction commits, and only then is
 * every caller settled: no caller hears of success before its row is durable, and no caller
 * hears of a failure whose cause (a concurrent duplicate) is not yet visible to others.
 *
 * - A batch starts on the microtask after the first submission, and while it commits the next
 *   batch accumulates, so the batch size follows the commit latency. While items arrive
 *   concurrently, a batch first waits up to `gatherMs` for more (a transaction costs round trips
 *   to the database whatever its size; under load, fewer and larger ones cost less CPU).
 * - Callers are settled in submission order.
 * - If the batch fails as a whole (the database goes away, `afterItems` or the commit fails),
 *   every caller of the batch is rejected with that error and nothing of the batch is recorded.
 * - Items whose error is `retryable` go to the front of the next batch, up to `maxAttempts`.
 * - With `optimistic`, a batch is tried without savepoints first and re-run with them only when
 *   an item fails (see the option).
 */
export class IssuanceCommitter<E extends SavepointCapable, I, R> {
  private readonly queue: Ticket<I, R>[] = [];
  private running?: Promise<void>;
  private readonly maxAttempts: number;
  /** Items in the batch started last. */
  private lastBatchSize = 0;
  /** Wakes a batch waiting for more items once it is full. */
  private wake?: () => void;

  constructor(private readonly options: IssuanceCommitterOptions<E, I, R>) {
    if (!Number.isInteger(options.maxBatch) || options.maxBatch < 1) {
      throw new RangeError('maxBatch must be a positive integer');
    }
    this.maxAttempts = options.maxAttempts ?? 3;
  }

  /** Items waiting for a batch (not counting the batch being committed). */
  get pending(): number {
    return this.queue.length;
  }

  /** Resolves with the item's result once its batch committed; rejects with its error otherwise. */
  submit(input: I): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.queue.push({ input, resolve, reject, attempts: 0 });
      this.running ??= Promise.resolve().then(() => this.drainQueue());
      if (this.queue.length >= this.options.maxBatch) this.wake?.();
    });
  }

  /** Resolves once everything submitted so far is settled. */
  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drainQueue(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        await this.gather();
        const batch = this.queue.splice(0, this.options.maxBatch);
        this.lastBatchSize = batch.length;
        await this.runBatch(batch);
      }
    } finally {
      this.running = undefined;
    }
  }

  /** Waits up to `gatherMs` for the batch to fill, while items arrive concurrently. */
  private async gather(): Promise<void> {
    const ms = this.options.gatherMs ?? 0;
    if (ms <= 0 || this.lastBatchSize <= 1 || this.queue.length >= this.options.maxBatch) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => this.wake?.(), ms);
      this.wake = () => {
        clearTimeout(timer);
        this.wake = undefined;
        resolve();
      };
    });
  }

  private async runBatch(batch: Ticket<I, R>[]): Promise<void> {
    if (this.options.optimistic && (await this.runOptimistic(batch))) return;
    await this.runIsolated(batch);
  }

  /**
   * The batch without savepoints. True when the batch is settled (committed, or a lone item
   * failed with its own error); false when it must run again isolated (nothing was committed).
   */
  private async runOptimistic(batch: Ticket<I, R>[]): Promise<boolean> {
    const values = new Array<R>(batch.length);
    let failure: { error: unknown } | undefined;
    try {
      await this.options.transaction(async (em) => {
        if (!this.options.runAll) {
          await this.options.beforeItems?.(
            em,
            batch.map((t) => t.input),
          );
        }
        const order = this.order(batch);
        try {
          if (this.options.runAll) {
            const got = await this.options.runAll(
              em,
              order.map((i) => batch[i].input),
            );
            if (got.length !== order.length) throw new Error('runAll answered the wrong count');
            order.forEach((i, j) => (values[i] = got[j]));
          } else {
            for (const i of order) values[i] = await this.options.item(em, batch[i].input);
          }
        } catch (error) {
          failure = { error };
          throw error; // rolls back the whole attempt
        }
        await this.options.afterItems?.(
          em,
          batch.map((t, i) => ({ input: t.input, value: values[i] })),
        );
      });
    } catch {
      if (failure && batch.length === 1) {
        this.settle(batch, [{ ok: false, error: failure.error }]);
        return true;
      }
      return false;
    }
    this.settle(
      batch,
      values.map((value) => ({ ok: true, value })),
    );
    return true;
  }

  /** The batch with a savepoint per item (each item's failure is its own). */
  private async runIsolated(batch: Ticket<I, R>[]): Promise<void> {
    const outcomes: Outcome<R>[] = new Array<Outcome<R>>(batch.length);
    try {
      await this.options.transaction(async (em) => {
        await this.options.beforeItems?.(
          em,
          batch.map((t) => t.input),
        );
        let open = false; // a savepoint is open (the previous item's, released by the next one)
        for (const i of this.order(batch)) {
          const ticket = batch[i];
          if (this.options.savepoint && !this.options.savepoint(ticket.input)) {
            outcomes[i] = await this.runBare(em, ticket);
            continue;
          }
          await this.openSavepoint(em, open);
          open = true;
          outcomes[i] = await this.runItem(em, ticket);
        }
        const done: Committed<I, R>[] = [];
        batch.forEach((t, i) => {
          const o = outcomes[i];
          if (o.ok) done.push({ input: t.input, value: o.value });
        });
        if (done.length > 0 && this.options.afterItems) await this.options.afterItems(em, done);
      });
    } catch (error) {
      for (const t of batch) t.reject(error);
      return;
    }
    this.settle(batch, outcomes);
  }

  /** Settles every caller of a committed batch; retryable failures go to the next batch. */
  private settle(batch: Ticket<I, R>[], outcomes: readonly Outcome<R>[]): void {
    const again: Ticket<I, R>[] = [];
    batch.forEach((t, i) => {
      const o = outcomes[i];
      if (o.ok) {
        t.resolve(o.value);
      } else if (this.options.retryable?.(o.error) && t.attempts + 1 < this.maxAttempts) {
        t.attempts += 1;
        again.push(t);
      } else {
        t.reject(o.error);
      }
    });
    if (again.length > 0) this.queue.unshift(...again);
  }

  /** Indexes of `batch` in lock order (stable), or in submission order. */
  private order(batch: readonly Ticket<I, R>[]): number[] {
    const indexes = batch.map((_, i) => i);
    const key = this.options.lockOrder;
    if (!key) return indexes;
    const keys = batch.map((t) => key(t.input));
    return indexes.sort((a, b) => (keys[a] < keys[b] ? -1 : keys[a] > keys[b] ? 1 : a - b));
  }

  /**
   * Opens the savepoint of the next item, releasing the previous item's first. The last one stays
   * open until the commit, which releases it (one statement less per batch).
   */
  private async openSavepoint(em: E, open: boolean): Promise<void> {
    if (!open) {
      await em.query(`SAVEPOINT ${SAVEPOINT}`);
    } else if (this.options.chainSavepoints) {
      await em.query(`RELEASE SAVEPOINT ${SAVEPOINT}; SAVEPOINT ${SAVEPOINT}`);
    } else {
      await em.query(`RELEASE SAVEPOINT ${SAVEPOINT}`);
      await em.query(`SAVEPOINT ${SAVEPOINT}`);
    }
  }

  /**
   * One item in its (open) savepoint. A failure of the item's own work rolls back to the savepoint
   * and becomes that item's outcome; a failure of the rollback itself (the connection is gone)
   * fails the batch.
   */
  private async runItem(em: E, ticket: Ticket<I, R>): Promise<Outcome<R>> {
    try {
      return { ok: true, value: await this.options.item(em, ticket.input) };
    } catch (error) {
      await em.query(`ROLLBACK TO SAVEPOINT ${SAVEPOINT}`);
      return { ok: false, error };
    }
  }

  /** An item that writes nothing: no savepoint. */
  private async runBare(em: E, ticket: Ticket<I, R>): Promise<Outcome<R>> {
    try {
      return { ok: true, value: await this.options.item(em, ticket.input) };
    } catch (error) {
      return { ok: false, error };
    }
  }
}

/** A PostgreSQL deadlock or serialization failure: the statement may succeed when tried again. */
export function isRetryableConflict(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const e = error as { code?: unknown; driverError?: unknown };
  if (e.code === '40P01' || e.code === '40001') return true;
  return (
    e.driverError !== undefined && e.driverError !== error && isRetryableConflict(e.driverError)
  );
}
