import { DataSource } from 'typeorm';
import { columnList } from './bulk-rows';
import { type BulkColumn, dialectOf, POSTGRES, SQLITE } from './dialect';

const COLUMNS: BulkColumn[] = [
  { name: 'id', type: 'text' },
  { name: 'count', type: 'integer' },
];

describe('dialects', () => {
  it('PostgreSQL: one array per column, one text for any number of rows', () => {
    const one = POSTGRES.rowSource(COLUMNS, [['a', 1]]);
    const three = POSTGRES.rowSource(COLUMNS, [
      ['a', 1],
      ['b', null],
      ['c', 3],
    ]);
    expect(one.sql).toBe('SELECT * FROM unnest($1::text[], $2::integer[])');
    expect(three.sql).toBe(one.sql);
    expect(three.params).toEqual([
      ['a', 'b', 'c'],
      [1, null, 3],
    ]);
  });

  it('PostgreSQL: numbers the parameters from where the statement needs them', () => {
    const source = POSTGRES.rowSource(COLUMNS, [['a', 1]], 4);
    expect(source.sql).toBe('SELECT * FROM unnest($4::text[], $5::integer[])');
    expect(source.params).toEqual([['a'], [1]]);
  });

  it('SQLite: a VALUES list with the rows flattened in order', () => {
    const source = SQLITE.rowSource(COLUMNS, [
      ['a', 1],
      ['b', 2],
    ]);
    expect(source.sql).toBe('VALUES (?, ?), (?, ?)');
    expect(source.params).toEqual(['a', 1, 'b', 2]);
  });

  it('SQLite: refuses more rows than one statement takes', () => {
    const most = SQLITE.rowsPerStatement(COLUMNS);
    expect(most).toBe(16_383);
    const rows = Array.from({ length: most + 1 }, (_, i) => [String(i), i]);
    expect(() => SQLITE.rowSource(COLUMNS, rows.slice(0, most))).not.toThrow();
    expect(() => SQLITE.rowSource(COLUMNS, rows)).toThrow(RangeError);
  });

  it('PostgreSQL takes any number of rows in one statement', () => {
    expect(POSTGRES.rowsPerStatement(COLUMNS)).toBe(Number.POSITIVE_INFINITY);
  });

  it('numbers placeholders on PostgreSQL only', () => {
    expect([POSTGRES.param(1), POSTGRES.param(12)]).toEqual(['$1', '$12']);
    expect([SQLITE.param(1), SQLITE.param(12)]).toEqual(['?', '?']);
    expect([POSTGRES.param(4, 'integer'), SQLITE.param(4, 'integer')]).toEqual([
      '$4::integer',
      '?',
    ]);
  });

  it('names the larger of two values as each database does', () => {
    expect(POSTGRES.greatest('a', 'b')).toBe('GREATEST(a, b)');
    expect(SQLITE.greatest('a', 'b')).toBe('MAX(a, b)');
  });

  it('tests membership with one array on PostgreSQL, a list on SQLite', () => {
    expect(POSTGRES.oneOf('k."id"', ['x', 'y'], 3)).toEqual({
      sql: 'k."id" = ANY($3::text[])',
      params: [['x', 'y']],
    });
    expect(SQLITE.oneOf('k."id"', ['x', 'y'], 3)).toEqual({
      sql: 'k."id" IN (?, ?)',
      params: ['x', 'y'],
    });
  });

  it('locks rows on PostgreSQL only (SQLite serialises its writes)', () => {
    expect(POSTGRES.rowLock).toEqual({ lock: { mode: 'pessimistic_write' } });
    expect(POSTGRES.skipLockedRowLock).toEqual({
      lock: { mode: 'pessimistic_write', onLocked: 'skip_locked' },
    });
    expect(SQLITE.rowLock).toEqual({});
    expect(SQLITE.skipLockedRowLock).toEqual({});
    expect([POSTGRES.serialised, SQLITE.serialised]).toEqual([false, true]);
  });

  it('follows the data source a manager belongs to', () => {
    const sqlite = new DataSource({ type: 'better-sqlite3', database: ':memory:' });
    const postgres = new DataSource({ type: 'postgres', url: 'postgres://nobody@127.0.0.1/none' });
    expect(dialectOf(sqlite)).toBe(SQLITE);
    expect(dialectOf(sqlite.manager)).toBe(SQLITE);
    expect(dialectOf(postgres)).toBe(POSTGRES);
    expect(dialectOf(postgres.manager)).toBe(POSTGRES);
  });

  it('quotes the column list', () => {
    expect(columnList(COLUMNS)).toBe('("id", "count")');
  });
});
