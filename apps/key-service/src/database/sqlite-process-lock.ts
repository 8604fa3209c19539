import Database from 'better-sqlite3';
import { ConfigError } from '../config/app-config';

/**
 * Makes an embedded SQLite database one service process's. SQLite mode runs the campaign queue
 * in process and serialises transactions in process (ADR 0005), so a second service process on
 * the same file would neither see the first one's queued chunks nor take them over when it
 * dies: several processes need PostgreSQL.
 *
 * The lock is a second SQLite file beside the database (`<database>.lock`), opened in exclusive
 * locking mode and written once: its connection then holds the file's exclusive lock until it is
 * closed, and the operating system drops that lock when the process ends in any way (`kill -9`
 * included), so a restart finds it free and re-queues the pending chunks as usual. A second
 * process fails at start instead of waiting. Returns the function that releases the lock.
 */
export function lockSqliteForThisProcess(databasePath: string): () => void {
  const lock = new Database(`${databasePath}.lock`, { timeout: 0 });
  try {
    lock.pragma('locking_mode = EXCLUSIVE');
    lock.exec('BEGIN EXCLUSIVE; COMMIT');
  } catch (error) {
    lock.close();
    if ((error as { code?: unknown }).code === 'SQLITE_BUSY') {
      throw new ConfigError(
        ['STS_DATA_DIR', 'DATABASE_URL'],
        'Another key-service process is using this SQLite database; SQLite mode is one process ' +
          '(set DATABASE_URL to PostgreSQL for several)',
      );
    }
    throw error;
  }
  return () => lock.close();
}
