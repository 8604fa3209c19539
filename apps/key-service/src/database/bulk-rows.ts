import type { EntityManager } from 'typeorm';
import { type BulkColumn, dialectOf } from './dialect';
import { queryPrepared } from './prepared-query';

/**
 * Many rows in one statement whose text does not depend on the row count, so that PostgreSQL can
 * keep it prepared (prepared-query.ts): there the rows travel as one array per column and
 * `unnest` turns them back into rows, in the order given. SQLite, which has no arrays, gets a
 * multi-row VALUES list instead (dialect.ts, `rowSource`).
 */

export type { BulkColumn, BulkType } from './dialect';

/** Rows for one table, for a statement that writes other rows too (see audit-sql.ts). */
export interface BulkRows {
  readonly table: string;
  readonly columns: readonly BulkColumn[];
  readonly rows: readonly (readonly unknown[])[];
}

/**
 * Inserts `bulk` in one statement on PostgreSQL (prepared: its text does not depend on the row
 * count), in as few as SQLite takes there.
 */
export async function insertBulk(em: EntityManager, bulk: BulkRows): Promise<void> {
  const dialect = dialectOf(em);
  const step = Math.min(Math.max(bulk.rows.length, 1), dialect.rowsPerStatement(bulk.columns));
  for (let start = 0; start < bulk.rows.length; start += step) {
    const source = dialect.rowSource(bulk.columns, bulk.rows.slice(start, start + step));
    await queryPrepared(
      em,
      `INSERT INTO ${bulk.table} ${columnList(bulk.columns)} ${source.sql}`,
      source.params,
    );
  }
}

/** `("a", "b", ...)`: the column list of an INSERT. */
export function columnList(columns: readonly BulkColumn[]): string {
  return `(${columns.map((c) => `"${c.name}"`).join(', ')})`;
}
