import type { EntityManager } from 'typeorm';
import { dialectOf } from './dialect';
import { pipelineOf } from './pipelined-transaction';
import { statementName } from './statement-names';

/** What this module uses of the `pg` client a PostgreSQL query runner holds. */
interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * `em.query` for the statements every issuance batch runs, answering the result rows. On
 * PostgreSQL inside a transaction the statement runs as a named prepared statement on the
 * transaction's connection: parsed and planned once per connection instead of on every
 * execution, which saves about a quarter of PostgreSQL's CPU for a batch's statements.
 * Elsewhere (SQLite, or no transaction) it is `em.query`. Errors are the driver's own (codes as
 * `isUniqueViolation` and `isDatabaseUnavailable` read them). In a pipelined transaction the
 * statement is sent before this function returns (pipelined-transaction.ts).
 */
export async function queryPrepared<R>(
  em: EntityManager,
  sql: string,
  params: readonly unknown[] = [],
): Promise<R[]> {
  const runner = em.queryRunner;
  const pipeline = runner && pipelineOf(runner);
  if (pipeline) return (await pipeline.query(sql, params)) as R[];
  const name = runner !== undefined && dialectOf(em).prepares ? statementName(sql) : undefined;
  if (runner === undefined || name === undefined) return em.query<R[]>(sql, [...params]);
  const client = (await runner.connect()) as PgClient;
  const result = await client.query({ name, text: sql, values: [...params] });
  return result.rows as R[];
}

/**
 * `queryPrepared` for a write whose answer the caller does not wait for. In a pipelined
 * transaction it is sent at once: the transaction's COMMIT follows it, and the transaction fails
 * with its error if it failed. Elsewhere it is `queryPrepared`, waited for. `answer` settles once
 * the database answered (a rejection is also the transaction's: no need to handle it here).
 */
export async function sendPrepared<R>(
  em: EntityManager,
  sql: string,
  params: readonly unknown[],
): Promise<{ readonly answer: Promise<R[]> }> {
  const pipeline = em.queryRunner && pipelineOf(em.queryRunner);
  if (pipeline) return { answer: pipeline.send(sql, params) as Promise<R[]> };
  return { answer: Promise.resolve(await queryPrepared<R>(em, sql, params)) };
}
