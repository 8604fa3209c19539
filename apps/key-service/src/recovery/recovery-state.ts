import { Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { DomainError } from '../common/domain-error';
import { ErrorCode } from '../common/error-codes';
import { JsonLogger } from '../common/json-logger';
import { TransactionRunner } from '../database/transaction-runner';
import type { CustodyReport, KeyVerification } from './custody-verification';

/** How often the TID floor is read again while the database could not be read at start. */
const FLOOR_RETRY_MS = 5000;

/**
 * What the issuing paths must respect after a restore, held in memory for the hot path:
 * - the TID floor: the latest restore's `tidFloorAt` (no TID is allocated at or before it);
 * - the keys that failed the last custody check (vending refuses them with 503, naming why).
 */
@Injectable()
export class RecoveryState implements OnModuleInit, OnModuleDestroy {
  private floorAt?: Date;
  private floorLoaded = false;
  private retry?: NodeJS.Timeout;
  private readonly failed = new Map<string, KeyVerification>();

  constructor(
    private readonly tx: TransactionRunner,
    private readonly logger: JsonLogger,
  ) {}

  async onModuleInit(): Promise<void> {
    if (await this.loadFloor()) return;
    this.retry = setInterval(() => {
      void this.loadFloor().then((done) => {
        if (done && this.retry) clearInterval(this.retry);
      });
    }, FLOOR_RETRY_MS);
    this.retry.unref();
  }

  onModuleDestroy(): void {
    if (this.retry) clearInterval(this.retry);
  }

  /**
   * The earliest time a TID may be counted from: `at`, or the latest restore's floor when that
   * is later. 503 while the floor is unknown (the database could not be read yet).
   */
  tidTime(at: Date): Date {
    if (!this.floorLoaded) {
      throw new DomainError(
        ErrorCode.DATABASE_UNAVAILABLE,
        'The database is unavailable; retry later',
      );
    }
    return this.floorAt !== undefined && this.floorAt > at ? this.floorAt : at;
  }

  /** Raises the floor (a restore completed in this process). */
  raiseFloor(at: Date): void {
    if (this.floorAt === undefined || at > this.floorAt) this.floorAt = at;
    this.floorLoaded = true;
  }

  /** The keys of `report` that failed become the refused ones (a later report replaces them). */
  applyCustodyReport(report: CustodyReport): void {
    this.failed.clear();
    for (const k of report.keys) if (!k.ok) this.failed.set(k.label, k);
  }

  /** 503 KEY_CUSTODY_FAILED when the last custody check failed the key labelled `label`. */
  assertCustodyVerified(label: string, field: string): void {
    const failure = this.failed.get(label);
    if (failure === undefined) return;
    throw new DomainError(
      ErrorCode.KEY_CUSTODY_FAILED,
      `The vending key ${failure.sgc ?? ''}/${failure.krn ?? ''} failed the custody check: ` +
        `${failure.problems.join('; ')}. Restore the token or the database (docs/operations.md)`,
      {
        field,
        vendingKeyId: failure.id,
        failure: failure.failure,
        problems: failure.problems,
      },
    );
  }

  private async loadFloor(): Promise<boolean> {
    try {
      const rows = await this.tx.read((em) =>
        em.query<{ floor: string | null }[]>(
          'SELECT MAX(tid_floor_at) AS floor FROM recovery_restores',
        ),
      );
      const floor = rows[0]?.floor;
      if (floor) this.raiseFloor(new Date(floor));
      this.floorLoaded = true;
      return true;
    } catch (error) {
      this.logger.event('warn', 'TID floor could not be read; issuing waits for the database', {
        error: error instanceof Error ? error.name : 'unknown',
      });
      return false;
    }
  }
}
