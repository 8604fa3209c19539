/**
 * Every migration applies and reverts on both databases: all of them up, each `down()` in turn
 * back to an empty schema, then up again (what `migrate`, `migrate:revert` and an upgrade after
 * a revert do). SQLite in a temp dir; PostgreSQL in a fresh schema of STS_TEST_DATABASE_URL.
 */
import type { DataSource } from 'typeorm';
import { forEachDatabase, scratchDatabase } from '../../../../test/helpers/databases';
import type { DatabaseKind } from '../../../../test/helpers/key-service-app';
import { MIGRATIONS } from './data-source';

jest.setTimeout(60_000);

const MIGRATIONS_TABLE = 'schema_migrations';

async function tableNames(ds: DataSource, kind: DatabaseKind, schema: string): Promise<string[]> {
  const rows = await ds.query<{ name: string }[]>(
    kind === 'sqlite'
      ? "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
      : 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = $1',
    kind === 'sqlite' ? [] : [schema],
  );
  return rows.map((r) => r.name).filter((n) => n !== MIGRATIONS_TABLE);
}

async function indexNames(ds: DataSource, kind: DatabaseKind, schema: string): Promise<string[]> {
  const rows = await ds.query<{ name: string }[]>(
    kind === 'sqlite'
      ? "SELECT name FROM sqlite_master WHERE type = 'index' AND name NOT LIKE 'sqlite_%'"
      : 'SELECT indexname AS name FROM pg_indexes WHERE schemaname = $1',
    kind === 'sqlite' ? [] : [schema],
  );
  return rows.map((r) => r.name);
}

forEachDatabase('migrations', (kind: DatabaseKind) => {
  const db = scratchDatabase(kind, 'migrations');

  it('applies every migration, reverts each one back to an empty schema, and applies them again', async () => {
    const applied = await db.ds.runMigrations({ transaction: 'each' });
    expect(applied.map((m) => m.name)).toEqual(MIGRATIONS.map((M) => new M().name));
    const tables = await tableNames(db.ds, kind, db.schema);
    expect(tables).toEqual(
      expect.arrayContaining(['principals', 'vending_keys', 'audit_events', 'vending_issuances']),
    );
    expect(await indexNames(db.ds, kind, db.schema)).toEqual(
      expect.arrayContaining(['ix_vending_issuances_request_id']),
    );
    expect(await db.ds.showMigrations()).toBe(false);

    for (let left = MIGRATIONS.length; left > 0; left -= 1) {
      await db.ds.undoLastMigration({ transaction: 'each' });
      expect(await db.ds.showMigrations()).toBe(true);
    }
    expect(await tableNames(db.ds, kind, db.schema)).toEqual([]);

    const again = await db.ds.runMigrations({ transaction: 'each' });
    expect(again).toHaveLength(MIGRATIONS.length);
    expect((await tableNames(db.ds, kind, db.schema)).sort()).toEqual([...tables].sort());
  });

  it('moves issuance times to timestamptz (PostgreSQL) and TID lists to rows, and back, keeping the data', async () => {
    const before = MIGRATIONS.findIndex(
      (M) => new M().name === 'IssuanceTypedColumns1736100000000',
    );
    // Undoes the later migrations, then the typed-columns one.
    const undoThroughTyped = async () => {
      for (let left = MIGRATIONS.length; left > before; left -= 1) {
        await db.ds.undoLastMigration({ transaction: 'each' });
      }
    };
    await db.ds.runMigrations({ transaction: 'each' });
    await undoThroughTyped();
    expect(await db.ds.showMigrations()).toBe(true);
    const p = (n: number) => (kind === 'postgres' ? `$${n}` : '?');
    const insert = (id: string, tids: string, at: string) =>
      db.ds.query(
        'INSERT INTO vending_issuances (id, client_id, kind, iin, drn, sgc, krn, vending_key_id, ' +
          'tids, idempotency_key, request_hash, response, request_id, created_at) VALUES ' +
          `(${p(1)}, 'client', 'credit', '600727', '01234567890', '600727', 1, 'key', ${p(2)}, ` +
          `NULL, 'hash', '{}', 'req', ${p(3)})`,
        [id, tids, at],
      );
    await insert('two-tids', '5900001,5900003', '2026-12-01T10:00:00.123Z');
    await insert('one-tid', '17', '2026-12-02T23:59:59.999Z');
    await insert('no-tid', '', '2026-12-03T00:00:00.000Z');

    const applied = await db.ds.runMigrations({ transaction: 'each' });
    expect(applied.map((m) => m.name)).toEqual(MIGRATIONS.slice(before).map((M) => new M().name));
    const rows = await db.ds.query<{ issuance_id: string; position: number; tid: number }[]>(
      'SELECT issuance_id, position, tid FROM vending_issuance_tids ORDER BY issuance_id, position',
    );
    expect(rows.map((r) => [r.issuance_id, Number(r.position), Number(r.tid)])).toEqual([
      ['one-tid', 0, 17],
      ['two-tids', 0, 5900001],
      ['two-tids', 1, 5900003],
    ]);
    const times = await db.ds.query<{ id: string; created_at: unknown }[]>(
      'SELECT id, created_at FROM vending_issuances ORDER BY created_at',
    );
    const iso = (v: unknown) => (v instanceof Date ? v.toISOString() : v);
    expect(times.map((t) => [t.id, iso(t.created_at)])).toEqual([
      ['two-tids', '2026-12-01T10:00:00.123Z'],
      ['one-tid', '2026-12-02T23:59:59.999Z'],
      ['no-tid', '2026-12-03T00:00:00.000Z'],
    ]);
    if (kind === 'postgres') {
      const [type] = await db.ds.query<{ data_type: string }[]>(
        'SELECT data_type FROM information_schema.columns WHERE table_schema = $1 ' +
          "AND table_name = 'vending_issuances' AND column_name = 'created_at'",
        [db.schema],
      );
      expect(type.data_type).toBe('timestamp with time zone');
    }

    await undoThroughTyped();
    const back = await db.ds.query<{ id: string; tids: string; created_at: string }[]>(
      'SELECT id, tids, created_at FROM vending_issuances ORDER BY id',
    );
    expect(back).toEqual([
      { id: 'no-tid', tids: '', created_at: '2026-12-03T00:00:00.000Z' },
      { id: 'one-tid', tids: '17', created_at: '2026-12-02T23:59:59.999Z' },
      { id: 'two-tids', tids: '5900001,5900003', created_at: '2026-12-01T10:00:00.123Z' },
    ]);
    expect(await tableNames(db.ds, kind, db.schema)).not.toContain('vending_issuance_tids');
    await db.ds.runMigrations({ transaction: 'each' });
  });
});
