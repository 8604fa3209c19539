import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { HsmError, KEY_CUSTODY, type KeyCustody } from '@sts/hsm';
import { checkpointMessage } from '../audit/audit-chain';
import { AuditCheckpointRow } from '../audit/audit-event.entity';
import { type AuditActor, AuditService, SYSTEM_ACTOR } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { JsonLogger } from '../common/json-logger';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { TransactionRunner } from '../database/transaction-runner';
import { readKeyReferences } from './custody-references';
import { type CustodyReport, verifyCustody } from './custody-verification';
import { RecoveryState } from './recovery-state';

/** How often a start-up check that could not run (token or database away) is tried again. */
const START_RETRY_MS = 30_000;

/** What started a custody check: the service's start, an operator's request, the CLI. */
export type CustodyCheckTrigger = 'start' | 'request' | 'command';

/**
 * Runs the custody check (`verify-custody`): the keys the database references against the
 * token's inventory. Runs when the HTTP service starts, on request and from the CLI; each result
 * replaces the set of keys vending refuses (RecoveryState). Every check someone asked for (API,
 * CLI) is an audit event; the check at start is logged (at error level when it fails).
 */
@Injectable()
export class CustodyCheckService implements OnModuleDestroy {
  private last?: CustodyReport;
  private retry?: NodeJS.Timeout;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly logger: JsonLogger,
    private readonly state: RecoveryState,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(KEY_CUSTODY) private readonly custody: KeyCustody,
  ) {}

  /**
   * The check of a starting service (before it serves): when the token or the database cannot be
   * read yet, it is tried again every {@link START_RETRY_MS} until it completes.
   */
  async checkAtStart(): Promise<void> {
    if (await this.tryAtStart()) return;
    this.retry = setInterval(() => {
      void this.tryAtStart().then((done) => {
        if (done && this.retry) clearInterval(this.retry);
      });
    }, START_RETRY_MS);
    this.retry.unref();
  }

  onModuleDestroy(): void {
    if (this.retry) clearInterval(this.retry);
  }

  /** The newest report, if a check has completed in this process. */
  get lastReport(): CustodyReport | undefined {
    return this.last;
  }

  /** Runs the check now; throws (503) when the token or the database cannot be read. */
  async run(
    trigger: CustodyCheckTrigger,
    actor: AuditActor = SYSTEM_ACTOR,
  ): Promise<CustodyReport> {
    const label = this.config.audit.keyLabel;
    const checkpoint = await this.newestCheckpointCheck(label);
    const references = await this.tx.read((em) => readKeyReferences(em, label, checkpoint));
    const inventory = await this.custody.inventory();
    const report = verifyCustody(references, inventory, {
      checkedAt: this.clock.nowIso(),
      token: this.config.hsm.tokenLabel,
    });
    this.last = report;
    this.state.applyCustodyReport(report);
    this.logger.event(report.ok ? 'info' : 'error', 'custody check', {
      trigger,
      ...report.summary,
      ...(report.ok
        ? {}
        : {
            failed: report.keys.filter((k) => !k.ok).map((k) => `${k.label}: ${k.failure}`),
            unexpected: report.unexpected.map((u) => `${u.label}: ${u.reason}`),
          }),
    });
    // At start only the log: a process that starts on a restored database must not append to
    // the chain before restore-complete has recorded the restore after the restored head.
    if (trigger !== 'start') {
      await this.audit.recordAlone({
        actor,
        action: 'custody.verify',
        subjectType: 'token',
        subjectId: this.config.hsm.tokenLabel.slice(0, 64),
        outcome: report.ok ? 'success' : 'failure',
        details: {
          trigger,
          ...report.summary,
          failed: report.keys
            .filter((k) => !k.ok)
            .map((k) => ({ kind: k.kind, id: k.id, label: k.label, failure: k.failure })),
          unexpected: report.unexpected.map((u) => ({ label: u.label, reason: u.reason })),
        },
      });
    }
    return report;
  }

  private async tryAtStart(): Promise<boolean> {
    try {
      await this.run('start');
      return true;
    } catch (error) {
      this.logger.event('warn', 'custody check at start could not run; retried', {
        error:
          error instanceof HsmError ? error.code : error instanceof Error ? error.name : 'unknown',
      });
      return false;
    }
  }

  /** Whether the newest signed checkpoint verifies under the token's audit key. */
  private async newestCheckpointCheck(
    label: string,
  ): Promise<{ seq: number; valid: boolean } | undefined> {
    const [cp] = await this.tx.read((em) =>
      em.find(AuditCheckpointRow, { order: { seq: 'DESC' }, take: 1 }),
    );
    if (!cp) return undefined;
    try {
      const valid = await this.custody.verify(
        label,
        checkpointMessage(cp.seq, cp.hash, cp.at),
        Buffer.from(cp.signature, 'hex'),
      );
      return { seq: cp.seq, valid };
    } catch (error) {
      // A missing audit key is reported as missing by the inventory comparison.
      if (error instanceof HsmError && error.code === 'NOT_FOUND') return undefined;
      throw error;
    }
  }
}
