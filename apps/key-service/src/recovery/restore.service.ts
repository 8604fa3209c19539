import { randomUUID } from 'node:crypto';
import { createPublicKey } from 'node:crypto';
import { Inject, Injectable } from '@nestjs/common';
import { RESTORE_ACTION, type Witness } from '../audit/audit-chain';
import { AuditHeadRow } from '../audit/audit-event.entity';
import { AuditService, SYSTEM_ACTOR } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { JsonLogger } from '../common/json-logger';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { TransactionRunner } from '../database/transaction-runner';
import { VENDING_CONFIG, type VendingConfig } from '../vending/vending-config';
import {
  type LostRangeEvidence,
  newestSinkCheckpoint,
  witnessEvidence,
} from './lost-range-evidence';
import { RecoveryState } from './recovery-state';
import { RestoreRecord } from './restore-record.entity';

/** What `restore-complete` recorded. */
export interface RestoreSummary {
  /** The `recovery.restored` audit event. */
  readonly restoreSeq: number;
  /** The last event the restored database held (the restore event follows it). */
  readonly restoredHead: { readonly seq: number; readonly hash: string };
  /** The first event known lost, and the last, when a signed checkpoint of the lost timeline is at hand. */
  readonly lostFromSeq: number;
  readonly lostThroughSeq: number | null;
  readonly lostEvidence: LostRangeEvidence['source'] | null;
  /** No TID counts from a minute at or before this time. */
  readonly tidFloorAt: string;
  readonly tidWindowMinutes: number;
  /** The checkpoint signed over the restore event. */
  readonly checkpointSeq: number | null;
}

/** Thrown for an unusable `--witness`; the CLI prints it and exits 2. */
export class RestoreInputError extends Error {
  override readonly name = 'RestoreInputError';
}

/**
 * Completes a database restore (`key-service restore-complete`, run before the service serves
 * again): records the restore as an audit event naming the restored head and, when the checkpoint
 * sink or an auditor's witness shows one, how far the lost events reached; signs a checkpoint
 * over it at once; and sets the TID floor to now plus the TID window, since the lost interval can
 * have allocated TIDs up to (its last minute + window - 1) and that minute is before now.
 */
@Injectable()
export class RestoreService {
  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly logger: JsonLogger,
    private readonly state: RecoveryState,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(VENDING_CONFIG) private readonly vending: VendingConfig,
  ) {}

  async complete(options: { readonly witness?: Witness } = {}): Promise<RestoreSummary> {
    const key = createPublicKey(this.audit.publicKeyPem);
    const evidence: LostRangeEvidence[] = [];
    if (options.witness) {
      const fromWitness = witnessEvidence(options.witness, key);
      if ('problem' in fromWitness)
        throw new RestoreInputError(`--witness: ${fromWitness.problem}`);
      evidence.push(fromWitness);
    }
    const sink = this.config.audit.checkpointSink;
    const fromSink = sink !== undefined ? newestSinkCheckpoint(sink, key) : undefined;
    if (fromSink) evidence.push(fromSink);

    const now = this.clock.now();
    const windowMinutes = this.vending.tidWindowMinutes;
    const floorAt = new Date(now.getTime() + windowMinutes * 60_000);
    const recorded = await this.tx.run(async (em) => {
      const head = await em.findOneByOrFail(AuditHeadRow, { id: 1 });
      const lost = evidence.filter((e) => e.seq > head.seq).sort((a, b) => b.seq - a.seq)[0];
      await this.audit.record(em, {
        actor: SYSTEM_ACTOR,
        action: RESTORE_ACTION,
        subjectType: 'database',
        subjectId: 'audit-chain',
        details: {
          command: 'restore-complete',
          restoredHeadSeq: head.seq,
          restoredHeadHash: head.hash,
          lostFromSeq: head.seq + 1,
          lostThroughSeq: lost?.seq ?? null,
          lostThroughHash: lost?.hash ?? null,
          lostEvidence: lost?.source ?? null,
          tidFloorAt: floorAt.toISOString(),
          tidWindowMinutes: windowMinutes,
        },
      });
      const after = await em.findOneByOrFail(AuditHeadRow, { id: 1 });
      await em.insert(RestoreRecord, {
        id: randomUUID(),
        auditSeq: after.seq,
        restoredHeadSeq: head.seq,
        lostThroughSeq: lost?.seq ?? null,
        completedAt: now.toISOString(),
        tidFloorAt: floorAt.toISOString(),
        tidWindowMinutes: windowMinutes,
      });
      return { head: { seq: head.seq, hash: head.hash }, restoreSeq: after.seq, lost };
    });
    this.state.raiseFloor(floorAt);
    const checkpoint = await this.audit.checkpointNow();
    const summary: RestoreSummary = {
      restoreSeq: recorded.restoreSeq,
      restoredHead: recorded.head,
      lostFromSeq: recorded.head.seq + 1,
      lostThroughSeq: recorded.lost?.seq ?? null,
      lostEvidence: recorded.lost?.source ?? null,
      tidFloorAt: floorAt.toISOString(),
      tidWindowMinutes: windowMinutes,
      checkpointSeq: checkpoint?.seq ?? null,
    };
    this.logger.event('warn', 'database restore completed', { ...summary });
    return summary;
  }
}
