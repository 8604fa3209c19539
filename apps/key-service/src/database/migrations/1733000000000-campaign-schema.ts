import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';
import type { TableColumnOptions } from 'typeorm/schema-builder/options/TableColumnOptions';

const str = (name: string, length: number, nullable = false): TableColumnOptions => ({
  name,
  type: 'varchar',
  length: String(length),
  isNullable: nullable,
});
const int = (name: string, nullable = false): TableColumnOptions => ({
  name,
  type: 'integer',
  isNullable: nullable,
});
const ts = (name: string, nullable = false) => str(name, 24, nullable);

/**
 * Rekey campaigns: the plan and counters, and the meter list in chunks with their
 * results. Portable: the same migration runs on SQLite and PostgreSQL. On PostgreSQL the job
 * queue (pg-boss) keeps its own tables, which it creates and migrates itself.
 */
export class CampaignSchema1733000000000 implements MigrationInterface {
  name = 'CampaignSchema1733000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'campaigns',
        columns: [
          { ...str('id', 36), isPrimary: true },
          str('name', 100),
          str('state', 16),
          str('from_sgc', 6),
          int('from_krn'),
          str('from_ti', 2),
          int('from_base_date'),
          str('from_key_id', 36),
          str('to_sgc', 6),
          int('to_krn'),
          str('to_ti', 2),
          int('to_base_date'),
          str('to_key_id', 36),
          int('ro'),
          str('ea', 2),
          int('chunk_size'),
          str('meters_sha256', 64, true),
          int('total_rows'),
          int('bad_rows'),
          int('chunk_count'),
          int('chunks_done'),
          int('issued'),
          int('failed'),
          str('approval_id', 36, true),
          str('created_by', 36),
          ts('created_at'),
          ts('updated_at'),
          ts('started_at', true),
          ts('finished_at', true),
          ts('segment_started_at', true),
          int('segment_base'),
          str('failure_code', 40, true),
        ],
        foreignKeys: [
          {
            columnNames: ['from_key_id'],
            referencedTableName: 'vending_keys',
            referencedColumnNames: ['id'],
          },
          {
            columnNames: ['to_key_id'],
            referencedTableName: 'vending_keys',
            referencedColumnNames: ['id'],
          },
        ],
        indices: [new TableIndex({ name: 'ix_campaigns_state', columnNames: ['state'] })],
      }),
    );
    await q.createTable(
      new Table({
        name: 'campaign_chunks',
        columns: [
          { ...str('campaign_id', 36), isPrimary: true },
          { ...int('chunk_no'), isPrimary: true },
          str('upload_id', 36),
          int('first_row'),
          int('row_count'),
          { name: 'input', type: 'text' },
          str('state', 8),
          int('issued'),
          int('failed'),
          { name: 'result', type: 'text', isNullable: true },
          ts('done_at', true),
        ],
        foreignKeys: [
          {
            columnNames: ['campaign_id'],
            referencedTableName: 'campaigns',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        indices: [
          new TableIndex({
            name: 'ix_campaign_chunks_state',
            columnNames: ['campaign_id', 'state'],
          }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropTable('campaign_chunks');
    await q.dropTable('campaigns');
  }
}
