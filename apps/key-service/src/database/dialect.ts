import type { DataSource, EntityManager } from 'typeorm';

/** A column's PostgreSQL array element type (varchar columns take `text`: assignment casts). */
export type BulkType = 'text' | 'integer' | 'bigint' | 'timestamptz';

export interface BulkColumn {
  readonly name: string;
  readonly type: BulkType;
}

/** The row source of an INSERT and its parameters. */
export interface RowSource {
  /** `SELECT * FROM unnest(...)` on PostgreSQL, `VALUES (...), ...` on SQLite. */
  readonly sql: string;
  readonly params: unknown[];
}

/** A find option that locks the rows read until the transaction ends (none on SQLite). */
export type RowLock =
  { readonly lock?: undefined } | { readonly lock: { readonly mode: 'pessimistic_write' } };

/** {@link RowLock} that skips rows another transaction holds, so that sweepers share the work. */
export type SkipLockedRowLock =
  | { readonly lock?: undefined }
  | { readonly lock: { readonly mode: 'pessimistic_write'; readonly onLocked: 'skip_locked' } };

/**
 * What differs between the two databases the service runs on, in one object per database: the
 * SQL text that differs, and what each can do in one statement. Code that writes SQL by hand asks
 * the dialect of its connection ({@link dialectOf}) instead of testing the database type.
 */
export interface Dialect {
  readonly name: 'postgres' | 'sqlite';
  /**
   * Whether the runner must serialise transactions (SQLite through TypeORM shares one connection)
   * and writes need no row locks (they are serialised already).
   */
  readonly serialised: boolean;
  /** Whether one query string may carry several statements (PostgreSQL's simple protocol). */
  readonly chainsStatements: boolean;
  /**
   * Whether a data-modifying statement can stand in a WITH clause whose rows the statement around
   * it returns (one round trip for a write and a read).
   */
  readonly writableCte: boolean;
  /** Whether statements run inside a transaction are kept prepared per connection. */
  readonly prepares: boolean;
  /** The placeholder of the `n`-th parameter (from 1), cast to `type` where the database needs it. */
  param(n: number, type?: BulkType): string;
  /** The larger of two SQL expressions. */
  greatest(a: string, b: string): string;
  /** `expression` is one of `values`, with its parameters (numbered from `firstParam`). */
  oneOf(expression: string, values: readonly unknown[], firstParam: number): RowSource;
  /**
   * `rows` as an INSERT's row source; on PostgreSQL one array per column (the same text for any
   * row count, so it stays prepared), numbered from `firstParam`. On SQLite the rows must fit
   * one statement ({@link Dialect.rowsPerStatement}).
   */
  rowSource(
    columns: readonly BulkColumn[],
    rows: readonly (readonly unknown[])[],
    firstParam?: number,
  ): RowSource;
  /** The most rows of `columns` one INSERT statement takes. */
  rowsPerStatement(columns: readonly BulkColumn[]): number;
  readonly rowLock: RowLock;
  readonly skipLockedRowLock: SkipLockedRowLock;
}

/** SQLite's limit on parameters per statement (SQLITE_MAX_VARIABLE_NUMBER since 3.32). */
const SQLITE_MAX_PARAMETERS = 32_766;

export const POSTGRES: Dialect = {
  name: 'postgres',
  serialised: false,
  chainsStatements: true,
  writableCte: true,
  prepares: true,
  param: (n, type) => (type ? `$${n}::${type}` : `$${n}`),
  greatest: (a, b) => `GREATEST(${a}, ${b})`,
  oneOf: (expression, values, firstParam) => ({
    sql: `${expression} = ANY($${firstParam}::text[])`,
    params: [values],
  }),
  rowSource(columns, rows, firstParam = 1) {
    const arrays = columns.map((_, i) => rows.map((row) => row[i]));
    const marks = columns.map((c, i) => `$${i + firstParam}::${c.type}[]`);
    return { sql: `SELECT * FROM unnest(${marks.join(', ')})`, params: arrays };
  },
  rowsPerStatement: () => Number.POSITIVE_INFINITY,
  rowLock: { lock: { mode: 'pessimistic_write' } },
  skipLockedRowLock: { lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' } },
};

export const SQLITE: Dialect = {
  name: 'sqlite',
  serialised: true,
  chainsStatements: false,
  writableCte: false,
  prepares: false,
  param: () => '?',
  greatest: (a, b) => `MAX(${a}, ${b})`,
  oneOf: (expression, values) => ({
    sql: `${expression} IN (${values.map(() => '?').join(', ')})`,
    params: [...values],
  }),
  rowSource(columns, rows) {
    if (rows.length * columns.length > SQLITE_MAX_PARAMETERS) {
      throw new RangeError('too many rows for one SQLite statement');
    }
    const tuple = `(${columns.map(() => '?').join(', ')})`;
    return { sql: `VALUES ${rows.map(() => tuple).join(', ')}`, params: rows.flat() };
  },
  rowsPerStatement: (columns) => Math.floor(SQLITE_MAX_PARAMETERS / columns.length),
  rowLock: {},
  skipLockedRowLock: {},
};

/** The dialect of a data source, or of the data source a manager belongs to. */
export function dialectOf(source: DataSource | EntityManager): Dialect {
  const options = 'connection' in source ? source.connection.options : source.options;
  return options.type === 'postgres' ? POSTGRES : SQLITE;
}

/** `build` once per dialect, then remembered (statement texts). */
export function perDialect<T>(build: (dialect: Dialect) => T): (dialect: Dialect) => T {
  const built = new Map<Dialect, T>();
  return (dialect) => {
    let value = built.get(dialect);
    if (value === undefined) {
      value = build(dialect);
      built.set(dialect, value);
    }
    return value;
  };
}
