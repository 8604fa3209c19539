import type { DataSource, EntityManager, QueryRunner } from 'typeorm';
import {
  cork,
  markTransaction,
  type PgResult,
  type PipelineClient,
  pipelineClientOf,
  uncork,
} from './pg-internals';
import { statementName } from './statement-names';

/**
 * The connection of one pipelined transaction: statements are sent without waiting for the
 * answers to earlier ones (PostgreSQL runs them in the order sent), and statements sent one after
 * another without an answer in between leave in one socket write.
 */
export class Pipeline {
  /** Statements sent and not waited for (`send`), read at COMMIT. */
  private readonly unanswered: Promise<unknown>[] = [];
  private held = false;

  constructor(private readonly client: PipelineClient) {}

  /** Sends a statement and answers its rows; it leaves now, with what was held back before it. */
  async query(sql: string, params: readonly unknown[]): Promise<unknown[]> {
    const answer = this.issue(sql, params);
    this.flush();
    return (await answer).rows;
  }

  /**
   * Sends a statement that COMMIT does not wait to send: it leaves with the next one. Answers its
   * rows once PostgreSQL answered (a rejection nobody reads is the transaction's, not unhandled).
   */
  send(sql: string, params: readonly unknown[]): Promise<unknown[]> {
    this.hold();
    const answer = this.quiet(this.issue(sql, params));
    this.unanswered.push(answer);
    return this.quiet(answer.then((result) => result.rows));
  }

  /** BEGIN, held back to leave with the transaction's first statement. */
  begin(): Promise<PgResult> {
    this.hold();
    return this.quiet(this.client.query('BEGIN'));
  }

  /**
   * COMMIT, after every statement sent: resolves once it committed; rejects with the error of a
   * statement that failed (PostgreSQL then answers the COMMIT by rolling back) or of the COMMIT.
   */
  async commit(begun: Promise<PgResult>): Promise<void> {
    const commit = this.quiet(this.client.query('COMMIT'));
    this.flush();
    await begun;
    await Promise.all(this.unanswered);
    const { command } = await commit;
    if (command !== 'COMMIT') throw new Error(`the transaction ended with ${command}`);
  }

  async rollback(): Promise<void> {
    const rollback = this.client.query('ROLLBACK');
    this.flush();
    await rollback;
  }

  private issue(sql: string, params: readonly unknown[]): Promise<PgResult> {
    const name = statementName(sql);
    const values = [...params];
    return this.client.query(
      name === undefined ? { text: sql, values } : { name, text: sql, values },
    );
  }

  /** Keeps what is sent from now on in the socket's buffer until `flush`, or the next turn. */
  private hold(): void {
    if (this.held || !cork(this.client)) return;
    this.held = true;
    // Statements sent by other means (the entity manager) leave at the latest on the next turn.
    setImmediate(() => this.flush());
  }

  private flush(): void {
    if (!this.held) return;
    this.held = false;
    uncork(this.client);
  }

  /** A promise whose rejection is read later, not reported as unhandled meanwhile. */
  private quiet<T>(promise: Promise<T>): Promise<T> {
    promise.catch(() => undefined);
    return promise;
  }
}

const pipelines = new WeakMap<QueryRunner, Pipeline>();

/** The pipeline of the transaction `runner` runs, if it runs a pipelined one. */
export function pipelineOf(runner: QueryRunner): Pipeline | undefined {
  return pipelines.get(runner);
}

/**
 * Runs `work` in a PostgreSQL transaction on a connection in pipeline mode (pg's `pipeline`
 * option, set on the pool by data-source.ts):
 *
 * - BEGIN is not waited for: it leaves in one write with the transaction's first statement.
 * - Writes sent with `sendPrepared` are not waited for either: COMMIT follows them in the same
 *   write, and the transaction resolves once the COMMIT answered. If one of them failed,
 *   PostgreSQL answers that COMMIT by rolling back, and the transaction rejects with the
 *   statement's own error.
 *
 * A transaction that reads once and then writes costs two round trips and two socket writes
 * instead of four of each. `work` awaits every statement it sends through the entity manager or
 * `queryPrepared`, as in any transaction.
 */
export async function runPipelinedTransaction<T>(
  dataSource: DataSource,
  work: (em: EntityManager) => Promise<T>,
): Promise<T> {
  const runner = dataSource.createQueryRunner('master');
  try {
    const pipeline = new Pipeline(await pipelineClientOf(runner));
    // TypeORM must treat the runner as inside a transaction (an entity save would otherwise
    // open one of its own and commit ours with it).
    markTransaction(runner, true);
    pipelines.set(runner, pipeline);
    try {
      const begun = pipeline.begin();
      const value = await work(runner.manager);
      await pipeline.commit(begun);
      return value;
    } catch (error) {
      await pipeline.rollback().catch(() => undefined);
      throw error;
    } finally {
      pipelines.delete(runner);
      markTransaction(runner, false);
    }
  } finally {
    await runner.release();
  }
}
