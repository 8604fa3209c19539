import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { EntityManager } from 'typeorm';
import type { Clock } from '../common/clock';
import type { JsonLogger } from '../common/json-logger';
import type { CampaignLivenessConfig } from '../config/app-config';
import type { TransactionRunner } from '../database/transaction-runner';
import type { ChunkJob } from './campaign-queue';
import { Campaign, CampaignChunk, CampaignWorker } from './campaign.entity';
import type { WorkerFacts } from './campaign-progress';

/** Puts chunks taken over from a dead worker back into the queue, first in line (in `em` where it can). */
export type Requeue = (em: EntityManager, jobs: readonly ChunkJob[]) => Promise<void>;

/** Rows of an UPDATE ... RETURNING: PostgreSQL answers `[rows, count]`, SQLite the rows. */
function returnedRows<R>(answer: unknown): R[] {
  if (Array.isArray(answer) && Array.isArray(answer[0])) return answer[0] as R[];
  return Array.isArray(answer) ? (answer as R[]) : [];
}

/** How many workers are alive at `now` and when any was last heard of. */
export async function readWorkerFacts(
  em: EntityManager,
  now: Date,
  takeoverMs: number,
): Promise<WorkerFacts> {
  const cutoff = new Date(now.getTime() - takeoverMs).toISOString();
  const row = await em
    .createQueryBuilder(CampaignWorker, 'w')
    .select('MAX(w.heartbeat_at)', 'last')
    .addSelect('SUM(CASE WHEN w.heartbeat_at >= :cutoff THEN 1 ELSE 0 END)', 'live')
    .setParameters({ cutoff })
    .getRawOne<{ last: string | null; live: number | string | null }>();
  return { live: Number(row?.live ?? 0), lastHeartbeatAt: row?.last ?? null };
}

/**
 * This process as a campaign worker: it registers, heartbeats every `heartbeatMs`, claims the
 * chunks it takes from the queue (the whole batch it fetched, so that chunks it holds but has not
 * started are known too), and on every heartbeat sweeps: workers silent for `takeoverMs` are
 * removed, and the pending chunks still claimed by a worker that is gone are released and queued
 * again for the running campaigns. Whoever takes such a chunk works it again; a chunk commits at
 * most once (the conditional update in CampaignsService), so a takeover never duplicates a meter,
 * even when the "dead" worker was only slow. A chunk is taken over within takeoverMs + heartbeatMs
 * of its worker's last heartbeat.
 */
export class CampaignWorkers {
  readonly id = randomUUID();
  private timer?: NodeJS.Timeout;
  private beating?: Promise<void>;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly logger: JsonLogger,
    private readonly config: CampaignLivenessConfig,
    private readonly requeue: Requeue,
    private readonly onTakeover: (count: number) => void,
  ) {}

  /** Registers this worker and starts its heartbeat. */
  async start(): Promise<void> {
    await this.beat();
    this.timer = setInterval(() => {
      this.beating ??= this.beat()
        .catch(() => undefined)
        .finally(() => (this.beating = undefined));
    }, this.config.heartbeatMs);
    this.timer.unref();
  }

  /** Stops the heartbeat and removes this worker (its claims are released by the next sweep). */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    await this.beating;
    await this.tx.run((em) => em.delete(CampaignWorker, { id: this.id })).catch(() => undefined);
  }

  /** Marks `jobs` as held by this worker (those still pending). */
  async claim(jobs: readonly ChunkJob[]): Promise<void> {
    const byCampaign = new Map<string, number[]>();
    for (const j of jobs)
      byCampaign.set(j.campaignId, [...(byCampaign.get(j.campaignId) ?? []), j.chunkNo]);
    await this.tx.run(async (em) => {
      for (const [campaignId, chunkNos] of byCampaign) {
        await em
          .createQueryBuilder()
          .update(CampaignChunk)
          .set({ claimedBy: this.id })
          .where('campaign_id = :campaignId AND chunk_no IN (:...chunkNos) AND state = :state', {
            campaignId,
            chunkNos,
            state: 'pending',
          })
          .execute();
      }
    });
  }

  /** One heartbeat, then a sweep for dead workers' chunks. */
  async beat(): Promise<void> {
    const now = this.clock.nowIso();
    await this.tx.run(async (em) => {
      const seen = await em.update(CampaignWorker, { id: this.id }, { heartbeatAt: now });
      if (seen.affected !== 1) {
        await em.insert(CampaignWorker, {
          id: this.id,
          label: `${hostname()}:${process.pid}`.slice(0, 100),
          startedAt: now,
          heartbeatAt: now,
        });
      }
    });
    await this.sweep();
  }

  /** Removes dead workers and queues again the pending chunks they held; returns how many. */
  async sweep(): Promise<number> {
    const now = this.clock.now();
    const cutoff = new Date(now.getTime() - this.config.takeoverMs).toISOString();
    const taken = await this.tx.run(async (em) => {
      await em
        .createQueryBuilder()
        .delete()
        .from(CampaignWorker)
        .where('heartbeat_at < :cutoff', { cutoff })
        .execute();
      const released = returnedRows<{ campaign_id: string; chunk_no: number | string }>(
        await em.query(
          "UPDATE campaign_chunks SET claimed_by = NULL WHERE state = 'pending' AND " +
            'claimed_by IS NOT NULL AND claimed_by NOT IN (SELECT id FROM campaign_workers) ' +
            'RETURNING campaign_id, chunk_no',
        ),
      );
      if (released.length === 0) return [];
      const running = new Set(
        (
          await em
            .createQueryBuilder(Campaign, 'c')
            .select('c.id', 'id')
            .where('c.id IN (:...ids)', { ids: [...new Set(released.map((r) => r.campaign_id))] })
            .andWhere('c.state = :state', { state: 'running' })
            .getRawMany<{ id: string }>()
        ).map((r) => r.id),
      );
      const jobs = released
        .filter((r) => running.has(r.campaign_id))
        .map((r) => ({ campaignId: r.campaign_id, chunkNo: Number(r.chunk_no) }))
        .sort((a, b) => a.chunkNo - b.chunkNo);
      await this.requeue(em, jobs);
      return jobs;
    });
    if (taken.length > 0) {
      this.onTakeover(taken.length);
      this.logger.event('warn', 'campaign chunks taken over', {
        worker: this.id,
        chunks: taken.length,
        campaigns: [...new Set(taken.map((j) => j.campaignId))],
      });
    }
    return taken.length;
  }
}
