import type { EntityManager } from 'typeorm';
import { queryPrepared } from './prepared-query';

/**
 * Many rows in one statement whose text does not depend on the row count, so that PostgreSQL can
 * keep it prepared (prepared-query.ts): there the rows travel as one array per column and
 * `unnest` turns them back into rows, in the order given. SQLite, which has no arrays, gets a
 * multi-row VALUES list instead.
 */

/** A column's PostgreSQL array element type (varchar columns take `text`: assignment casts). */
export type BulkType = 'text' | 'integer' | 'bigint';

export interface BulkColumn {
  readonly name: string;
  readonly type: BulkType;
}

/** SQLite's limit on parameters per statement (SQLITE_MAX_VARIABLE_NUMBER since 3.32). */
const SQLITE_MAX_PARAMETERS = 32_766;

/** Rows for one table, for a statement that writes other rows too (see audit-sql.ts). */
export interface BulkRows {
  readonly table: string;
  readonly columns: readonly BulkColumn[];
  readonly rows: readonly (readonly unknown[])[];
}

/** The row source of an INSERT and its parameters (numbered from `firstParam` on PostgreSQL). */
export interface RowSource {
  /** `SELECT * FROM unnest(...)` on PostgreSQL, `VALUES (...), ...` on SQLite. */
  readonly sql: string;
  readonly params: unknown[];
}

/**
 * The rows as an INSERT's row source. On SQLite the rows must fit one statement
 * ({@link sqliteRowsPerStatement}). On PostgreSQL the parameters are numbered from `firstParam`
 * (for a statement with other parameters before these).
 */
export function rowSource(
  isPostgres: boolean,
  columns: readonly BulkColumn[],
  rows: readonly (readonly unknown[])[],
  firstParam = 1,
): RowSource {
  if (isPostgres) {
    const arrays = columns.map((_, i) => rows.map((row) => row[i]));
    const marks = columns.map((c, i) => `$${i + firstParam}::${c.type}[]`);
    return { sql: `SELECT * FROM unnest(${marks.join(', ')})`, params: arrays };
  }
  if (rows.length * columns.length > SQLITE_MAX_PARAMETERS) {
    throw new RangeError('too many rows for one SQLite statement');
  }
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  return { sql: `VALUES ${rows.map(() => tuple).join(', ')}`, params: rows.flat() };
}

/**
 * Inserts `bulk` in one statement on PostgreSQL (prepared: its text does not depend on the row
 * count), in as few as SQLite takes there.
 */
export async function insertBulk(
  em: EntityManager,
  isPostgres: boolean,
  bulk: BulkRows,
): Promise<void> {
  const step = isPostgres ? Math.max(bulk.rows.length, 1) : sqliteRowsPerStatement(bulk.columns);
  for (let start = 0; start < bulk.rows.length; start += step) {
    const source = rowSource(isPostgres, bulk.columns, bulk.rows.slice(start, start + step));
    await queryPrepared(
      em,
      `INSERT INTO ${bulk.table} ${columnList(bulk.columns)} ${source.sql}`,
      source.params,
    );
  }
}

/** The most rows of `columns` one SQLite statement takes. */
export function sqliteRowsPerStatement(columns: readonly BulkColumn[]): number {
  return Math.floor(SQLITE_MAX_PARAMETERS / columns.length);
}

/** `("a", "b", ...)`: the column list of an INSERT. */
export function columnList(columns: readonly BulkColumn[]): string {
  return `(${columns.map((c) => `"${c.name}"`).join(', ')})`;
}
