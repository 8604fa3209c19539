import { createHash, randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Inject,
  Injectable,
  type OnApplicationBootstrap,
  type OnModuleDestroy,
  type OnModuleInit,
} from '@nestjs/common';
import { type BaseDate, type Ea, StsError } from '@sts/core';
import type { EntityManager } from 'typeorm';
import type { Approval } from '../approvals/approval.entity';
import { MeterKeyMoves } from '../meter-keys/meter-key-moves';
import { heldKeyOf } from '../meter-keys/meter-key-transitions';
import { ApprovalsService, toApprovalDto } from '../approvals/approvals.service';
import { AuditService, SYSTEM_ACTOR, type AuditActor } from '../audit/audit.service';
import { Clock } from '../common/clock';
import {
  DomainError,
  fromStsError,
  isDatabaseUnavailable,
  toDomainError,
} from '../common/domain-error';
import { ErrorCode } from '../common/error-codes';
import { JsonLogger } from '../common/json-logger';
import { type PageOrder, readPage } from '../common/paging';
import { APP_CONFIG, type AppConfig, type CampaignLivenessConfig } from '../config/app-config';
import { backoffDelay, DatabaseGate } from '../database/database-gate';
import { TransactionRunner } from '../database/transaction-runner';
import { MetricsService } from '../health/metrics.service';
import { SupplyGroup } from '../supply-groups/supply-group.entity';
import { type LiveKey, readKeysById } from '../vending/issuance/issuance-sql';
import { KeyChangeIssuer } from '../vending/issuance/key-change-issuer';
import { effectiveKeyState } from '../vending/rules/sts-rules';
import { TidAllocator } from '../vending/tid-allocation/tid-allocator';
import { VendingKey } from '../vending-keys/vending-key.entity';
import {
  decodeRows,
  encodeRow,
  MeterListParser,
  type MeterRow,
  type MeterStatus,
  RESULT_HEADER,
  resultLine,
} from './campaign-csv';
import { type CampaignQueue, type ChunkJob, InProcessQueue, PgBossQueue } from './campaign-queue';
import type { ProgressFacts } from './campaign-progress';
import { checkPlan, type PlanSide } from './campaign-rules';
import { CampaignWorkers, readWorkerFacts } from './campaign-workers';
import {
  Campaign,
  CampaignChunk,
  type CampaignState,
  type StallCause,
  TERMINAL_STATES,
} from './campaign.entity';
import {
  CampaignDto,
  type CampaignListDto,
  type CampaignQueryDto,
  type CreateCampaignDto,
  type MetersUploadedDto,
} from './dto/campaign.dto';

/** How many bad rows an upload answer lists (all of them are in the results CSV). */
const BAD_ROW_SAMPLE = 100;
/** An upload that stored no chunk for this long loses its claim to the next upload. */
export const UPLOAD_CLAIM_IDLE_MS = 120_000;
/** Chunks read per query when the stored list is hashed again. */
const HASH_BATCH_CHUNKS = 16;
/**
 * Meters of a chunk worked at once: one derivation batch (DERIVATION_BATCH_MAX) per vending key
 * and turn, while the tokens and promises of only so many meters are held.
 */
const METERS_AT_ONCE = 64;

/** The list order: newest first. */
const CAMPAIGN_ORDER: PageOrder<Campaign> = {
  keys: [
    { column: 'c.created_at', value: (c) => c.createdAt },
    { column: 'c.id', value: (c) => c.id },
  ],
  direction: 'DESC',
};

/** Rolls a transaction back without an error reaching the caller. */
class Skip extends Error {}

/** Rolls a chunk's transaction back because a key or supply group stopped being usable. */
class KeyProblem extends Error {
  constructor(readonly code: ErrorCode) {
    super(code);
  }
}

/**
 * Rekey campaigns: plan (STS rules, 422), meter list upload (streamed), dual-control approval,
 * run / pause / resume / cancel, progress, and streamed results. The run is split into chunks
 * worked through a queue (pg-boss on PostgreSQL, in-process on SQLite); each chunk commits once,
 * together with the campaign's counters and an audit event, so a restart after a crash continues
 * with no meter lost or duplicated.
 */
@Injectable()
export class CampaignsService implements OnModuleInit, OnApplicationBootstrap, OnModuleDestroy {
  readonly queue: CampaignQueue;
  private readonly worker: boolean;
  private readonly liveness: CampaignLivenessConfig;
  private readonly reconnect: AppConfig['reconnect'];
  /** Ends the waits between a chunk's retries when the process shuts down. */
  private readonly stopping = new AbortController();
  /** This process as a worker (heartbeat, claims, takeover), once it works the queue. */
  private workers?: CampaignWorkers;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly approvals: ApprovalsService,
    private readonly clock: Clock,
    private readonly logger: JsonLogger,
    private readonly issuer: KeyChangeIssuer,
    private readonly tids: TidAllocator,
    private readonly gate: DatabaseGate,
    private readonly metrics: MetricsService,
    private readonly meterKeys: MeterKeyMoves,
    @Inject(APP_CONFIG) config: AppConfig,
  ) {
    this.worker = config.campaignWorker;
    this.liveness = config.campaigns;
    this.reconnect = config.reconnect;
    this.queue =
      config.database.type === 'postgres'
        ? new PgBossQueue(
            { url: config.database.url, schema: config.database.schema, batchSize: 4 },
            (e) => {
              // The queue polls on its own connections: an outage is the gate's to report (one
              // line when it begins, one when it ends), not one line per failed poll.
              if (isDatabaseUnavailable(e)) this.gate.reportFailure(e);
              else this.logger.event('error', 'campaign queue error', { error: e.name });
            },
          )
        : new InProcessQueue();
  }

  onModuleInit(): void {
    this.approvals.register('campaign.approve', {
      decidedBy: 'security-officer',
      execute: (em, a, p, who) => this.approved(em, a, p, who),
      onClosed: (em, a) => this.approvalClosed(em, a),
    });
  }

  async onApplicationBootstrap(): Promise<void> {
    if (!this.worker) return;
    const workers = new CampaignWorkers(
      this.tx,
      this.clock,
      this.logger,
      this.liveness,
      (em, jobs) =>
        this.queue.enqueue(this.queue.transactional ? em : undefined, jobs, { urgent: true }),
      (count) => this.metrics.campaignTakeovers.inc(count),
    );
    await workers.start();
    this.workers = workers;
    await this.queue.work({
      claim: (jobs) => workers.claim(jobs),
      handle: (job) => this.workChunk(job),
    });
    await this.recover();
  }

  async onModuleDestroy(): Promise<void> {
    this.stopping.abort();
    await this.queue.stop();
    await this.workers?.stop();
  }

  // ---- planning ----

  async plan(actor: AuditActor, dto: CreateCampaignDto): Promise<CampaignDto> {
    const from = side(dto.from);
    const to = side(dto.to);
    const ea = dto.ea as Ea;
    return this.tx.run(async (em) => {
      const facts = {
        from: await this.sideFacts(em, from, 'from.sgc'),
        to: await this.sideFacts(em, to, 'to.sgc'),
      };
      const now = this.clock.nowIso();
      const { fromKey, toKey } = checkPlan(from, to, ea, facts, now);
      const campaign = em.create(Campaign, {
        id: randomUUID(),
        name: dto.name ?? `${from.sgc}/${from.krn} -> ${to.sgc}/${to.krn}`,
        state: 'planned',
        fromSgc: from.sgc,
        fromKrn: from.krn,
        fromTi: from.tariffIndex,
        fromBaseDate: from.baseDate,
        fromKeyId: fromKey.id,
        toSgc: to.sgc,
        toKrn: to.krn,
        toTi: to.tariffIndex,
        toBaseDate: to.baseDate,
        toKeyId: toKey.id,
        ro: from.baseDate === to.baseDate ? 0 : 1,
        ea,
        chunkSize: dto.chunkSize ?? 1000,
        onChunkFailure: dto.onChunkFailure ?? 'pause',
        stallCause: null,
        stalledSince: null,
        metersSha256: null,
        totalRows: 0,
        badRows: 0,
        chunkCount: 0,
        chunksDone: 0,
        issued: 0,
        failed: 0,
        movedAtUpload: 0,
        moved: 0,
        approvalId: null,
        createdBy: actor.id,
        createdAt: now,
        updatedAt: now,
        startedAt: null,
        finishedAt: null,
        segmentStartedAt: null,
        segmentBase: 0,
        failureCode: null,
      });
      await em.insert(Campaign, campaign);
      await this.audit.record(em, {
        actor,
        action: 'campaign.plan',
        subjectType: 'campaign',
        subjectId: campaign.id,
        details: {
          from: { ...from, vendingKeyId: fromKey.id, kcv: fromKey.kcv },
          to: { ...to, vendingKeyId: toKey.id, kcv: toKey.kcv },
          ro: campaign.ro,
          ea,
          chunkSize: campaign.chunkSize,
          onChunkFailure: campaign.onChunkFailure,
        },
      });
      return this.toDto(campaign);
    });
  }

  /**
   * Reads the meter list from `source` line by line and stores it in chunks; then, in one
   * transaction, records the counts and opens the approval request. The upload first claims the
   * campaign (under its row lock), and every chunk it stores renews that claim: a second upload
   * of the same campaign is refused (409) while the first one is alive, and only the claiming
   * upload's chunks can become the list. An upload that fails leaves nothing behind (its chunks
   * are removed, its claim released) and the campaign as it was.
   */
  async uploadMeters(
    actor: AuditActor,
    id: string,
    source: AsyncIterable<Buffer | string>,
  ): Promise<MetersUploadedDto> {
    const uploadId = randomUUID();
    const campaign = await this.tx.run((em) => this.claimUpload(em, id, uploadId));
    const parser = new MeterListParser(campaign.ea);
    const badRows: { row: number; code: string }[] = [];
    let chunkNo = 0;
    let rows: MeterRow[] = [];
    let movedAtUpload = 0;
    const flush = async (): Promise<void> => {
      if (rows.length === 0) return;
      const chunk: CampaignChunk = {
        campaignId: id,
        chunkNo,
        uploadId,
        firstRow: rows[0].row,
        rowCount: rows.length,
        input: rows.map(encodeRow).join('\n'),
        state: 'pending',
        issued: 0,
        failed: 0,
        moved: 0,
        result: null,
        doneAt: null,
        claimedBy: null,
        attempts: 0,
        failureCode: null,
      };
      const listed = rows.filter((r) => r.code === '');
      rows = [];
      chunkNo += 1;
      await this.tx.run(async (em) => {
        await this.renewClaim(em, id, uploadId);
        await em.insert(CampaignChunk, chunk);
      });
      movedAtUpload += (
        await this.tx.read((em) =>
          this.meterKeys.onKey(em, listed, campaign.toKeyId, campaign.toTi),
        )
      ).size;
    };
    try {
      for await (const row of parser.parse(source)) {
        if (row.code && badRows.length < BAD_ROW_SAMPLE)
          badRows.push({ row: row.row, code: row.code });
        rows.push(row);
        if (rows.length >= campaign.chunkSize) await flush();
      }
      await flush();
      if (parser.rows === 0) throw DomainError.validation('meters', 'meters: no meter rows');
      const sha256 = parser.sha256();
      return await this.tx.run(async (em) => {
        await this.find(em, id, true);
        const now = this.clock.nowIso();
        const gate = await em
          .createQueryBuilder()
          .update(Campaign)
          .set({
            metersSha256: sha256,
            totalRows: parser.rows,
            badRows: parser.bad,
            chunkCount: chunkNo,
            movedAtUpload,
            uploadId: null,
            uploadSeenAt: null,
            updatedAt: now,
          })
          .where(
            'id = :id AND state = :state AND meters_sha256 IS NULL AND upload_id = :uploadId',
            {
              id,
              state: 'planned',
              uploadId,
            },
          )
          .execute();
        if (gate.affected !== 1) {
          throw DomainError.invalidState(`Campaign ${id} is no longer waiting for this upload`);
        }
        const stored = await em.countBy(CampaignChunk, { campaignId: id });
        if (stored !== chunkNo) {
          throw DomainError.invalidState('Another upload of this list interfered');
        }
        const fresh = await this.find(em, id);
        const approval = await this.approvals.request(em, actor, 'campaign.approve', id, {
          campaignId: id,
          from: planSide(fresh, 'from'),
          to: planSide(fresh, 'to'),
          ro: fresh.ro,
          ea: fresh.ea,
          onChunkFailure: fresh.onChunkFailure,
          meters: { total: fresh.totalRows, badRows: fresh.badRows, sha256 },
        });
        await em.update(Campaign, { id }, { approvalId: approval.id });
        fresh.approvalId = approval.id;
        await this.audit.record(em, {
          actor,
          action: 'campaign.meters.upload',
          subjectType: 'campaign',
          subjectId: id,
          details: {
            total: fresh.totalRows,
            badRows: fresh.badRows,
            chunks: chunkNo,
            sha256,
            approvalId: approval.id,
          },
        });
        return { campaign: this.toDto(fresh), approval: toApprovalDto(approval), badRows };
      });
    } catch (error) {
      await this.tx
        .run(async (em) => {
          await em.delete(CampaignChunk, { campaignId: id, uploadId });
          await em.update(Campaign, { id, uploadId }, { uploadId: null, uploadSeenAt: null });
        })
        .catch(() => undefined);
      throw error;
    }
  }

  /**
   * Claims campaign `id` for upload `uploadId` under the campaign's row lock: the campaign must
   * wait for its list, and no other upload may hold a live claim (one that stored a chunk within
   * {@link UPLOAD_CLAIM_IDLE_MS}). Chunks left by an earlier upload that died are removed.
   */
  private async claimUpload(em: EntityManager, id: string, uploadId: string): Promise<Campaign> {
    const campaign = await this.find(em, id, true);
    assertPlannedWithoutMeters(campaign);
    const now = this.clock.now();
    if (
      campaign.uploadId !== null &&
      campaign.uploadSeenAt !== null &&
      now.getTime() - Date.parse(campaign.uploadSeenAt) < UPLOAD_CLAIM_IDLE_MS
    ) {
      throw DomainError.invalidState(`Another upload of campaign ${id} is running`, {
        state: campaign.state,
      });
    }
    await em.delete(CampaignChunk, { campaignId: id });
    await em.update(Campaign, { id }, { uploadId, uploadSeenAt: now.toISOString() });
    return campaign;
  }

  /** Renews the claim of `uploadId` on campaign `id`; 409 when another upload took it over. */
  private async renewClaim(em: EntityManager, id: string, uploadId: string): Promise<void> {
    const renewed = await em.update(
      Campaign,
      { id, uploadId },
      { uploadSeenAt: this.clock.nowIso() },
    );
    if (renewed.affected !== 1) {
      throw DomainError.invalidState(`Another upload of campaign ${id} took over`);
    }
  }

  /**
   * Re-hashes the meter list as stored (every chunk's rows, in order) and refuses with 409
   * PAYLOAD_HASH_MISMATCH when it differs from the campaign's hash, which is the hash the
   * approval request binds: a list changed in the database after the upload never runs.
   */
  private async assertStoredList(em: EntityManager, c: Campaign): Promise<void> {
    const hash = createHash('sha256');
    let chunks = 0;
    let next = 0;
    for (;;) {
      const batch = await em
        .createQueryBuilder(CampaignChunk, 'c')
        .select(['c.chunkNo', 'c.input'])
        .where('c.campaign_id = :id AND c.chunk_no >= :next', { id: c.id, next })
        .orderBy('c.chunk_no', 'ASC')
        .limit(HASH_BATCH_CHUNKS)
        .getMany();
      if (batch.length === 0) break;
      for (const chunk of batch) {
        hash.update(`${chunk.input}\n`);
        chunks += 1;
        next = chunk.chunkNo + 1;
      }
    }
    if (chunks !== c.chunkCount || hash.digest('hex') !== c.metersSha256) {
      throw new DomainError(
        ErrorCode.PAYLOAD_HASH_MISMATCH,
        'The stored meter list differs from the one reviewed for approval',
      );
    }
  }

  // ---- dual control ----

  private async approved(
    em: EntityManager,
    approval: Approval,
    p: Record<string, unknown>,
    who: AuditActor,
  ): Promise<void> {
    const campaign = await this.find(em, String(p.campaignId), true);
    const meters = p.meters as { sha256?: unknown } | undefined;
    if (campaign.state !== 'planned' || campaign.approvalId !== approval.id) {
      throw DomainError.invalidState(`Campaign ${campaign.id} is ${campaign.state}`, {
        state: campaign.state,
      });
    }
    if (meters?.sha256 !== campaign.metersSha256) {
      throw new DomainError(
        ErrorCode.PAYLOAD_HASH_MISMATCH,
        'The meter list differs from the one approved',
      );
    }
    await this.assertStoredList(em, campaign);
    await this.transition(em, campaign, 'approved', 'campaign.approve', who, {
      approvalId: approval.id,
    });
  }

  private async approvalClosed(em: EntityManager, approval: Approval): Promise<void> {
    const campaign = await em.findOneBy(Campaign, { id: approval.subjectId });
    if (!campaign || campaign.state !== 'planned' || campaign.approvalId !== approval.id) return;
    campaign.failureCode = `APPROVAL_${approval.state.toUpperCase()}`.slice(0, 40);
    campaign.finishedAt = this.clock.nowIso();
    await this.transition(em, campaign, 'cancelled', 'campaign.cancel', SYSTEM_ACTOR, {
      approvalId: approval.id,
      approvalState: approval.state,
    });
  }

  // ---- running ----

  async start(actor: AuditActor, id: string): Promise<CampaignDto> {
    return this.move(actor, id, ['approved'], 'running', 'campaign.start', true);
  }

  async pause(actor: AuditActor, id: string): Promise<CampaignDto> {
    return this.move(actor, id, ['running'], 'paused', 'campaign.pause', false);
  }

  async resume(actor: AuditActor, id: string): Promise<CampaignDto> {
    return this.move(actor, id, ['paused'], 'running', 'campaign.resume', true);
  }

  async cancel(actor: AuditActor, id: string): Promise<CampaignDto> {
    return this.move(
      actor,
      id,
      ['planned', 'approved', 'running', 'paused'],
      'cancelled',
      'campaign.cancel',
      false,
    );
  }

  private async move(
    actor: AuditActor,
    id: string,
    from: readonly CampaignState[],
    to: CampaignState,
    action: string,
    run: boolean,
  ): Promise<CampaignDto> {
    let jobs: ChunkJob[] = [];
    const dto = await this.tx.run(async (em) => {
      const campaign = await this.find(em, id, true);
      if (!from.includes(campaign.state)) {
        throw DomainError.invalidState(
          `Campaign ${id} is ${campaign.state}; ${action} needs ${from.join(' or ')}`,
          { state: campaign.state },
        );
      }
      if (action === 'campaign.start') {
        await this.assertStoredList(em, campaign);
      }
      const now = this.clock.nowIso();
      if (run) {
        campaign.startedAt ??= now;
        campaign.segmentStartedAt = now;
        campaign.segmentBase = campaign.issued + campaign.failed;
        campaign.stallCause = null;
        campaign.stalledSince = null;
        campaign.failureCode = null;
      }
      if (to === 'cancelled') campaign.finishedAt = now;
      await this.transition(em, campaign, to, action, actor, {}, from);
      if (run) {
        const pending = await em.find(CampaignChunk, {
          select: { chunkNo: true },
          where: { campaignId: id, state: 'pending' },
          order: { chunkNo: 'ASC' },
        });
        jobs = pending.map((c) => ({ campaignId: id, chunkNo: c.chunkNo }));
        if (this.queue.transactional) await this.queue.enqueue(em, jobs);
        if (jobs.length === 0) await this.completeIfDone(em, id);
      }
      return this.view(em, await this.find(em, id));
    });
    if (run && !this.queue.transactional) await this.queue.enqueue(undefined, jobs);
    return dto;
  }

  /** Re-enqueues the pending chunks of running campaigns (after a restart or a crash). */
  async recover(): Promise<number> {
    const running = await this.tx.read((em) =>
      em.find(Campaign, { select: { id: true }, where: { state: 'running' } }),
    );
    let count = 0;
    for (const c of running) {
      const pending = await this.tx.read((em) =>
        em.find(CampaignChunk, {
          select: { chunkNo: true },
          where: { campaignId: c.id, state: 'pending' },
          order: { chunkNo: 'ASC' },
        }),
      );
      await this.queue.enqueue(
        undefined,
        pending.map((p) => ({ campaignId: c.id, chunkNo: p.chunkNo })),
      );
      count += pending.length;
      if (pending.length === 0) await this.tx.run((em) => this.completeIfDone(em, c.id));
    }
    if (count > 0) this.logger.event('info', 'campaign chunks re-enqueued', { chunks: count });
    return count;
  }

  /**
   * Works one chunk: derives and builds every meter's key-change set outside any transaction,
   * then commits the results, the counters, the TID floors under the new key (RO = 0) and an
   * audit event in one transaction gated on the chunk still being pending, the campaign still
   * running and both keys and supply groups still usable (read again inside it). A second
   * delivery of the same job (or a paused, cancelled or failed campaign) commits nothing. Outages
   * are thrown: the queue retries the chunk later.
   */
  async processChunk(job: ChunkJob): Promise<void> {
    const loaded = await this.tx.read(async (em) => {
      const campaign = await em.findOneBy(Campaign, { id: job.campaignId });
      if (!campaign || campaign.state !== 'running') return undefined;
      const chunk = await em.findOneBy(CampaignChunk, {
        campaignId: job.campaignId,
        chunkNo: job.chunkNo,
      });
      if (!chunk || chunk.state !== 'pending') return undefined;
      const keys = await this.readKeys(em, campaign);
      return { campaign, chunk, ...keys };
    });
    if (!loaded) return;
    const { campaign, chunk } = loaded;
    const problem = runtimeKeyProblem(loaded.from, loaded.to, this.clock.nowIso());
    const fromKey = loaded.from?.key;
    const toKey = loaded.to?.key;
    if (problem || !fromKey || !toKey) {
      await this.fail(campaign.id, problem ?? ErrorCode.STS_KEY_NOT_ACTIVE);
      return;
    }
    const rows = decodeRows(chunk.input);
    // Meters a purchase (or the key-change route) moved to the target already are left alone.
    const already = await this.tx.read((em) =>
      this.meterKeys.onKey(
        em,
        rows.filter((r) => r.code === ''),
        toKey.id,
        campaign.toTi,
      ),
    );
    const movesAlready = (r: MeterRow) => already.has(`${r.iin}|${r.drn}`);
    // The meters of a slice at once: their derivations share token calls (KeyChangeIssuer).
    const outcomes: Array<{ tokens: readonly string[] } | { code: string } | { moved: true }> = [];
    for (let start = 0; start < rows.length; start += METERS_AT_ONCE) {
      const slice = rows.slice(start, start + METERS_AT_ONCE);
      outcomes.push(
        ...(await Promise.all(
          slice.map((r) =>
            r.code !== ''
              ? Promise.resolve({ code: r.code })
              : movesAlready(r)
                ? Promise.resolve({ moved: true as const })
                : this.keyChange(campaign, fromKey, toKey, r).then(
                    (tokens) => ({ tokens }),
                    (error: unknown) => ({ code: meterRuleCode(error) }),
                  ),
          ),
        )),
      );
    }
    let issued = 0;
    let failed = 0;
    let alreadyMoved = 0;
    const lines: string[] = [];
    const moved: MeterRow[] = [];
    rows.forEach((r, i) => {
      const outcome = outcomes[i];
      if ('tokens' in outcome) {
        issued += 1;
        moved.push(r);
        lines.push(resultLine(r, 'issued', '', outcome.tokens));
      } else if ('moved' in outcome) {
        alreadyMoved += 1;
        lines.push(resultLine(r, 'moved', 'MOVED_AT_PURCHASE'));
      } else {
        failed += 1;
        lines.push(resultLine(r, 'failed', outcome.code));
      }
    });
    const now = this.clock.nowIso();
    await this.tx
      .run(async (em) => {
        const gate = await em
          .createQueryBuilder()
          .update(CampaignChunk)
          .set({
            state: 'done',
            result: lines.join('\n'),
            issued,
            failed,
            moved: alreadyMoved,
            doneAt: now,
          })
          .where('campaign_id = :id AND chunk_no = :no AND state = :state', {
            id: campaign.id,
            no: chunk.chunkNo,
            state: 'pending',
          })
          .execute();
        if (gate.affected !== 1) throw new Skip();
        // A key or supply group suspended (or superseded, expired) while the chunk was worked.
        const fresh = await this.readKeys(em, campaign);
        const late = runtimeKeyProblem(fresh.from, fresh.to, this.clock.nowIso());
        if (late) throw new KeyProblem(late);
        // RO = 0: the meters keep their TID memory, so the new key's TIDs continue above the
        // old key's (as the vending key-change route does), in one read and one upsert per chunk.
        const carried = await this.issuer.carryTidsMany(
          em,
          this.tids,
          moved,
          fromKey,
          toKey,
          campaign.ro === 1 ? 1 : 0,
          now,
        );
        const advance = await em
          .createQueryBuilder()
          .update(Campaign)
          .set({
            issued: () => `issued + ${issued}`,
            failed: () => `failed + ${failed}`,
            moved: () => `moved + ${alreadyMoved}`,
            chunksDone: () => 'chunks_done + 1',
            updatedAt: now,
            stallCause: null,
            stalledSince: null,
          })
          .where('id = :id AND state = :state', { id: campaign.id, state: 'running' })
          .execute();
        if (advance.affected !== 1) throw new Skip();
        await this.audit.record(em, {
          actor: SYSTEM_ACTOR,
          action: 'campaign.chunk',
          subjectType: 'campaign',
          subjectId: campaign.id,
          details: {
            chunk: chunk.chunkNo,
            rows: chunk.rowCount,
            issued,
            failed,
            moved: alreadyMoved,
            fromKeyId: fromKey.id,
            toKeyId: toKey.id,
            tidsCarried: carried,
          },
        });
        await this.meterKeys.recordCampaignMoves(em, {
          meters: moved,
          from: heldKeyOf(fromKey, campaign.fromTi),
          to: heldKeyOf(toKey, campaign.toTi),
          campaignId: campaign.id,
          recordedBy: SYSTEM_ACTOR.id,
          at: now,
        });
        await this.completeIfDone(em, campaign.id);
      })
      .catch(async (error: unknown) => {
        if (error instanceof Skip) return;
        if (error instanceof KeyProblem) return this.fail(campaign.id, error.code);
        throw error;
      });
  }

  /**
   * Works one chunk for the queue, retrying it in place, so that the queue's job stays with this
   * worker until the chunk is settled (a job whose failure could not be recorded during a
   * database outage would otherwise wait for its expiry). An outage (token or database
   * unavailable) is not the chunk's fault: the campaign records that it stalls and why, and the
   * chunk is tried again after a backoff with jitter, as often as it takes. Any other failure
   * counts as one of the chunk's tries (STS_CAMPAIGN_CHUNK_ATTEMPTS); after the last one the chunk
   * is given up (see {@link giveUp}). Every retry is one log line with its cause.
   */
  async workChunk(job: ChunkJob): Promise<void> {
    for (let retry = 0; ; retry += 1) {
      let cause: string;
      try {
        await this.processChunk(job);
        return;
      } catch (error) {
        cause = await this.settleFailure(job, error);
        if (cause === '') return;
      }
      this.metrics.campaignChunkRetries.inc({ cause });
      const { minDelayMs, maxDelayMs } = this.reconnect;
      const delayMs = backoffDelay(retry, minDelayMs, maxDelayMs);
      this.logger.event('warn', 'campaign chunk retry', {
        campaignId: job.campaignId,
        chunk: job.chunkNo,
        cause,
        retry: retry + 1,
        delayMs,
      });
      await sleep(delayMs, undefined, { signal: this.stopping.signal });
    }
  }

  /**
   * What a failed try of `job` means: the cause to retry for, or '' when the chunk is settled
   * (given up, or no longer pending).
   */
  private async settleFailure(job: ChunkJob, error: unknown): Promise<string> {
    const code = toDomainError(error)?.code ?? ErrorCode.INTERNAL;
    const outage = outageCause(code);
    if (outage) {
      await this.recordStall(job.campaignId, outage).catch(() => undefined);
      return outage;
    }
    try {
      const attempts = await this.countAttempt(job);
      if (attempts === undefined) return '';
      if (attempts < this.liveness.chunkAttempts) return code;
      await this.giveUp(job, code, attempts);
      return '';
    } catch (failure) {
      // The database went away while the try was counted: an outage after all.
      const late = outageCause(toDomainError(failure)?.code ?? ErrorCode.INTERNAL);
      if (!late) throw failure;
      return late;
    }
  }

  /** Records that the campaign stands still for `cause` (kept until a chunk commits). */
  private async recordStall(id: string, cause: StallCause): Promise<void> {
    await this.tx.run(async (em) => {
      await em
        .createQueryBuilder()
        .update(Campaign)
        .set({ stallCause: cause, stalledSince: () => 'COALESCE(stalled_since, :now)' })
        .setParameter('now', this.clock.nowIso())
        .where('id = :id AND state = :state', { id, state: 'running' })
        .execute();
    });
  }

  /** Counts one failed try of a pending chunk; undefined when it is no longer pending. */
  private async countAttempt(job: ChunkJob): Promise<number | undefined> {
    return this.tx.run(async (em) => {
      const where = { campaignId: job.campaignId, chunkNo: job.chunkNo, state: 'pending' as const };
      const counted = await em.increment(CampaignChunk, where, 'attempts', 1);
      if (counted.affected !== 1) return undefined;
      return (await em.findOne(CampaignChunk, { select: { attempts: true }, where }))?.attempts;
    });
  }

  /**
   * A chunk failed its last try with `code`. With `onChunkFailure: continue` it is marked failed:
   * its meters are failed with that reason in the results and the counters, and the campaign goes
   * on. With `pause` the campaign is paused with the code (the chunk stays pending, its tries
   * reset, so that a resume tries it again).
   */
  private async giveUp(job: ChunkJob, code: ErrorCode, attempts: number): Promise<void> {
    const outcome = await this.tx.run(async (em) => {
      const campaign = await this.find(em, job.campaignId, true);
      const chunk = await em.findOneBy(CampaignChunk, {
        campaignId: job.campaignId,
        chunkNo: job.chunkNo,
      });
      if (campaign.state !== 'running' || !chunk || chunk.state !== 'pending') return undefined;
      const now = this.clock.nowIso();
      const details = { chunk: chunk.chunkNo, rows: chunk.rowCount, code, attempts };
      if (campaign.onChunkFailure === 'pause') {
        await em.update(
          CampaignChunk,
          { campaignId: chunk.campaignId, chunkNo: chunk.chunkNo },
          { attempts: 0 },
        );
        campaign.failureCode = code;
        await this.transition(em, campaign, 'paused', 'campaign.pause', SYSTEM_ACTOR, details, [
          'running',
        ]);
        return 'paused';
      }
      const lines = decodeRows(chunk.input).map((r) => resultLine(r, 'failed', r.code || code));
      await em.update(
        CampaignChunk,
        { campaignId: chunk.campaignId, chunkNo: chunk.chunkNo, state: 'pending' },
        {
          state: 'failed',
          failureCode: code,
          result: lines.join('\n'),
          issued: 0,
          failed: chunk.rowCount,
          doneAt: now,
        },
      );
      await em
        .createQueryBuilder()
        .update(Campaign)
        .set({
          failed: () => `failed + ${chunk.rowCount}`,
          chunksDone: () => 'chunks_done + 1',
          updatedAt: now,
        })
        .where('id = :id', { id: campaign.id })
        .execute();
      await this.audit.record(em, {
        actor: SYSTEM_ACTOR,
        action: 'campaign.chunk.fail',
        subjectType: 'campaign',
        subjectId: campaign.id,
        details,
      });
      await this.completeIfDone(em, campaign.id);
      return 'failed';
    });
    if (outcome) {
      this.logger.event('error', 'campaign chunk given up', {
        campaignId: job.campaignId,
        chunk: job.chunkNo,
        cause: code,
        attempts,
        outcome,
      });
    }
  }

  /** The campaign's two keys, each with its supply group's state (absent: no such key). */
  private async readKeys(
    em: EntityManager,
    c: Campaign,
  ): Promise<{ from: LiveKey | undefined; to: LiveKey | undefined }> {
    const keys = await readKeysById(em, [c.fromKeyId, c.toKeyId]);
    return { from: keys.get(c.fromKeyId), to: keys.get(c.toKeyId) };
  }

  /** One meter's key-change set, built by the vending interface's shared issuer. */
  private async keyChange(
    c: Campaign,
    fromKey: VendingKey,
    toKey: VendingKey,
    r: MeterRow,
  ): Promise<readonly string[]> {
    const ea = r.ea as Ea;
    const set = await this.issuer.buildSet(
      fromKey,
      { iin: r.iin, drn: r.drn, tariffIndex: c.fromTi, ea },
      toKey,
      { iin: r.iin, drn: r.drn, tariffIndex: c.toTi, ea },
    );
    return set.tokens;
  }

  private async completeIfDone(em: EntityManager, id: string): Promise<void> {
    const campaign = await this.find(em, id);
    if (campaign.state !== 'running' || campaign.chunksDone < campaign.chunkCount) return;
    campaign.finishedAt = this.clock.nowIso();
    await this.transition(em, campaign, 'completed', 'campaign.complete', SYSTEM_ACTOR, {}, [
      'running',
    ]);
  }

  /** A key stopped being usable mid-run: the campaign fails (what was issued stays issued). */
  private async fail(id: string, code: ErrorCode): Promise<void> {
    await this.tx.run(async (em) => {
      const campaign = await this.find(em, id, true);
      if (campaign.state !== 'running') return;
      campaign.failureCode = code;
      campaign.finishedAt = this.clock.nowIso();
      await this.transition(em, campaign, 'failed', 'campaign.fail', SYSTEM_ACTOR, { code }, [
        'running',
      ]);
    });
  }

  /** Sets the state with a conditional update (from `expect`) and records the audit event. */
  private async transition(
    em: EntityManager,
    campaign: Campaign,
    to: CampaignState,
    action: string,
    who: AuditActor,
    details: Record<string, unknown>,
    expect: readonly CampaignState[] = [campaign.state],
  ): Promise<void> {
    const from = campaign.state;
    const now = this.clock.nowIso();
    const result = await em
      .createQueryBuilder()
      .update(Campaign)
      .set({
        state: to,
        updatedAt: now,
        startedAt: campaign.startedAt,
        finishedAt: campaign.finishedAt,
        segmentStartedAt: campaign.segmentStartedAt,
        segmentBase: campaign.segmentBase,
        failureCode: campaign.failureCode,
        stallCause: campaign.stallCause,
        stalledSince: campaign.stalledSince,
      })
      .where('id = :id AND state IN (:...expect)', { id: campaign.id, expect: [...expect] })
      .execute();
    if (result.affected !== 1) {
      throw DomainError.invalidState(`Campaign ${campaign.id} changed state meanwhile`);
    }
    const fresh = await this.find(em, campaign.id);
    await this.audit.record(em, {
      actor: who,
      action,
      subjectType: 'campaign',
      subjectId: campaign.id,
      details: { from, to, ...counts(fresh), ...details },
    });
    this.logger.event('info', 'campaign state changed', { campaignId: campaign.id, from, to });
  }

  // ---- reading ----

  /** One page of campaigns, newest first, optionally in one state. */
  async list(query: CampaignQueryDto): Promise<CampaignListDto> {
    const page = await this.tx.read((em) =>
      readPage(
        em.createQueryBuilder(Campaign, 'c').where(query.state ? { state: query.state } : {}),
        CAMPAIGN_ORDER,
        query,
      ),
    );
    return this.tx.read(async (em) => {
      const items: CampaignDto[] = [];
      for (const c of page.rows) items.push(await this.view(em, c));
      return { items, next: page.next };
    });
  }

  async get(id: string): Promise<CampaignDto> {
    return this.tx.read(async (em) => this.view(em, await this.find(em, id)));
  }

  /** Checks the campaign exists and has a meter list; returns the results as a line stream. */
  async results(id: string): Promise<AsyncGenerator<string>> {
    const campaign = await this.tx.read((em) => this.find(em, id));
    if (campaign.metersSha256 === null) {
      throw DomainError.invalidState(`Campaign ${id} has no meter list yet`);
    }
    return this.resultLines(id);
  }

  private async *resultLines(id: string): AsyncGenerator<string> {
    yield `${RESULT_HEADER}\n`;
    let next = 0;
    for (;;) {
      const { chunks, state } = await this.tx.read(async (em) => ({
        chunks: await em
          .createQueryBuilder(CampaignChunk, 'c')
          .where('c.campaign_id = :id AND c.chunk_no >= :next', { id, next })
          .orderBy('c.chunk_no', 'ASC')
          .limit(16)
          .getMany(),
        state: (await this.find(em, id)).state,
      }));
      if (chunks.length === 0) return;
      for (const chunk of chunks) {
        if (chunk.state !== 'pending' && chunk.result !== null) {
          yield `${chunk.result}\n`;
        } else {
          const waiting: MeterStatus = TERMINAL_STATES.includes(state) ? 'cancelled' : 'pending';
          const text = decodeRows(chunk.input)
            .map((r) => (r.code ? resultLine(r, 'failed', r.code) : resultLine(r, waiting, '')))
            .join('\n');
          yield `${text}\n`;
        }
        next = chunk.chunkNo + 1;
      }
    }
  }

  toDto(c: Campaign): CampaignDto {
    return CampaignDto.from(c, this.clock.now());
  }

  /** The campaign with its honest motion: a running one reads its workers and recent commits. */
  private async view(em: EntityManager, c: Campaign): Promise<CampaignDto> {
    const now = this.clock.now();
    return CampaignDto.from(
      c,
      now,
      c.state === 'running' ? await this.progressFacts(em, c, now) : undefined,
    );
  }

  private async progressFacts(em: EntityManager, c: Campaign, now: Date): Promise<ProgressFacts> {
    const windowFrom = new Date(
      now.getTime() - this.liveness.rateWindowSeconds * 1000,
    ).toISOString();
    const windowStart =
      c.segmentStartedAt && c.segmentStartedAt > windowFrom ? c.segmentStartedAt : windowFrom;
    const recent = await em
      .createQueryBuilder(CampaignChunk, 'k')
      .select('COALESCE(SUM(k.issued + k.moved + k.failed), 0)', 'n')
      .where('k.campaign_id = :id AND k.done_at >= :since', { id: c.id, since: windowStart })
      .getRawOne<{ n: number | string }>();
    return {
      workers: await readWorkerFacts(em, now, this.liveness.takeoverMs),
      recentProcessed: Number(recent?.n ?? 0),
      windowStart,
    };
  }

  // ---- helpers ----

  private async sideFacts(em: EntityManager, s: PlanSide, field: string) {
    const group = await em.findOneBy(SupplyGroup, { sgc: s.sgc });
    if (!group) {
      throw new DomainError(ErrorCode.NOT_FOUND, `supply group ${s.sgc} does not exist`, {
        field,
        supplyGroup: s.sgc,
      });
    }
    const key = await em.findOneBy(VendingKey, { sgc: s.sgc, liveKrn: s.krn });
    return { group, key: key ?? undefined };
  }

  private async find(em: EntityManager, id: string, lock = false): Promise<Campaign> {
    const c = await em.findOne(Campaign, {
      where: { id },
      ...(lock ? this.tx.dialect.rowLock : {}),
    });
    if (!c) throw DomainError.notFound('campaign', id);
    return c;
  }
}

function side(dto: CreateCampaignDto['from']): PlanSide {
  return {
    sgc: dto.sgc,
    krn: dto.krn,
    tariffIndex: dto.tariffIndex,
    baseDate: dto.baseDate as BaseDate,
  };
}

function planSide(c: Campaign, which: 'from' | 'to') {
  return which === 'from'
    ? {
        sgc: c.fromSgc,
        krn: c.fromKrn,
        tariffIndex: c.fromTi,
        baseDate: c.fromBaseDate,
        vendingKeyId: c.fromKeyId,
      }
    : {
        sgc: c.toSgc,
        krn: c.toKrn,
        tariffIndex: c.toTi,
        baseDate: c.toBaseDate,
        vendingKeyId: c.toKeyId,
      };
}

/**
 * The run-time rules: a supply group may have been suspended, a key suspended, destroyed, expired
 * or (the target) superseded since approval. Keys come from {@link readKeysById}.
 */
function runtimeKeyProblem(
  from: LiveKey | undefined,
  to: LiveKey | undefined,
  nowIso: string,
): ErrorCode | undefined {
  if (!from || !to) return ErrorCode.STS_KEY_NOT_ACTIVE;
  if (from.groupState !== 'active' || to.groupState !== 'active') {
    return ErrorCode.STS_SUPPLY_GROUP_NOT_ACTIVE;
  }
  const fromKey = from.key;
  const toKey = to.key;
  if (!['active', 'superseded'].includes(fromKey.state)) return ErrorCode.STS_KEY_NOT_ACTIVE;
  if (effectiveKeyState(toKey, nowIso) !== 'active') return ErrorCode.STS_KEY_NOT_ACTIVE;
  if (toKey.issueUntil && toKey.issueUntil <= nowIso) return ErrorCode.STS_KEY_ISSUE_PERIOD_ENDED;
  return undefined;
}

/**
 * A per-meter STS rule failure (an undefined DKGA / key type / EA combination, a bad value) as
 * its code; anything else (token or database outage) is rethrown so the chunk is retried.
 */
function meterRuleCode(error: unknown): ErrorCode {
  const domain =
    error instanceof StsError
      ? fromStsError(error)
      : error instanceof DomainError
        ? error
        : undefined;
  if (
    !domain ||
    domain.code === ErrorCode.HSM_UNAVAILABLE ||
    domain.code === ErrorCode.DATABASE_UNAVAILABLE
  ) {
    throw error;
  }
  return domain.code;
}

/** The stall cause of an outage code; undefined for any other failure. */
function outageCause(code: ErrorCode): StallCause | undefined {
  if (code === ErrorCode.HSM_UNAVAILABLE) return 'hsm_unavailable';
  if (code === ErrorCode.DATABASE_UNAVAILABLE) return 'database_unavailable';
  return undefined;
}

function counts(c: Campaign): Record<string, number> {
  return {
    total: c.totalRows,
    issued: c.issued,
    failed: c.failed,
    pending: c.totalRows - c.issued - c.failed,
  };
}

function assertPlannedWithoutMeters(c: Campaign): void {
  if (c.state !== 'planned' || c.metersSha256 !== null) {
    throw DomainError.invalidState(`Campaign ${c.id} is not waiting for its meter list`, {
      state: c.state,
    });
  }
}
