import PgBoss from 'pg-boss';
import type { EntityManager } from 'typeorm';
import { isDatabaseUnavailable } from '../common/domain-error';

/** One unit of campaign work: a chunk of one campaign. */
export interface ChunkJob {
  readonly campaignId: string;
  readonly chunkNo: number;
}

export type ChunkHandler = (job: ChunkJob) => Promise<void>;

/** What a worker does with the jobs it takes: claim the whole batch it fetched, then work each. */
export interface ChunkWorker {
  readonly claim: (jobs: readonly ChunkJob[]) => Promise<void>;
  readonly handle: ChunkHandler;
}

/**
 * Where campaign work waits. PostgreSQL: pg-boss, shared by every service process on the
 * database (jobs are enqueued in the transaction that starts or resumes the campaign). SQLite:
 * an in-process queue. Either way a chunk commits at most once (see ChunkProcessor), so a job
 * delivered twice or re-enqueued after a crash never duplicates a meter.
 */
export interface CampaignQueue {
  /**
   * Enqueues jobs; `em` is the caller's transaction where the queue can join it. `urgent` jobs
   * (taken over from a dead worker) go before the ones waiting.
   */
  enqueue(
    em: EntityManager | undefined,
    jobs: readonly ChunkJob[],
    options?: { readonly urgent?: boolean },
  ): Promise<void>;
  /** Starts consuming with `worker` (only in processes that run campaign work). */
  work(worker: ChunkWorker): Promise<void>;
  /** Whether enqueue is part of the caller's transaction (else: enqueue after commit). */
  readonly transactional: boolean;
  stop(): Promise<void>;
}

/** The in-process queue (SQLite): FIFO, one chunk at a time, retries after a delay. */
export class InProcessQueue implements CampaignQueue {
  readonly transactional = false;
  private readonly pending: ChunkJob[] = [];
  private readonly queued = new Set<string>();
  private worker?: ChunkWorker;
  private draining?: Promise<void>;
  private stopped = false;
  private timer?: NodeJS.Timeout;

  constructor(private readonly retryDelayMs = 1000) {}

  enqueue(
    _em: EntityManager | undefined,
    jobs: readonly ChunkJob[],
    options: { readonly urgent?: boolean } = {},
  ): Promise<void> {
    const fresh: ChunkJob[] = [];
    for (const job of jobs) {
      const key = `${job.campaignId}:${job.chunkNo}`;
      if (this.queued.has(key)) continue;
      this.queued.add(key);
      fresh.push(job);
    }
    if (options.urgent) this.pending.unshift(...fresh);
    else this.pending.push(...fresh);
    this.kick();
    return Promise.resolve();
  }

  work(worker: ChunkWorker): Promise<void> {
    this.worker = worker;
    this.kick();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.draining;
  }

  private kick(): void {
    if (this.draining || !this.worker || this.stopped) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  private async drain(): Promise<void> {
    const worker = this.worker;
    if (!worker) return;
    while (!this.stopped && this.pending.length > 0) {
      const job = this.pending.shift() as ChunkJob;
      this.queued.delete(`${job.campaignId}:${job.chunkNo}`);
      try {
        await worker.claim([job]);
        await worker.handle(job);
      } catch {
        // Outage (token or database): keep the job and retry later, in order.
        this.pending.unshift(job);
        this.queued.add(`${job.campaignId}:${job.chunkNo}`);
        this.timer = setTimeout(() => this.kick(), this.retryDelayMs);
        this.timer.unref();
        return;
      }
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}

export const CHUNK_QUEUE = 'sts-campaign-chunk';

/**
 * An `unhandledRejection` listener for processes that work the pg-boss queue. pg-boss (10.x)
 * completes a finished batch without waiting for the answer, so a database that goes away at
 * that moment leaves a rejected promise no one handles, which would end the process. Such a
 * rejection (an unreachable database) goes to `report`; any other is thrown on, which ends the
 * process as it would without the listener.
 */
export function unreachableDatabaseGuard(
  report: (error: Error) => void,
): (reason: unknown) => void {
  return (reason) => {
    if (!isDatabaseUnavailable(reason)) throw reason;
    report(reason as Error);
  };
}

/** pg-boss (PostgreSQL): every process that works the queue takes chunks of any campaign. */
export class PgBossQueue implements CampaignQueue {
  readonly transactional = true;
  private started?: Promise<PgBoss>;

  constructor(
    private readonly options: { url: string; schema: string; batchSize: number },
    private readonly onError: (error: Error) => void,
  ) {}

  private boss(): Promise<PgBoss> {
    this.started ??= (async () => {
      const boss = new PgBoss({
        connectionString: this.options.url,
        schema: this.options.schema,
        max: 3,
        // A job of a process that died is taken over through the chunk claims (campaign-workers.ts)
        // long before it expires; expiry stays as the last resort.
        expireInSeconds: 300,
        retryLimit: 1_000_000,
        retryDelay: 2,
        schedule: false,
      });
      boss.on('error', (e: Error) => this.onError(e));
      await boss.start();
      await boss.createQueue(CHUNK_QUEUE);
      return boss;
    })();
    return this.started;
  }

  async enqueue(
    em: EntityManager | undefined,
    jobs: readonly ChunkJob[],
    options: { readonly urgent?: boolean } = {},
  ): Promise<void> {
    if (jobs.length === 0) return;
    const boss = await this.boss();
    const db = em
      ? {
          executeSql: async (text: string, values: unknown[]) => ({
            rows: await em.query<unknown[]>(text, values),
          }),
        }
      : undefined;
    const batch = jobs.map((j) => ({
      name: CHUNK_QUEUE,
      data: { campaignId: j.campaignId, chunkNo: j.chunkNo },
      priority: options.urgent ? 1 : 0,
      retryLimit: 1_000_000,
      retryDelay: 2,
      expireInSeconds: 300,
    }));
    for (let i = 0; i < batch.length; i += 500) {
      await boss.insert(batch.slice(i, i + 500), db ? { db } : {});
    }
  }

  private readonly onUnhandledRejection = unreachableDatabaseGuard((e) => this.onError(e));

  async work(worker: ChunkWorker): Promise<void> {
    process.on('unhandledRejection', this.onUnhandledRejection);
    const boss = await this.boss();
    await boss.work<ChunkJob>(
      CHUNK_QUEUE,
      { batchSize: this.options.batchSize, pollingIntervalSeconds: 0.5 },
      async (jobs) => {
        // The whole batch is claimed first: a worker that dies holding it has its chunks taken
        // over (campaign-workers.ts) instead of waiting for the jobs to expire. Every job is
        // tried even when one fails (a failing chunk must not hold back its batch-mates); the
        // first failure is then thrown to pg-boss, which retries the whole batch later, and the
        // chunks that committed are skipped on the retry.
        await worker.claim(jobs.map((j) => j.data));
        let failure: { error: unknown } | undefined;
        for (const job of jobs) {
          try {
            await worker.handle(job.data);
          } catch (error) {
            failure ??= { error };
          }
        }
        if (failure) throw failure.error;
      },
    );
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    const boss = await this.started.catch(() => undefined);
    await boss?.stop({ graceful: true, wait: true, timeout: 10_000 });
    process.off('unhandledRejection', this.onUnhandledRejection);
  }
}
