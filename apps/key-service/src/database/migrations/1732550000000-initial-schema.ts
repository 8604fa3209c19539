import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import type { TableColumnOptions } from 'typeorm/schema-builder/options/TableColumnOptions';

/** Portable column helpers: the same migration runs on SQLite and PostgreSQL. */
const id = (name = 'id'): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: '36',
  isPrimary: true,
});
const str = (name: string, length: number, nullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});
const text = (name: string, nullable = false): TableColumnOptions => ({
  name,
  type: 'text',
  isNullable: nullable,
});
const int = (name: string, nullable = false): TableColumnOptions => ({
  name,
  type: 'integer',
  isNullable: nullable,
});
const big = (name: string, primary = false): TableColumnOptions => ({
  name,
  type: 'bigint',
  isPrimary: primary,
});
const ts = (name: string, nullable = false) => str(name, 24, nullable);

/** The key service's first schema: principals, supply groups, keys, ceremonies, approvals, audit. */
export class InitialSchema1732550000000 implements MigrationInterface {
  name = 'InitialSchema1732550000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'principals',
        columns: [
          id(),
          { ...str('name', 100), isUnique: true },
          str('roles', 200),
          text('sgc_scope'),
          str('state', 16),
          { ...str('api_key_id', 32), isUnique: true },
          str('api_key_hash', 64),
          ts('api_key_created_at'),
          str('created_by', 36, true),
          ts('created_at'),
          ts('updated_at'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'supply_groups',
        columns: [
          id(),
          { ...str('sgc', 6), isUnique: true },
          str('name', 100),
          str('cluster', 64, true),
          str('state', 16),
          str('pending_revision_id', 36, true),
          ts('created_at'),
          ts('updated_at'),
          int('version'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'vending_keys',
        columns: [
          id(),
          str('supply_group_id', 36),
          str('sgc', 6),
          int('krn'),
          int('live_krn', true),
          str('key_type', 4),
          str('dkga', 2),
          int('key_length_bytes'),
          str('allowed_eas', 16),
          int('base_date'),
          int('ken'),
          ts('activate_at', true),
          ts('issue_until', true),
          ts('expires_at', true),
          str('state', 16),
          str('expected_kcv', 6),
          str('kcv', 6, true),
          { ...str('token_label', 64), isUnique: true },
          str('load_method', 16),
          str('supersedes_id', 36, true),
          ts('supersede_at', true),
          str('created_by', 36),
          ts('created_at'),
          ts('updated_at'),
          ts('destroyed_at', true),
          int('version'),
        ],
        foreignKeys: [
          {
            columnNames: ['supply_group_id'],
            referencedTableName: 'supply_groups',
            referencedColumnNames: ['id'],
          },
        ],
        indices: [
          new TableIndex({
            name: 'uq_vending_keys_live_krn',
            columnNames: ['supply_group_id', 'live_krn'],
            isUnique: true,
          }),
          new TableIndex({ name: 'ix_vending_keys_sgc', columnNames: ['sgc'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'keks',
        columns: [
          id(),
          { ...str('name', 100), isUnique: true },
          int('length_bytes'),
          str('state', 16),
          str('expected_kcv', 6),
          str('kcv', 6, true),
          { ...str('token_label', 64), isUnique: true },
          str('created_by', 36),
          ts('created_at'),
          ts('updated_at'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'ceremonies',
        columns: [
          id(),
          str('purpose', 16),
          str('subject_id', 36),
          str('algorithm', 8),
          int('length_bytes'),
          int('component_count'),
          str('expected_kcv', 6),
          text('custodians'),
          str('state', 16),
          str('opened_by', 36),
          ts('created_at'),
          ts('updated_at'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'ceremony_components',
        columns: [
          id(),
          str('ceremony_id', 36),
          int('component_index'),
          str('custodian_id', 36),
          str('kcv', 6),
          ts('submitted_at'),
        ],
        foreignKeys: [
          {
            columnNames: ['ceremony_id'],
            referencedTableName: 'ceremonies',
            referencedColumnNames: ['id'],
          },
        ],
        indices: [
          new TableIndex({
            name: 'uq_ceremony_components_index',
            columnNames: ['ceremony_id', 'component_index'],
            isUnique: true,
          }),
          new TableIndex({
            name: 'uq_ceremony_components_custodian',
            columnNames: ['ceremony_id', 'custodian_id'],
            isUnique: true,
          }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'approvals',
        columns: [
          id(),
          str('action', 32),
          str('subject_id', 36),
          text('payload'),
          str('payload_hash', 64),
          str('requested_by', 36),
          int('quorum'),
          str('state', 16),
          { ...str('pending_key', 80, true), isUnique: true },
          ts('expires_at'),
          ts('created_at'),
          ts('decided_at', true),
          text('attachment', true),
          str('failure_code', 40, true),
        ],
        indices: [new TableIndex({ name: 'ix_approvals_state', columnNames: ['state'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'approval_votes',
        columns: [
          id(),
          str('approval_id', 36),
          str('principal_id', 36),
          str('decision', 8),
          ts('at'),
        ],
        foreignKeys: [
          {
            columnNames: ['approval_id'],
            referencedTableName: 'approvals',
            referencedColumnNames: ['id'],
          },
        ],
        indices: [
          new TableIndex({
            name: 'uq_approval_votes_principal',
            columnNames: ['approval_id', 'principal_id'],
            isUnique: true,
          }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'audit_events',
        columns: [
          big('seq', true),
          ts('at'),
          str('actor_id', 36),
          str('actor_name', 100),
          str('action', 64),
          str('subject_type', 32),
          str('subject_id', 64),
          str('outcome', 8),
          str('request_id', 64),
          text('details'),
          str('prev_hash', 64),
          str('hash', 64),
        ],
        indices: [
          new TableIndex({ name: 'ix_audit_events_action', columnNames: ['action'] }),
          new TableIndex({ name: 'ix_audit_events_subject', columnNames: ['subject_id'] }),
          new TableIndex({ name: 'ix_audit_events_actor', columnNames: ['actor_id'] }),
          new TableIndex({ name: 'ix_audit_events_at', columnNames: ['at'] }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'audit_checkpoints',
        columns: [
          big('seq', true),
          str('hash', 64),
          ts('at'),
          str('key_label', 64),
          str('signature', 160),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'audit_head',
        columns: [{ ...int('id'), isPrimary: true }, big('seq'), str('hash', 64)],
      }),
    );
    await q.query(`INSERT INTO audit_head (id, seq, hash) VALUES (1, 0, '${'0'.repeat(64)}')`);
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'audit_head',
      'audit_checkpoints',
      'audit_events',
      'approval_votes',
      'approvals',
      'ceremony_components',
      'ceremonies',
      'keks',
      'vending_keys',
      'supply_groups',
      'principals',
    ]) {
      await q.dropTable(table);
    }
  }
}
