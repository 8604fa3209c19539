import { type BulkColumn, columnList, rowSource, sqliteRowsPerStatement } from './bulk-rows';

const COLUMNS: BulkColumn[] = [
  { name: 'id', type: 'text' },
  { name: 'count', type: 'integer' },
];

describe('bulk rows', () => {
  it('PostgreSQL: one array per column, one text for any number of rows', () => {
    const one = rowSource(true, COLUMNS, [['a', 1]]);
    const three = rowSource(true, COLUMNS, [
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
    const source = rowSource(true, COLUMNS, [['a', 1]], 4);
    expect(source.sql).toBe('SELECT * FROM unnest($4::text[], $5::integer[])');
    expect(source.params).toEqual([['a'], [1]]);
  });

  it('SQLite: a VALUES list with the rows flattened in order', () => {
    const source = rowSource(false, COLUMNS, [
      ['a', 1],
      ['b', 2],
    ]);
    expect(source.sql).toBe('VALUES (?, ?), (?, ?)');
    expect(source.params).toEqual(['a', 1, 'b', 2]);
  });

  it('SQLite: refuses more rows than one statement takes', () => {
    const most = sqliteRowsPerStatement(COLUMNS);
    expect(most).toBe(16_383);
    const rows = Array.from({ length: most + 1 }, (_, i) => [String(i), i]);
    expect(() => rowSource(false, COLUMNS, rows.slice(0, most))).not.toThrow();
    expect(() => rowSource(false, COLUMNS, rows)).toThrow(RangeError);
  });

  it('quotes the column list', () => {
    expect(columnList(COLUMNS)).toBe('("id", "count")');
  });
});
