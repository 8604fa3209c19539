import { Column, Entity, PrimaryColumn } from 'typeorm';
import { ISO_LENGTH } from '../database/column-types';

export const CAMPAIGN_STATES = [
  'planned',
  'approved',
  'running',
  'paused',
  'completed',
  'failed',
  'cancelled',
] as const;
export type CampaignState = (typeof CAMPAIGN_STATES)[number];

/** What a chunk that keeps failing does to its campaign: pause it, or fail the chunk's meters and go on. */
export const CHUNK_FAILURE_POLICIES = ['pause', 'continue'] as const;
export type ChunkFailurePolicy = (typeof CHUNK_FAILURE_POLICIES)[number];

/** Why a running campaign stands still (see campaign-progress.ts). */
export const STALL_CAUSES = ['no_live_worker', 'hsm_unavailable', 'database_unavailable'] as const;
export type StallCause = (typeof STALL_CAUSES)[number];

/** States a campaign never leaves. */
export const TERMINAL_STATES: readonly CampaignState[] = ['completed', 'failed', 'cancelled'];

/**
 * A rekey campaign: the plan (from and to key parameters), its state, and the counters the
 * workers advance as chunks commit. The meter list and the results live in `campaign_chunks`.
 * Holds references to vending keys and check values only, never key bytes.
 */
@Entity('campaigns')
export class Campaign {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'varchar', length: 16 })
  state!: CampaignState;

  @Column({ name: 'from_sgc', type: 'varchar', length: 6 })
  fromSgc!: string;

  @Column({ name: 'from_krn', type: 'integer' })
  fromKrn!: number;

  @Column({ name: 'from_ti', type: 'varchar', length: 2 })
  fromTi!: string;

  @Column({ name: 'from_base_date', type: 'integer' })
  fromBaseDate!: number;

  @Column({ name: 'from_key_id', type: 'varchar', length: 36 })
  fromKeyId!: string;

  @Column({ name: 'to_sgc', type: 'varchar', length: 6 })
  toSgc!: string;

  @Column({ name: 'to_krn', type: 'integer' })
  toKrn!: number;

  @Column({ name: 'to_ti', type: 'varchar', length: 2 })
  toTi!: string;

  @Column({ name: 'to_base_date', type: 'integer' })
  toBaseDate!: number;

  @Column({ name: 'to_key_id', type: 'varchar', length: 36 })
  toKeyId!: string;

  /** 1 when the base date changes: the meters clear their TID memory. */
  @Column({ type: 'integer' })
  ro!: number;

  /** The EA of rows that do not name one. */
  @Column({ type: 'varchar', length: 2 })
  ea!: string;

  @Column({ name: 'chunk_size', type: 'integer' })
  chunkSize!: number;

  /** SHA-256 of the normalised meter list; NULL until the list is uploaded. */
  @Column({ name: 'meters_sha256', type: 'varchar', length: 64, nullable: true })
  metersSha256!: string | null;

  @Column({ name: 'total_rows', type: 'integer' })
  totalRows!: number;

  @Column({ name: 'bad_rows', type: 'integer' })
  badRows!: number;

  @Column({ name: 'chunk_count', type: 'integer' })
  chunkCount!: number;

  @Column({ name: 'chunks_done', type: 'integer' })
  chunksDone!: number;

  @Column({ type: 'integer' })
  issued!: number;

  @Column({ type: 'integer' })
  failed!: number;

  /** The upload that holds the campaign while it streams the meter list (NULL: none). */
  @Column({ name: 'upload_id', type: 'varchar', length: 36, nullable: true })
  uploadId!: string | null;

  /** When the claiming upload last stored a chunk; a claim idle for too long may be taken over. */
  @Column({ name: 'upload_seen_at', type: 'varchar', length: ISO_LENGTH, nullable: true })
  uploadSeenAt!: string | null;

  @Column({ name: 'approval_id', type: 'varchar', length: 36, nullable: true })
  approvalId!: string | null;

  @Column({ name: 'created_by', type: 'varchar', length: 36 })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'varchar', length: ISO_LENGTH })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: ISO_LENGTH })
  updatedAt!: string;

  @Column({ name: 'started_at', type: 'varchar', length: ISO_LENGTH, nullable: true })
  startedAt!: string | null;

  @Column({ name: 'finished_at', type: 'varchar', length: ISO_LENGTH, nullable: true })
  finishedAt!: string | null;

  /** Start of the current running stretch (start or resume), for the rate and ETA. */
  @Column({ name: 'segment_started_at', type: 'varchar', length: ISO_LENGTH, nullable: true })
  segmentStartedAt!: string | null;

  /** Meters processed before the current running stretch began. */
  @Column({ name: 'segment_base', type: 'integer' })
  segmentBase!: number;

  /** Why the campaign failed or was closed, or why the service paused it (an error code). */
  @Column({ name: 'failure_code', type: 'varchar', length: 40, nullable: true })
  failureCode!: string | null;

  /** What a chunk that keeps failing does: `pause` the campaign or fail its meters and `continue`. */
  @Column({ name: 'on_chunk_failure', type: 'varchar', length: 8 })
  onChunkFailure!: ChunkFailurePolicy;

  /** Why a worker could not commit a chunk (an outage), until a chunk commits again. */
  @Column({ name: 'stall_cause', type: 'varchar', length: 40, nullable: true })
  stallCause!: StallCause | null;

  @Column({ name: 'stalled_since', type: 'varchar', length: ISO_LENGTH, nullable: true })
  stalledSince!: string | null;

  /** Listed meters the registry placed on the target key already when the list was uploaded. */
  @Column({ name: 'moved_at_upload', type: 'integer' })
  movedAtUpload!: number;

  /** Meters the run found on the target key already (moved at purchase) and left alone. */
  @Column({ type: 'integer' })
  moved!: number;
}

export type ChunkState = 'pending' | 'done' | 'failed';

/**
 * A slice of the meter list: its validated rows (input) and, once processed, the result lines.
 * A chunk commits exactly once (conditional update from `pending`), which is what makes a run
 * resumable without lost or duplicated meters.
 */
@Entity('campaign_chunks')
export class CampaignChunk {
  @PrimaryColumn({ name: 'campaign_id', type: 'varchar', length: 36 })
  campaignId!: string;

  @PrimaryColumn({ name: 'chunk_no', type: 'integer' })
  chunkNo!: number;

  /** The upload that wrote this chunk (an abandoned upload's chunks are removed by id). */
  @Column({ name: 'upload_id', type: 'varchar', length: 36 })
  uploadId!: string;

  @Column({ name: 'first_row', type: 'integer' })
  firstRow!: number;

  @Column({ name: 'row_count', type: 'integer' })
  rowCount!: number;

  /** Encoded rows, see campaign-csv.ts. */
  @Column({ type: 'text' })
  input!: string;

  @Column({ type: 'varchar', length: 8 })
  state!: ChunkState;

  @Column({ type: 'integer' })
  issued!: number;

  @Column({ type: 'integer' })
  failed!: number;

  /** Meters found on the target key already, left alone (status `moved`). */
  @Column({ type: 'integer' })
  moved!: number;

  /** Result CSV lines (tokens, status, reason), once done. */
  @Column({ type: 'text', nullable: true })
  result!: string | null;

  /** When it was committed (done) or given up (failed). */
  @Column({ name: 'done_at', type: 'varchar', length: ISO_LENGTH, nullable: true })
  doneAt!: string | null;

  /** The worker process that holds it (NULL: waiting in the queue). */
  @Column({ name: 'claimed_by', type: 'varchar', length: 36, nullable: true })
  claimedBy!: string | null;

  /** Failures other than outages so far; the chunk is given up after the configured number. */
  @Column({ type: 'integer' })
  attempts!: number;

  /** Why it was given up (an error code), when failed. */
  @Column({ name: 'failure_code', type: 'varchar', length: 40, nullable: true })
  failureCode!: string | null;
}

/**
 * A process that works campaign chunks, as long as it keeps its heartbeat fresh. A worker whose
 * heartbeat is older than the takeover time is dead: the chunks it held go back to the queue.
 */
@Entity('campaign_workers')
export class CampaignWorker {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Host and process id, for operators. */
  @Column({ type: 'varchar', length: 100 })
  label!: string;

  @Column({ name: 'started_at', type: 'varchar', length: ISO_LENGTH })
  startedAt!: string;

  @Column({ name: 'heartbeat_at', type: 'varchar', length: ISO_LENGTH })
  heartbeatAt!: string;
}
