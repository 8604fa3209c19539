import { Inject, Injectable, type OnModuleDestroy } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource } from 'typeorm';
import { DomainError } from '../common/domain-error';
import { ErrorCode } from '../common/error-codes';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DependencyTracker } from '../health/dependency-tracker';

/**
 * The wait before reconnect attempt `attempt` (0-based): exponential from `minMs`, capped at
 * `maxMs`, with equal jitter (a random point in the upper half), so that processes that lost the
 * database together do not return together.
 */
export function backoffDelay(
  attempt: number,
  minMs: number,
  maxMs: number,
  random: () => number = Math.random,
): number {
  const ceiling = Math.min(maxMs, minMs * 2 ** Math.min(attempt, 30));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}

/** The reason a connection failed, as logged: an error code or class name, never its message. */
function reasonOf(error: unknown): string {
  if (typeof error !== 'object' || error === null) return 'unreachable';
  const e = error as { code?: unknown; driverError?: { code?: unknown }; name?: unknown };
  for (const code of [e.code, e.driverError?.code]) {
    if (typeof code === 'string' && code !== '') return code;
  }
  return typeof e.name === 'string' ? e.name : 'unreachable';
}

/**
 * Keeps the process calm while PostgreSQL is unreachable. A failure that looks like "cannot reach
 * the database" starts one probe (`SELECT 1`); when the probe fails too, the gate closes: from
 * then on every unit of work is refused at once with 503 DATABASE_UNAVAILABLE (and `Retry-After`
 * until the next attempt) instead of each request opening its own connection. One probe at a time
 * reconnects, with exponential backoff and jitter between attempts; its first success opens the
 * gate. A single failed statement with the database still answering closes nothing. The state
 * changes are reported to the {@link DependencyTracker} (one log line each).
 *
 * The embedded SQLite file has no connection to lose: a busy or locked file is contention, not an
 * outage, so on SQLite the gate never closes.
 */
@Injectable()
export class DatabaseGate implements OnModuleDestroy {
  private readonly reconnects: boolean;
  private attempt = 0;
  private timer?: NodeJS.Timeout;
  private nextAttemptAt = 0;
  private probing = false;
  private stopped = false;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    private readonly tracker: DependencyTracker,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {
    this.reconnects = config.database.type === 'postgres';
  }

  get open(): boolean {
    return this.tracker.isAvailable('database');
  }

  /** Throws the 503 at once while the database is known to be unreachable. */
  assertOpen(): void {
    if (!this.open) throw this.refusal();
  }

  /** The 503 to answer now, with the seconds until the next reconnect attempt. */
  refusal(): DomainError {
    const wait = Math.max(1, Math.ceil((this.nextAttemptAt - Date.now()) / 1000));
    return new DomainError(
      ErrorCode.DATABASE_UNAVAILABLE,
      'The database is unavailable; retry later',
      this.open ? undefined : { retryAfterSeconds: wait },
    );
  }

  /** Called with an error that means the database may be unreachable: probes it at once. */
  reportFailure(error: unknown): void {
    if (!this.reconnects || this.stopped || this.probing || !this.open) return;
    this.probing = true;
    this.attempt = 0;
    void this.probe(reasonOf(error));
  }

  onModuleDestroy(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
  }

  private schedule(): void {
    const { minDelayMs, maxDelayMs } = this.config.reconnect;
    const delay = backoffDelay(this.attempt, minDelayMs, maxDelayMs);
    this.attempt += 1;
    this.nextAttemptAt = Date.now() + delay;
    this.timer = setTimeout(() => void this.probe(), delay);
    this.timer.unref();
  }

  /** One reconnect attempt; the first one (`firstReason`) confirms an outage before closing. */
  private async probe(firstReason?: string): Promise<void> {
    if (this.stopped) return;
    try {
      await this.dataSource.query('SELECT 1');
      this.probing = false;
      this.tracker.markAvailable('database');
    } catch (error) {
      if (this.stopped) return;
      this.tracker.markUnavailable('database', firstReason ?? reasonOf(error));
      this.schedule();
    }
  }
}
