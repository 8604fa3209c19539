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
});
