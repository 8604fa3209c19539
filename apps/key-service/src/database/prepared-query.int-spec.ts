/**
 * queryPrepared and bulk rows on both databases: the rows as em.query gives them, named prepared
 * statements on a PostgreSQL transaction's connection (one per statement text), the driver's own
 * error codes, and any number of rows through one statement text, values intact.
 */
import { forEachDatabase, scratchDatabase } from '../../../../test/helpers/databases';
import type { DatabaseKind } from '../../../../test/helpers/key-service-app';
import { isUniqueViolation } from '../common/domain-error';
import { columnList } from './bulk-rows';
import { type BulkColumn, dialectOf } from './dialect';
import { queryPrepared } from './prepared-query';

jest.setTimeout(60_000);

forEachDatabase('queryPrepared', (kind: DatabaseKind) => {
  const db = scratchDatabase(kind, 'prepared');
  const mark = (i: number) => (kind === 'postgres' ? `$${i}` : '?');
  const insert = `INSERT INTO things (id, name) VALUES (${mark(1)}, ${mark(2)}) RETURNING id, name`;

  beforeAll(async () => {
    await db.ds.query('CREATE TABLE things (id integer PRIMARY KEY, name varchar(20) NOT NULL)');
    await db.ds.query('CREATE TABLE notes (n bigint PRIMARY KEY, body text, size integer)');
  });

  it('answers the rows of each execution, inside and outside a transaction', async () => {
    const got = await db.ds.transaction(async (em) => [
      await queryPrepared<{ id: number; name: string }>(em, insert, [1, 'one']),
      await queryPrepared<{ id: number; name: string }>(em, insert, [2, 'two']),
    ]);
    expect(got).toEqual([[{ id: 1, name: 'one' }], [{ id: 2, name: 'two' }]]);
    const read = await queryPrepared<{ name: string }>(
      db.ds.manager,
      `SELECT name FROM things WHERE id > ${mark(1)} ORDER BY id`,
      [0],
    );
    expect(read).toEqual([{ name: 'one' }, { name: 'two' }]);
  });

  it('fails with the driver error of a unique violation and records nothing of the transaction', async () => {
    const attempt = db.ds.transaction(async (em) => {
      await queryPrepared(em, insert, [3, 'three']);
      await queryPrepared(em, insert, [1, 'again']);
    });
    const error = await attempt.then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(isUniqueViolation(error)).toBe(true);
    const [{ n }] = await db.ds.query<{ n: number | string }[]>('SELECT COUNT(*) AS n FROM things');
    expect(Number(n)).toBe(2);
  });

  it('writes any number of rows with one statement text, in order and byte for byte', async () => {
    const columns: BulkColumn[] = [
      { name: 'n', type: 'bigint' },
      { name: 'body', type: 'text' },
      { name: 'size', type: 'integer' },
    ];
    const awkward = [
      '{"a":"b,c","d":[1,2]}',
      'quote " and backslash \\ and \\"',
      '',
      'NULL',
      ' spaced ',
      'ünïcödé ✓',
      null,
    ];
    const texts = new Set<string>();
    let n = 0;
    for (const count of [1, 3, awkward.length]) {
      const rows = awkward.slice(0, count).map((body) => [++n, body, body?.length ?? null]);
      const source = dialectOf(db.ds).rowSource(columns, rows);
      const sql = `INSERT INTO notes ${columnList(columns)} ${source.sql}`;
      texts.add(sql);
      await db.ds.transaction((em) => queryPrepared(em, sql, source.params));
    }
    if (kind === 'postgres') expect(texts.size).toBe(1);
    const stored = await db.ds.query<{ n: number | string; body: string | null; size: number }[]>(
      'SELECT n, body, size FROM notes ORDER BY n',
    );
    const expected = [...awkward.slice(0, 1), ...awkward.slice(0, 3), ...awkward].map(
      (body, i) => ({ n: i + 1, body, size: body?.length ?? null }),
    );
    expect(stored.map((r) => ({ ...r, n: Number(r.n) }))).toEqual(expected);
  });

  if (kind === 'postgres') {
    it('prepares each statement text once per connection, under a name of its own', async () => {
      const select = 'SELECT name FROM things WHERE id = $1';
      const seen = await db.ds.transaction(async (em) => {
        await queryPrepared(em, select, [1]);
        await queryPrepared(em, select, [2]);
        await queryPrepared(em, insert, [4, 'four']);
        return em.query<{ name: string; statement: string }[]>(
          'SELECT name, statement FROM pg_prepared_statements ORDER BY name',
        );
      });
      const ours = seen.filter((s) => s.statement === select || s.statement === insert);
      expect(ours).toHaveLength(2);
      for (const s of ours) expect(s.name).toMatch(/^sts_[0-9a-f]{40}$/);
      expect(new Set(ours.map((s) => s.name)).size).toBe(2);
    });
  }
});
