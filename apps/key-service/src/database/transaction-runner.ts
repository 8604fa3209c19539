import { Injectable, Optional } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import { DataSource, type EntityManager } from 'typeorm';
import { DomainError, isDatabaseUnavailable } from '../common/domain-error';
import { ErrorCode } from '../common/error-codes';
import { DatabaseGate } from './database-gate';
import { type Dialect, dialectOf } from './dialect';
import { runPipelinedTransaction } from './pipelined-transaction';

/**
 * Runs units of work in one database transaction: everything a request changes, including its
 * audit events, commits together or not at all.
 *
 * SQLite through TypeORM shares one connection, so concurrent async transactions would nest
 * into each other; they are queued here instead. PostgreSQL uses its pool (READ COMMITTED) and
 * row locks where ordering matters.
 *
 * With a {@link DatabaseGate} (the app always has one), work is refused at once while the
 * database is known to be unreachable, and a failure to reach it closes the gate.
 */
@Injectable()
export class TransactionRunner {
  private queue: Promise<unknown> = Promise.resolve();
  /** The database's dialect, chosen once from the data source. */
  readonly dialect: Dialect;
  private readonly serialised: boolean;

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Optional() private readonly gate?: DatabaseGate,
  ) {
    this.dialect = dialectOf(dataSource);
    this.serialised = this.dialect.serialised;
  }

  /** Runs `work` in a transaction; database outages surface as DATABASE_UNAVAILABLE (503). */
  async run<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.exclusive(() => this.dataSource.transaction(work));
  }

  /**
   * `run` for the short transactions of the hot path, which read once and then write: on
   * PostgreSQL a pipelined transaction (BEGIN and the final writes are not waited for:
   * pipelined-transaction.ts), on SQLite `run`.
   */
  async runPipelined<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    if (this.serialised) return this.run(work);
    return this.guard(() => runPipelinedTransaction(this.dataSource, work));
  }

  /** Reads outside a transaction (queued on SQLite so they never see another's uncommitted work). */
  async read<T>(work: (em: EntityManager) => Promise<T>): Promise<T> {
    return this.exclusive(() => work(this.dataSource.manager));
  }

  private async exclusive<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.serialised) return this.guard(fn);
    const previous = this.queue;
    let release!: () => void;
    this.queue = new Promise<void>((resolve) => (release = resolve));
    try {
      await previous;
      return await this.guard(fn);
    } finally {
      release();
    }
  }

  private async guard<T>(fn: () => Promise<T>): Promise<T> {
    if (!this.dataSource.isInitialized) {
      throw new DomainError(
        ErrorCode.DATABASE_UNAVAILABLE,
        'The database is unavailable; retry later',
      );
    }
    this.gate?.assertOpen();
    try {
      return await fn();
    } catch (error) {
      if (isDatabaseUnavailable(error)) {
        if (this.gate) {
          this.gate.reportFailure(error);
          throw this.gate.refusal();
        }
        throw new DomainError(
          ErrorCode.DATABASE_UNAVAILABLE,
          'The database is unavailable; retry later',
        );
      }
      throw error;
    }
  }
}
