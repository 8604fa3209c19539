import { Inject, Injectable, type OnModuleDestroy, type OnModuleInit } from '@nestjs/common';
import { IsNull, LessThan, Not } from 'typeorm';
import { Clock } from '../../common/clock';
import { JsonLogger } from '../../common/json-logger';
import { TransactionRunner } from '../../database/transaction-runner';
import { Issuance } from '../issuance/issuance.entity';
import { VENDING_CONFIG, type VendingConfig } from '../vending-config';

/**
 * Clears Idempotency-Key values older than the retention period, every `purgeSeconds` (0: never).
 * The issuance records stay for reprints and audit.
 */
@Injectable()
export class IdempotencyPurge implements OnModuleInit, OnModuleDestroy {
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly tx: TransactionRunner,
    private readonly clock: Clock,
    private readonly logger: JsonLogger,
    @Inject(VENDING_CONFIG) private readonly config: VendingConfig,
  ) {}

  onModuleInit(): void {
    if (this.config.purgeSeconds <= 0) return;
    this.timer = setInterval(() => {
      void this.purge()
        .then((n) => {
          if (n > 0) this.logger.event('info', 'idempotency keys cleared', { count: n });
        })
        .catch(() => undefined);
    }, this.config.purgeSeconds * 1000);
    this.timer.unref();
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** Clears the expired keys; answers how many. */
  async purge(): Promise<number> {
    const cutoff = new Date(
      this.clock.now().getTime() - this.config.idempotencyHours * 3_600_000,
    ).toISOString();
    const result = await this.tx.run((em) =>
      em.update(
        Issuance,
        { idempotencyKey: Not(IsNull()), createdAt: LessThan(cutoff) },
        { idempotencyKey: null },
      ),
    );
    return result.affected ?? 0;
  }
}
