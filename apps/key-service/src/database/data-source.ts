import { chmodSync, closeSync, existsSync, mkdirSync, openSync } from 'node:fs';
import { dirname } from 'node:path';
import { DataSource, type DataSourceOptions } from 'typeorm';
import type { AppConfig } from '../config/app-config';
import { ApprovalVote, Approval } from '../approvals/approval.entity';
import { AuditCheckpointRow, AuditEventRow, AuditHeadRow } from '../audit/audit-event.entity';
import { Campaign, CampaignChunk, CampaignWorker } from '../campaigns/campaign.entity';
import { Ceremony, CeremonyComponent } from '../ceremonies/ceremony.entity';
import { Kek } from '../keks/kek.entity';
import { Principal } from '../principals/principal.entity';
import { SupplyGroup } from '../supply-groups/supply-group.entity';
import { VendingKey } from '../vending-keys/vending-key.entity';
import { InitialSchema1732550000000 } from './migrations/1732550000000-initial-schema';
import { CampaignSchema1733000000000 } from './migrations/1733000000000-campaign-schema';
import { IssuanceLookupIndexes1733100000000 } from './migrations/1733100000000-issuance-lookup-indexes';
import { CampaignUploadClaim1733200000000 } from './migrations/1733200000000-campaign-upload-claim';
import { PrincipalEnrolment1734000000000 } from './migrations/1734000000000-principal-enrolment';
import { CampaignLiveness1735100000000 } from './migrations/1735100000000-campaign-liveness';
import { IssuanceTypedColumns1736100000000 } from './migrations/1736100000000-issuance-typed-columns';
import { VendingSchema1732600000000 } from './migrations/1732600000000-vending-schema';
import { RecoveryRestores1735000000000 } from './migrations/1735000000000-recovery-restores';
import { RestoreRecord } from '../recovery/restore-record.entity';
import { ConsoleSession } from '../auth/sessions/session.entity';
import { ConsoleSessions1736000000000 } from './migrations/1736000000000-console-sessions';
import { MeterKeyRecord } from '../meter-keys/meter-key.entity';
import { MeterKeyRegistry1736300000000 } from './migrations/1736300000000-meter-key-registry';
import { CampaignMovedMeters1736300000001 } from './migrations/1736300000001-campaign-moved-meters';
import { VENDING_ENTITIES } from '../vending/vending.entities';

export const ENTITIES = [
  Principal,
  SupplyGroup,
  VendingKey,
  Kek,
  Ceremony,
  CeremonyComponent,
  Approval,
  ApprovalVote,
  AuditEventRow,
  AuditCheckpointRow,
  AuditHeadRow,
  Campaign,
  CampaignChunk,
  CampaignWorker,
  ...VENDING_ENTITIES,
  RestoreRecord,
  ConsoleSession,
  MeterKeyRecord,
];

/** Every migration, oldest first. Schema changes happen only here (never `synchronize`). */
export const MIGRATIONS = [
  InitialSchema1732550000000,
  VendingSchema1732600000000,
  CampaignSchema1733000000000,
  IssuanceLookupIndexes1733100000000,
  CampaignUploadClaim1733200000000,
  PrincipalEnrolment1734000000000,
  RecoveryRestores1735000000000,
  CampaignLiveness1735100000000,
  ConsoleSessions1736000000000,
  IssuanceTypedColumns1736100000000,
  MeterKeyRegistry1736300000000,
  CampaignMovedMeters1736300000001,
];

/** TypeORM options for the configured database. */
export function dataSourceOptions(database: AppConfig['database']): DataSourceOptions {
  const common = {
    entities: ENTITIES,
    migrations: MIGRATIONS,
    migrationsTableName: 'schema_migrations',
    synchronize: false,
    migrationsRun: false,
    logging: false,
  } as const;
  if (database.type === 'sqlite') {
    return {
      ...common,
      type: 'better-sqlite3',
      database: database.path,
      prepareDatabase: (db: { pragma(sql: string): unknown }) => {
        db.pragma('journal_mode = WAL');
        db.pragma('busy_timeout = 5000');
        db.pragma('foreign_keys = ON');
        db.pragma('synchronous = NORMAL');
      },
    };
  }
  return {
    ...common,
    type: 'postgres',
    url: database.url,
    schema: database.schema,
    connectTimeoutMS: 5000,
    // pipeline: statements may be sent before earlier ones answered (pipelined-transaction.ts);
    // a statement that is awaited before the next one is sent runs as without it.
    extra: { options: `-c search_path=${database.schema}`, max: 10, pipeline: true },
  };
}

/** A DataSource for the CLI (migrations, bootstrap) and the app; prepares the SQLite file. */
export function createDataSource(database: AppConfig['database']): DataSource {
  if (database.type === 'sqlite') prepareSqliteFile(database.path);
  return new DataSource(dataSourceOptions(database));
}

/**
 * The SQLite database is readable by the service's user only: the data directory is created
 * 0700, and the database file is created (or tightened) to 0600 before SQLite opens it. SQLite
 * creates its -wal and -shm files with the database file's mode; ones left by an earlier start
 * are tightened too. An existing directory keeps its mode (it may be shared, e.g. a volume root).
 */
function prepareSqliteFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  closeSync(openSync(path, 'a', 0o600));
  for (const file of [path, `${path}-wal`, `${path}-shm`]) {
    if (existsSync(file)) chmodSync(file, 0o600);
  }
}

/** Creates the PostgreSQL schema if it is missing (a no-op for SQLite and `public`). */
export async function ensureSchema(
  dataSource: DataSource,
  database: AppConfig['database'],
): Promise<void> {
  if (database.type === 'postgres' && database.schema !== 'public') {
    await dataSource.query(`CREATE SCHEMA IF NOT EXISTS "${database.schema}"`);
  }
}
