import PgBoss from 'pg-boss';
import type { EntityManager } from 'typeorm';

/** One unit of campaign work: a chunk of one campaign. */
export interface ChunkJob {
  readonly campaignId: string;
  readonly chunkNo: number;
}

export type ChunkHandler = (job: ChunkJob) => Promise<void>;

/**
 * Where campaign work waits. PostgreSQL: pg-boss, shared by every service process on the
 * database (jobs are enqueued in the transaction that starts or resumes the campaign). SQLite:
 * an in-process queue. Either way a chunk commits at most once (see ChunkProcessor), so a job
 * delivered twice or re-enqueued after a crash never duplicates a meter.
 */
export interface CampaignQueue {
  /** Enqueues jobs; `em` is the caller's transaction where the queue can join it. */
  enqueue(em: EntityManager | undefined, jobs: readonly ChunkJob[]): Promise<void>;
  /** Starts consuming with `handler` (only in processes that run campaign work). */
  work(handler: ChunkHandler): Promise<void>;
  /** Whether enqueue is part of the caller's transaction (else: enqueue after commit). */
  readonly transactional: boolean;
  stop(): Promise<void>;
}

/** The in-process queue (SQLite): FIFO, one chunk at a time, retries after a delay. */
export class InProcessQueue implements CampaignQueue {
  readonly transactional = false;
  private readonly pending: ChunkJob[] = [];
  private readonly queued = new Set<string>();
  private handler?: ChunkHandler;
  private draining?: Promise<void>;
  private stopped = false;
  private timer?: NodeJS.Timeout;

  constructor(private readonly retryDelayMs = 1000) {}

  enqueue(_em: EntityManager | undefined, jobs: readonly ChunkJob[]): Promise<void> {
    for (const job of jobs) {
      const key = `${job.campaignId}:${job.chunkNo}`;
      if (this.queued.has(key)) continue;
      this.queued.add(key);
      this.pending.push(job);
    }
    this.kick();
    return Promise.resolve();
  }

  work(handler: ChunkHandler): Promise<void> {
    this.handler = handler;
    this.kick();
    return Promise.resolve();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    await this.draining;
  }

  private kick(): void {
    if (this.draining || !this.handler || this.stopped) return;
    this.draining = this.drain().finally(() => {
      this.draining = undefined;
    });
  }

  private async drain(): Promise<void> {
    const handler = this.handler;
    if (!handler) return;
    while (!this.stopped && this.pending.length > 0) {
      const job = this.pending.shift() as ChunkJob;
      this.queued.delete(`${job.campaignId}:${job.chunkNo}`);
      try {
        await handler(job);
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
        // A chunk is a few seconds of work at most; an expired job (its process died) is retried.
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

  async enqueue(em: EntityManager | undefined, jobs: readonly ChunkJob[]): Promise<void> {
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
      retryLimit: 1_000_000,
      retryDelay: 2,
      expireInSeconds: 300,
    }));
    for (let i = 0; i < batch.length; i += 500) {
      await boss.insert(batch.slice(i, i + 500), db ? { db } : {});
    }
  }

  async work(handler: ChunkHandler): Promise<void> {
    const boss = await this.boss();
    await boss.work<ChunkJob>(
      CHUNK_QUEUE,
      { batchSize: this.options.batchSize, pollingIntervalSeconds: 0.5 },
      async (jobs) => {
        // A failing job (outage) is thrown to pg-boss, which retries the whole batch later;
        // chunks that committed before the failure are skipped on the retry.
        for (const job of jobs) await handler(job.data);
      },
    );
  }

  async stop(): Promise<void> {
    if (!this.started) return;
    const boss = await this.started.catch(() => undefined);
    await boss?.stop({ graceful: true, wait: true, timeout: 10_000 });
  }
}
