import { createPublicKey, type KeyObject } from 'node:crypto';
import { appendFile } from 'node:fs/promises';
import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { HsmError, KEY_CUSTODY, type KeyCustody } from '@sts/hsm';
import type { EntityManager } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { Clock } from '../common/clock';
import { JsonLogger } from '../common/json-logger';
import { currentRequestId } from '../common/request-context';
import { TransactionRunner } from '../database/transaction-runner';
import {
  type AuditCheckpoint,
  type BrokenLink,
  type ChainHead,
  ChainVerifier,
  type ChainedAuditEvent,
  canonicalJson,
  checkPins,
  checkpointLine,
  checkpointMessage,
  eventLine,
  exportTrailerMessage,
  GENESIS_HASH,
  headerLine,
  keyFingerprint,
  trailerLine,
  type VerificationResult,
  verifyCheckpointSignature,
  type Witness,
  witnessOf,
} from './audit-chain';
import {
  AuditCheckpointRow,
  AuditEventRow,
  AuditHeadRow,
  type AuditOutcome,
} from './audit-event.entity';
import { MetricsService } from '../health/metrics.service';
import { GroupCommitter } from './group-committer';
import { appendEvents } from './audit-sql';
import { type BulkRows, insertBulk } from '../database/bulk-rows';

/** Who did something: a principal, or the service itself. */
export interface AuditActor {
  readonly id: string;
  readonly name: string;
}

export const SYSTEM_ACTOR: AuditActor = { id: 'system', name: 'system' };

/** One thing to record. `details` must not hold a secret (enforced by field name). */
export interface AuditInput {
  readonly actor: AuditActor;
  readonly action: string;
  readonly subjectType: string;
  readonly subjectId: string;
  readonly outcome?: AuditOutcome;
  readonly details?: Record<string, unknown>;
}

export interface AuditQuery {
  readonly after?: number;
  readonly limit: number;
  readonly action?: string;
  readonly actorId?: string;
  readonly subjectId?: string;
  readonly outcome?: AuditOutcome;
  readonly from?: string;
  readonly to?: string;
}

/** An event handed to the group committer, with the request id and time of its caller. */
interface StampedAuditInput {
  readonly input: AuditInput;
  readonly requestId: string;
  readonly at: string;
}

/**
 * An online verification: the chain's result and, when it is intact and a checkpoint covers it,
 * the witness an auditor keeps for the next verification (the newest signed checkpoint).
 */
export interface OnlineVerification extends Omit<VerificationResult, 'lastCheckpoint'> {
  readonly keyFingerprint: string;
  readonly witness?: Witness;
}

/** Most events one group-commit transaction appends (a larger single submission goes alone). */
export const GROUP_COMMIT_MAX_EVENTS = 500;

/** Column widths of `audit_events` (PostgreSQL enforces them: a too-long value fails the insert). */
const MAX_LENGTH = {
  actorId: 36,
  actorName: 100,
  action: 64,
  subjectType: 32,
  subjectId: 64,
  requestId: 64,
} as const;

const SECRET_FIELD =
  /^(component|components|secret|pin|password|apiKey|api_key|wrappedKey|keyBytes|keyValue|plaintext)$/i;
const PAGE = 5000;

/** Refuses details that name a secret-bearing field, at any depth. */
function assertNoSecrets(value: unknown, path = 'details'): void {
  if (value === null || typeof value !== 'object') return;
  for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
    if (SECRET_FIELD.test(k)) throw new Error(`audit ${path}.${k}: secret-bearing field refused`);
    assertNoSecrets(v, `${path}.${k}`);
  }
}

/**
 * Checks, before an event joins a group-commit batch, everything that would make the batch's
 * insert fail, so that one bad event rejects only its own caller.
 */
function assertWritable(e: StampedAuditInput): void {
  assertNoSecrets(e.input.details);
  canonicalJson(e.input.details ?? {}); // throws on values JSON cannot represent
  const values: Record<keyof typeof MAX_LENGTH, unknown> = {
    actorId: e.input.actor.id,
    actorName: e.input.actor.name,
    action: e.input.action,
    subjectType: e.input.subjectType,
    subjectId: e.input.subjectId,
    requestId: e.requestId,
  };
  for (const [field, max] of Object.entries(MAX_LENGTH) as [keyof typeof MAX_LENGTH, number][]) {
    const v = values[field];
    if (typeof v !== 'string' || v.length > max) {
      throw new Error(`audit ${field}: must be a string of at most ${max} characters`);
    }
  }
  const outcome = e.input.outcome ?? 'success';
  if (outcome !== 'success' && outcome !== 'failure') throw new Error('audit outcome: invalid');
}

/**
 * The tamper-evident audit trail: events chained by hash under a row lock on `audit_head` and
 * checkpointed with the audit key. Three ways in:
 *
 * - {@link AuditService.record} inside the caller's transaction: a change and its record commit
 *   together, and a change that cannot be recorded does not happen. Use it whenever the request
 *   changes state in the database.
 * - {@link AuditService.recordDurably}: the event alone, group-committed with other callers'
 *   events; resolves once committed, rejects otherwise. Use it on request paths that change no
 *   row of their own but must not answer unless the event is written (token issuance).
 * - {@link AuditService.recordAlone}: the same group commit, but never throws (it logs). Use it
 *   for evidence that must not change the answer (refusals, denials).
 */
@Injectable()
export class AuditService implements OnModuleInit, OnApplicationShutdown {
  private publicKey?: KeyObject;
  private publicKeyPemValue?: string;
  private fingerprint?: string;
  private timer?: NodeJS.Timeout;
  private checkpointing?: Promise<void>;
  /** A triggered checkpoint failed: the next append tries again, whatever its size. */
  private checkpointOwed = false;
  /** Checkpoints appends triggered that are still waiting for their commit or the token. */
  private readonly triggered = new Set<Promise<void>>();
  private closing = false;
  private readonly committer = new GroupCommitter<StampedAuditInput>(
    (events) => this.commitBatch(events),
    GROUP_COMMIT_MAX_EVENTS,
  );

  constructor(
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly logger: JsonLogger,
    private readonly metrics: MetricsService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(KEY_CUSTODY) private readonly custody: KeyCustody,
  ) {}

  async onModuleInit(): Promise<void> {
    const label = this.config.audit.keyLabel;
    try {
      await this.custody.describeKey(label);
    } catch (error) {
      if (!(error instanceof HsmError) || error.code !== 'NOT_FOUND') throw error;
      await this.custody.generateSigningKey(label);
      this.logger.event('info', 'audit signing key created in the token', { keyLabel: label });
    }
    this.publicKeyPemValue = await this.custody.publicKeyPem(label);
    this.publicKey = createPublicKey(this.publicKeyPemValue);
    this.fingerprint = keyFingerprint(this.publicKey);
    if (this.config.audit.checkpointSeconds > 0) {
      this.timer = setInterval(() => {
        void this.checkpointNow().catch(() => undefined);
      }, this.config.audit.checkpointSeconds * 1000);
      this.timer.unref();
    }
  }

  async onApplicationShutdown(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.closing = true;
    await this.committer.drain(); // events already handed over are written before the pool closes
    await Promise.all(this.triggered);
    await this.checkpointing?.catch(() => undefined);
  }

  /** The audit public key (SPKI PEM): all an offline verifier needs. */
  get publicKeyPem(): string {
    if (!this.publicKeyPemValue) throw new Error('audit key not initialised');
    return this.publicKeyPemValue;
  }

  /** SHA-256 of the audit public key's SPKI DER (hex): what auditors pin at installation. */
  get keyFingerprint(): string {
    if (!this.fingerprint) throw new Error('audit key not initialised');
    return this.fingerprint;
  }

  /**
   * Appends events inside `em`'s transaction (they commit, or roll back, with the caller's
   * change). Refuses secret-bearing detail fields by throwing, which fails the transaction.
   * Events take the current request id and the time of the append.
   */
  async record(em: EntityManager, ...inputs: AuditInput[]): Promise<void> {
    await this.append(em, inputs);
  }

  /**
   * {@link AuditService.record} for the events of several requests handled in one transaction
   * (a batch of issuances): one head lock, one insert and one head update for all of them, each
   * event keeping the request id it was made under. `alongside`: the rows those requests wrote,
   * inserted with the events (on PostgreSQL in the same statement).
   */
  async recordForRequests(
    em: EntityManager,
    events: readonly { input: AuditInput; requestId: string }[],
    alongside?: readonly BulkRows[],
  ): Promise<void> {
    const at = this.clock.nowIso();
    await this.append(
      em,
      events.map((e) => e.input),
      events.map((e) => ({ requestId: e.requestId, at })),
      alongside,
    );
  }

  /**
   * Appends events in a transaction of their own, group-committed with the events other
   * callers hand over meanwhile (one transaction and one disk flush for up to
   * {@link GROUP_COMMIT_MAX_EVENTS} events). Resolves only once the events are committed;
   * rejects when they are not: an invalid event (secret-bearing field, over-long field) rejects
   * its caller alone before batching, and a failed batch rejects every caller of that batch
   * (database outages as `DomainError` `DATABASE_UNAVAILABLE`, which callers answer with 503).
   * The events of one call commit together, in order; each keeps the request id and time of its
   * caller. Use it where a request must not answer unless its event is written and the request
   * has no transaction of its own to record it in.
   */
  async recordDurably(...inputs: AuditInput[]): Promise<void> {
    if (inputs.length === 0) return;
    const requestId = currentRequestId();
    const at = this.clock.nowIso();
    const stamped = inputs.map((input) => ({ input, requestId, at }));
    stamped.forEach(assertWritable);
    await this.committer.submit(stamped);
  }

  /**
   * {@link AuditService.recordDurably} for evidence that must not change the answer (failures,
   * denials): never throws; an event that cannot be written is logged instead.
   */
  async recordAlone(...inputs: AuditInput[]): Promise<void> {
    try {
      await this.recordDurably(...inputs);
    } catch (error) {
      this.logger.event('error', 'audit event could not be written', {
        action: inputs[0]?.action,
        error: error instanceof Error ? error.name : 'unknown',
      });
    }
  }

  /** Commits one group-commit batch: the events of every caller, in order, in one transaction. */
  private async commitBatch(events: readonly StampedAuditInput[]): Promise<void> {
    await this.tx.run((em) =>
      this.append(
        em,
        events.map((e) => e.input),
        events,
      ),
    );
  }

  /**
   * Chains `inputs` after the head and writes them (`appendEvents`: on PostgreSQL one statement
   * that takes the head lock). Each event takes its own stamp (request id and time) when given,
   * else the current request id and the time of the append.
   */
  private async append(
    em: EntityManager,
    inputs: readonly AuditInput[],
    stamps?: readonly Pick<StampedAuditInput, 'requestId' | 'at'>[],
    alongside: readonly BulkRows[] = [],
  ): Promise<void> {
    if (inputs.length === 0) {
      for (const rows of alongside) await insertBulk(em, rows);
      return;
    }
    const at = this.clock.nowIso();
    const requestId = currentRequestId();
    const events = inputs.map((input, i) => {
      assertNoSecrets(input.details);
      return {
        at: stamps?.[i]?.at ?? at,
        actorId: input.actor.id,
        actorName: input.actor.name,
        action: input.action,
        subjectType: input.subjectType,
        subjectId: input.subjectId,
        outcome: input.outcome ?? 'success',
        requestId: stamps?.[i]?.requestId ?? requestId,
        details: canonicalJson(input.details ?? {}),
      };
    });
    const { head } = await appendEvents(em, events, alongside);
    this.metrics.auditEvents.inc(events.length);
    const every = this.config.audit.checkpointEvery;
    head.then(
      ({ seq }) => {
        // Every multiple of `every` this append reached, or its last event when one is owed.
        const crossed: number[] = [];
        for (let m = Math.floor(seq / every) * every; m > seq - events.length; m -= every) {
          crossed.unshift(m);
        }
        if (crossed.length === 0 && this.checkpointOwed) crossed.push(seq);
        if (crossed.length > 0) {
          const run = this.checkpointOnceCommitted(crossed).catch(() => undefined);
          this.triggered.add(run);
          void run.finally(() => this.triggered.delete(run));
        }
      },
      () => undefined, // the append failed: the transaction reports it
    );
  }

  /**
   * The checkpoints an append triggered: each signs the event at one of `seqs` (so checkpoints
   * fall exactly on the cadence, however many events commit meanwhile). The append learns its
   * sequence numbers before its transaction commits (on PostgreSQL the append's answer arrives
   * before the COMMIT's), so each event is read again, with a short back-off, until that commit
   * is visible. A transaction that rolled back never shows it: after about a second, or when the
   * token cannot sign, the checkpoint is left owed to the next append.
   */
  private async checkpointOnceCommitted(seqs: readonly number[]): Promise<void> {
    for (const seq of seqs) {
      let signed: AuditCheckpointRow | undefined;
      for (let waitMs = 0; !signed && waitMs <= 640; waitMs = Math.max(5, waitMs * 2)) {
        if (this.closing) return;
        if (waitMs > 0) await new Promise((resolve) => setTimeout(resolve, waitMs));
        signed = await this.checkpointNow(seq);
      }
      if (!signed) {
        this.checkpointOwed = true;
        return;
      }
    }
  }

  /**
   * Signs the committed head (or the committed event at `at`) unless it is already checkpointed;
   * undefined when there is nothing to sign (an empty trail, or no event `at` yet). One at a time
   * per process. A new checkpoint also goes, as one JSON line, to the configured sink file (a
   * copy outside the database); a sink that cannot be written is logged and counted, the
   * checkpoint stands.
   */
  async checkpointNow(at?: number): Promise<AuditCheckpointRow | undefined> {
    while (this.checkpointing) await this.checkpointing.catch(() => undefined);
    let result: AuditCheckpointRow | undefined;
    const run = (async () => {
      const head = await this.tx.read<ChainHead | null>((em) =>
        at === undefined
          ? em.findOneByOrFail(AuditHeadRow, { id: 1 })
          : em.findOne(AuditEventRow, { select: { seq: true, hash: true }, where: { seq: at } }),
      );
      if (!head || head.seq === 0) return;
      const exists = await this.tx.read((em) =>
        em.findOneBy(AuditCheckpointRow, { seq: head.seq }),
      );
      if (exists) {
        result = exists;
        return;
      }
      const signedAt = this.clock.nowIso();
      const label = this.config.audit.keyLabel;
      const signature = await this.custody.sign(
        label,
        checkpointMessage(head.seq, head.hash, signedAt),
      );
      const row = {
        seq: head.seq,
        hash: head.hash,
        at: signedAt,
        keyLabel: label,
        signature: Buffer.from(signature).toString('hex'),
      };
      const inserted = await this.tx.run(async (em) => {
        const again = await em.findOneBy(AuditCheckpointRow, { seq: head.seq });
        if (!again) await em.insert(AuditCheckpointRow, row);
        return !again;
      });
      result = Object.assign(new AuditCheckpointRow(), row);
      if (inserted) await this.copyToSink(row);
    })();
    this.checkpointing = run;
    try {
      await run;
      this.checkpointOwed = false;
    } catch (error) {
      this.checkpointOwed = true;
      this.logger.event('warn', 'audit checkpoint failed; retried at the next trigger', {
        error:
          error instanceof HsmError ? error.code : error instanceof Error ? error.name : 'unknown',
      });
      throw error;
    } finally {
      this.checkpointing = undefined;
    }
    return result;
  }

  private async copyToSink(cp: AuditCheckpoint): Promise<void> {
    const sink = this.config.audit.checkpointSink;
    if (!sink) return;
    try {
      await appendFile(sink, `${checkpointLine(cp)}\n`, { mode: 0o640 });
    } catch (error) {
      this.metrics.auditCheckpointSinkFailures.inc();
      this.logger.event('error', 'audit checkpoint could not be copied to the sink', {
        seq: cp.seq,
        error:
          typeof error === 'object' && error !== null && 'code' in error
            ? String(error.code)
            : 'unknown',
      });
    }
  }

  async list(q: AuditQuery): Promise<{ items: AuditEventRow[]; next?: number }> {
    return this.tx.read(async (em) => {
      const qb = em
        .createQueryBuilder(AuditEventRow, 'e')
        .orderBy('e.seq', 'ASC')
        .take(q.limit + 1);
      if (q.after !== undefined) qb.andWhere('e.seq > :after', { after: q.after });
      if (q.action) qb.andWhere('e.action = :action', { action: q.action });
      if (q.actorId) qb.andWhere('e.actor_id = :actorId', { actorId: q.actorId });
      if (q.subjectId) qb.andWhere('e.subject_id = :subjectId', { subjectId: q.subjectId });
      if (q.outcome) qb.andWhere('e.outcome = :outcome', { outcome: q.outcome });
      if (q.from) qb.andWhere('e.at >= :from', { from: q.from });
      if (q.to) qb.andWhere('e.at < :to', { to: q.to });
      const rows = await qb.getMany();
      const more = rows.length > q.limit;
      const items = more ? rows.slice(0, q.limit) : rows;
      return more ? { items, next: items[items.length - 1].seq } : { items };
    });
  }

  async checkpoints(): Promise<AuditCheckpointRow[]> {
    return this.tx.read((em) => em.find(AuditCheckpointRow, { order: { seq: 'ASC' } }));
  }

  /**
   * Verifies the whole stored chain, every checkpoint, the checkpoint cadence (see
   * `ChainVerifier`), and that the chain ends exactly at the `audit_head` row (same last sequence
   * and hash, nothing stored beyond it); names the first broken link. With the witness an auditor
   * holds, the key must be the one it was signed with and the chain must hold its hash at its
   * sequence. Events appended while it runs are left for the next verification.
   */
  async verify(witness?: Witness): Promise<OnlineVerification> {
    const key = this.requirePublicKey();
    const pinned = witness ? checkPins(key, { witness }) : undefined;
    const result = pinned ? failedBefore(pinned) : await this.verifyChain(key, witness);
    this.logger.event(result.ok ? 'info' : 'warn', 'audit chain verified', {
      ok: result.ok,
      eventsChecked: result.eventsChecked,
      ...(witness ? { witnessSeq: witness.seq } : {}),
      ...(result.firstBroken
        ? { brokenSeq: result.firstBroken.seq, reason: result.firstBroken.reason }
        : {}),
    });
    const { lastCheckpoint, ...verified } = result;
    const fingerprint = this.keyFingerprint;
    return result.ok && lastCheckpoint
      ? {
          ...verified,
          keyFingerprint: fingerprint,
          witness: witnessOf(lastCheckpoint, fingerprint),
        }
      : { ...verified, keyFingerprint: fingerprint };
  }

  private async verifyChain(key: KeyObject, witness?: Witness): Promise<VerificationResult> {
    const { checkpointEvery: every, checkpointSeconds: seconds } = this.config.audit;
    const verifier = new ChainVerifier((cp) => verifyCheckpointSignature(key, cp), {
      cadence: { every, seconds },
      now: this.clock.now().getTime(),
      ...(witness ? { witness } : {}),
    });
    // Checkpoints first: each signs a head committed before the head is read below, so one
    // beyond that head means the head was moved back.
    for (const cp of await this.checkpoints()) verifier.addCheckpoint(cp);
    const head = await this.readHead();
    let result: VerificationResult | undefined;
    pages: for await (const page of this.pages(head.seq)) {
      for (const e of page) {
        if (!verifier.push(e)) {
          result = verifier.finish();
          break pages;
        }
      }
    }
    return (
      result ??
      verifier.finish({
        source: 'the audit head',
        seq: head.seq,
        hash: head.hash,
        highestStoredSeq: head.highestStoredSeq,
      })
    );
  }

  /**
   * Pages of events in sequence order, up to `upTo` when given (keyset pagination, raw rows:
   * bounded memory and no entity hydration, so a million events verify in seconds). The query
   * has no upper bound on purpose: with one, and statistics older than the newest events,
   * PostgreSQL reads the whole remaining range for every page (a bitmap scan and a sort) instead
   * of walking the primary key; the page is cut at `upTo` here instead.
   */
  async *pages(upTo?: number): AsyncGenerator<ChainedAuditEvent[]> {
    let after = 0;
    for (;;) {
      const raw = await this.tx.read((em) =>
        em
          .createQueryBuilder()
          .select([
            'e.seq AS seq',
            'e.at AS at',
            'e.actor_id AS "actorId"',
            'e.actor_name AS "actorName"',
            'e.action AS action',
            'e.subject_type AS "subjectType"',
            'e.subject_id AS "subjectId"',
            'e.outcome AS outcome',
            'e.request_id AS "requestId"',
            'e.details AS details',
            'e.prev_hash AS "prevHash"',
            'e.hash AS hash',
          ])
          .from(AuditEventRow, 'e')
          .where('e.seq > :after', { after })
          .orderBy('e.seq', 'ASC')
          .limit(PAGE)
          .getRawMany<ChainedAuditEvent & { seq: number | string }>(),
      );
      const page = raw.map((r) => ({ ...r, seq: Number(r.seq) }));
      const end = upTo === undefined ? -1 : page.findIndex((e) => e.seq > upTo);
      if (end >= 0) {
        if (end > 0) yield page.slice(0, end);
        return;
      }
      if (page.length === 0) return;
      yield page;
      after = page[page.length - 1].seq;
    }
  }

  /**
   * Prepares a JSON Lines export (`tools/audit-verifier`): signs the committed head as a
   * checkpoint, then signs the trailer that states where the export ends (events 1 to that
   * head, its hash, the checkpoint count) and the checkpoint cadence. Both signatures are made before a line is written,
   * so when the token is down this throws (503) instead of streaming an export that could not
   * be proven complete. Events appended meanwhile are left for the next export. The returned
   * lines are the header, every event with each checkpoint after the event it covers, and the
   * trailer; a stream cut short lacks the trailer, which the offline verifier reports.
   */
  async openExport(): Promise<AsyncGenerator<string>> {
    const head = await this.checkpointNow(); // undefined only for an empty trail
    const end = head ? { seq: head.seq, hash: head.hash } : { seq: 0, hash: GENESIS_HASH };
    const checkpoints = (await this.checkpoints()).filter((cp) => cp.seq <= end.seq);
    const { keyLabel, checkpointEvery, checkpointSeconds } = this.config.audit;
    const fields = {
      exportedAt: this.clock.nowIso(),
      events: end.seq,
      checkpoints: checkpoints.length,
      lastSeq: end.seq,
      lastHash: end.hash,
      checkpointEvery,
      checkpointSeconds,
    };
    const signature = await this.custody.sign(keyLabel, exportTrailerMessage(fields));
    const trailer = trailerLine({
      ...fields,
      keyLabel,
      signature: Buffer.from(signature).toString('hex'),
    });
    const header = headerLine({
      exportedAt: fields.exportedAt,
      keyLabel,
      checkpointEvery,
      checkpointSeconds,
    });
    return this.exportLines(header, {
      upTo: end.seq,
      checkpoints,
      trailer,
    });
  }

  private async *exportLines(
    header: string,
    snapshot: { upTo: number; checkpoints: AuditCheckpointRow[]; trailer: string },
  ): AsyncGenerator<string> {
    const { upTo, checkpoints, trailer } = snapshot;
    yield header + '\n';
    let ci = 0;
    for await (const page of this.pages(upTo)) {
      const lines: string[] = [];
      for (const e of page) {
        lines.push(eventLine(e));
        while (ci < checkpoints.length && checkpoints[ci].seq <= e.seq) {
          lines.push(checkpointLine(toCheckpoint(checkpoints[ci])));
          ci += 1;
        }
      }
      yield lines.join('\n') + '\n';
    }
    // Checkpoints whose event is gone from the table still go out: the verifier names the gap.
    const rest = checkpoints.slice(ci).map((cp) => checkpointLine(toCheckpoint(cp)));
    if (rest.length > 0) yield rest.join('\n') + '\n';
    yield trailer + '\n';
  }

  private requirePublicKey(): KeyObject {
    if (!this.publicKey) throw new Error('audit key not initialised');
    return this.publicKey;
  }

  /**
   * The `audit_head` row and the highest stored sequence, read in one statement (one snapshot:
   * an append moves both in one transaction, so they differ only when rows were written around
   * the service).
   */
  private async readHead(): Promise<{ seq: number; hash: string; highestStoredSeq: number }> {
    const rows = await this.tx.read((em) =>
      em.query<{ seq: string | number; hash: string; highest: string | number | null }[]>(
        'SELECT h.seq AS seq, h.hash AS hash, (SELECT MAX(e.seq) FROM audit_events e) AS highest ' +
          'FROM audit_head h WHERE h.id = 1',
      ),
    );
    if (rows.length !== 1) throw new Error('audit_head is missing: run the migrations');
    return {
      seq: Number(rows[0].seq),
      hash: rows[0].hash,
      highestStoredSeq: Number(rows[0].highest ?? 0),
    };
  }
}

/** A verification that stopped before the chain: the key or the witness is wrong. */
function failedBefore(firstBroken: BrokenLink): VerificationResult {
  return {
    ok: false,
    eventsChecked: 0,
    checkpointsChecked: 0,
    lastSeq: 0,
    lastSignedSeq: 0,
    firstBroken,
  };
}

function toCheckpoint(cp: AuditCheckpointRow): AuditCheckpoint {
  return { seq: cp.seq, hash: cp.hash, at: cp.at, keyLabel: cp.keyLabel, signature: cp.signature };
}
