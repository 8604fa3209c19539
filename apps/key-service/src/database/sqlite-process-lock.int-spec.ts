import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConfigError } from '../config/app-config';
import { lockSqliteForThisProcess } from './sqlite-process-lock';

describe('lockSqliteForThisProcess', () => {
  let dir: string;
  let database: string;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'sqlite-lock-'));
    database = join(dir, 'key-service.sqlite');
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('refuses a second holder at once, and is free again once released', () => {
    const release = lockSqliteForThisProcess(database);
    expect(() => lockSqliteForThisProcess(database)).toThrow(ConfigError);
    expect(() => lockSqliteForThisProcess(database)).toThrow(/SQLite mode is one process/);
    release();
    lockSqliteForThisProcess(database)();
  });

  it('is held by another process while it lives and free once it is killed (SIGKILL)', async () => {
    const holder = await startHolder(database);
    try {
      expect(() => lockSqliteForThisProcess(database)).toThrow(/SQLite mode is one process/);
    } finally {
      await kill9(holder);
    }
    lockSqliteForThisProcess(database)();
  });
});

/** A child process that takes the lock, says so, and waits to be killed. */
function startHolder(database: string): Promise<ChildProcess> {
  const script = `
    const Database = require(${JSON.stringify(require.resolve('better-sqlite3'))});
    const lock = new Database(process.argv[1] + '.lock', { timeout: 0 });
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE; COMMIT');
    process.stdout.write('held\\n');
    setInterval(() => lock.name, 60_000);
  `;
  const child = spawn(process.execPath, ['-e', script, database], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`holder exited (${code})`)));
    child.stdout.once('data', () => resolve(child));
  });
}

function kill9(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}
