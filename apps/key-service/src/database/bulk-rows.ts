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

/** The row source of an INSERT and its parameters (numbered from $1 on PostgreSQL). */
export interface RowSource {
  /** `SELECT * FROM unnest(...)` on PostgreSQL, `VALUES (...), ...` on SQLite. */
  readonly sql: string;
  readonly params: unknown[];
}

/**
 * The rows as an INSERT's row source. On SQLite the rows must fit one statement
 * ({@link sqliteRowsPerStatement}).
 */
export function rowSource(
  isPostgres: boolean,
  columns: readonly BulkColumn[],
  rows: readonly (readonly unknown[])[],
): RowSource {
  if (isPostgres) {
    const arrays = columns.map((_, i) => rows.map((row) => row[i]));
    const marks = columns.map((c, i) => `$${i + 1}::${c.type}[]`);
    return { sql: `SELECT * FROM unnest(${marks.join(', ')})`, params: arrays };
  }
  if (rows.length * columns.length > SQLITE_MAX_PARAMETERS) {
    throw new RangeError('too many rows for one SQLite statement');
  }
  const tuple = `(${columns.map(() => '?').join(', ')})`;
  return { sql: `VALUES ${rows.map(() => tuple).join(', ')}`, params: rows.flat() };
}

/** The most rows of `columns` one SQLite statement takes. */
export function sqliteRowsPerStatement(columns: readonly BulkColumn[]): number {
  return Math.floor(SQLITE_MAX_PARAMETERS / columns.length);
}

/** `("a", "b", ...)`: the column list of an INSERT. */
export function columnList(columns: readonly BulkColumn[]): string {
  return `(${columns.map((c) => `"${c.name}"`).join(', ')})`;
}
