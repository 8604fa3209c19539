/**
 * Group commit: concurrent callers hand over items and await a promise; one batch at a time is
 * committed through `commitBatch`, and every caller of that batch is settled with its outcome.
 *
 * - A batch starts as soon as the committer is idle (on the next microtask after the first
 *   submission, so that callers of the same tick share it) and, while it commits, new
 *   submissions queue for the next batch. No timers: under load a batch is whatever arrived
 *   during the previous commit, so throughput follows the commit latency.
 * - A batch holds at most `maxBatch` items, except that one submission is never split (its
 *   items commit together or not at all): a submission larger than `maxBatch` is a batch alone.
 * - Submissions are taken in order (FIFO) and their items are passed in that order.
 * - If `commitBatch` rejects (or throws), every caller of that batch is rejected with that same
 *   error and the committer goes on with the next batch.
 */
export class GroupCommitter<T> {
  private readonly queue: Ticket<T>[] = [];
  private queuedItems = 0;
  private running?: Promise<void>;

  constructor(
    private readonly commitBatch: (items: readonly T[]) => Promise<void>,
    readonly maxBatch = 500,
  ) {
    if (!Number.isInteger(maxBatch) || maxBatch < 1) {
      throw new RangeError('maxBatch must be a positive integer');
    }
  }

  /** Items waiting for a batch (not counting the batch being committed). */
  get pending(): number {
    return this.queuedItems;
  }

  /** Resolves when `items` are committed; rejects with the batch's error when it fails. */
  submit(items: readonly T[]): Promise<void> {
    if (items.length === 0) return Promise.resolve();
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ items, resolve, reject });
      this.queuedItems += items.length;
      this.running ??= Promise.resolve().then(() => this.drainQueue());
    });
  }

  /** Resolves once everything submitted so far has been committed or rejected. */
  async drain(): Promise<void> {
    while (this.running) await this.running;
  }

  private async drainQueue(): Promise<void> {
    try {
      while (this.queue.length > 0) {
        const batch = this.takeBatch();
        const items = batch.flatMap((t) => t.items);
        try {
          await this.commitBatch(items);
        } catch (error) {
          for (const t of batch) t.reject(error);
          continue;
        }
        for (const t of batch) t.resolve();
      }
    } finally {
      this.running = undefined;
    }
  }

  private takeBatch(): Ticket<T>[] {
    const batch: Ticket<T>[] = [];
    let size = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0];
      if (batch.length > 0 && size + next.items.length > this.maxBatch) break;
      this.queue.shift();
      batch.push(next);
      size += next.items.length;
      this.queuedItems -= next.items.length;
    }
    return batch;
  }
}

interface Ticket<T> {
  readonly items: readonly T[];
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}
