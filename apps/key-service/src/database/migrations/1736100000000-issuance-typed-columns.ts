import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Issuances read per statement when SQLite's TID lists are split into rows. */
const SPLIT_BATCH = 1000;

/**
 * An issuance's time and TIDs in typed columns: `created_at` becomes `timestamptz` on PostgreSQL
 * (SQLite has no time type: it keeps the ISO-8601 text), and the comma-separated `tids` becomes
 * the rows of `vending_issuance_tids` (issuance id, position, TID). Existing issuances keep their
 * values both ways; `down` writes the lists back from the rows.
 */
export class IssuanceTypedColumns1736100000000 implements MigrationInterface {
  name = 'IssuanceTypedColumns1736100000000';

  async up(q: QueryRunner): Promise<void> {
    const postgres = q.connection.options.type === 'postgres';
    await q.query(
      'CREATE TABLE vending_issuance_tids (' +
        'issuance_id varchar(36) NOT NULL REFERENCES vending_issuances (id) ON DELETE CASCADE, ' +
        'position integer NOT NULL, tid integer NOT NULL, PRIMARY KEY (issuance_id, position))',
    );
    if (postgres) {
      await q.query(
        'INSERT INTO vending_issuance_tids (issuance_id, position, tid) ' +
          'SELECT i.id, t.ord - 1, t.tid::integer FROM vending_issuances i, ' +
          "unnest(string_to_array(i.tids, ',')) WITH ORDINALITY AS t(tid, ord) WHERE i.tids <> ''",
      );
      await q.query(
        'ALTER TABLE vending_issuances ALTER COLUMN created_at TYPE timestamptz ' +
          'USING created_at::timestamptz',
      );
    } else {
      await splitTids(q);
    }
    await q.query('ALTER TABLE vending_issuances DROP COLUMN tids');
  }

  async down(q: QueryRunner): Promise<void> {
    const postgres = q.connection.options.type === 'postgres';
    await q.query("ALTER TABLE vending_issuances ADD COLUMN tids varchar(64) NOT NULL DEFAULT ''");
    if (postgres) {
      await q.query(
        "UPDATE vending_issuances i SET tids = t.list FROM (SELECT issuance_id, string_agg(tid::text, ',' " +
          'ORDER BY position) AS list FROM vending_issuance_tids GROUP BY issuance_id) t ' +
          'WHERE t.issuance_id = i.id',
      );
      await q.query('ALTER TABLE vending_issuances ALTER COLUMN tids DROP DEFAULT');
      await q.query(
        'ALTER TABLE vending_issuances ALTER COLUMN created_at TYPE varchar(24) USING ' +
          `to_char(created_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`,
      );
    } else {
      await q.query(
        "UPDATE vending_issuances SET tids = COALESCE((SELECT group_concat(tid, ',') FROM " +
          '(SELECT tid FROM vending_issuance_tids t WHERE t.issuance_id = vending_issuances.id ' +
          "ORDER BY position)), '')",
      );
    }
    await q.query('DROP TABLE vending_issuance_tids');
  }
}

/** SQLite: each issuance's TID list as rows, a batch of issuances at a time (in id order). */
async function splitTids(q: QueryRunner): Promise<void> {
  let after = '';
  for (;;) {
    const rows = (await q.query(
      "SELECT id, tids FROM vending_issuances WHERE id > ? AND tids <> '' ORDER BY id LIMIT ?",
      [after, SPLIT_BATCH],
    )) as { id: string; tids: string }[];
    if (rows.length === 0) return;
    for (const row of rows) {
      const tids = row.tids.split(',');
      await q.query(
        'INSERT INTO vending_issuance_tids (issuance_id, position, tid) VALUES ' +
          tids.map(() => '(?, ?, ?)').join(', '),
        tids.flatMap((tid, i) => [row.id, i, Number(tid)]),
      );
    }
    after = rows[rows.length - 1].id;
  }
}
