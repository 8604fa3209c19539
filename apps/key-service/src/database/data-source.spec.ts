import { mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataSource } from './data-source';

const modeOf = (path: string): number => statSync(path).mode & 0o777;

describe('createDataSource on SQLite', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'sts-sqlite-'));
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  it('creates the data directory 0700 and the database, WAL and shared-memory files 0600', async () => {
    const path = join(root, 'data', 'nested', 'key-service.sqlite');
    const ds = createDataSource({ type: 'sqlite', path });
    await ds.initialize();
    try {
      await ds.query('CREATE TABLE t (v integer)');
      await ds.query('INSERT INTO t VALUES (1)');
      for (const dir of [join(root, 'data'), join(root, 'data', 'nested')]) {
        expect(modeOf(dir)).toBe(0o700);
      }
      for (const file of [path, `${path}-wal`, `${path}-shm`]) expect(modeOf(file)).toBe(0o600);
    } finally {
      await ds.destroy();
    }
  });

  it('tightens a database and WAL file an earlier start left readable by others', async () => {
    const dir = join(root, 'data');
    mkdirSync(dir, { mode: 0o755 });
    const path = join(dir, 'key-service.sqlite');
    writeFileSync(path, '', { mode: 0o644 });
    writeFileSync(`${path}-wal`, '', { mode: 0o644 });
    const ds = createDataSource({ type: 'sqlite', path });
    await ds.initialize();
    await ds.destroy();
    expect(modeOf(path)).toBe(0o600);
    expect(modeOf(`${path}-wal`)).toBe(0o600);
    expect(modeOf(dir)).toBe(0o755);
  });
});
