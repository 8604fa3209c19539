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
const ts = (name: string): TableColumnOptions => str(name, 24);
const pk = (column: TableColumnOptions): TableColumnOptions => ({ ...column, isPrimary: true });

/**
 * The vending interface: client profiles, client transport keys (metadata only; the
 * keys live in the token), durable TID allocation per (meter, vending key), and issued tokens
 * (reprints and idempotent retries). Runs on SQLite and PostgreSQL.
 */
export class VendingSchema1732600000000 implements MigrationInterface {
  name = 'VendingSchema1732600000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createTable(
      new Table({
        name: 'vending_clients',
        columns: [
          pk(str('principal_id', 36)),
          str('credit_subclasses', 32),
          str('management_subclasses', 32),
          str('test_subclasses', 8),
          int('key_change_allowed'),
          str('max_unit_amount', 32, true),
          str('max_currency_amount', 32, true),
          int('rate_per_second'),
          int('burst'),
          str('updated_by', 36),
          ts('created_at'),
          ts('updated_at'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'vending_transport_keys',
        columns: [
          pk(str('id', 36)),
          str('principal_id', 36),
          { ...str('token_label', 64), isUnique: true },
          int('length_bytes'),
          str('state', 16),
          str('expected_kcv', 6),
          str('kcv', 6, true),
          str('created_by', 36),
          ts('created_at'),
          ts('updated_at'),
        ],
        indices: [
          new TableIndex({
            name: 'ix_vending_transport_keys_principal',
            columnNames: ['principal_id'],
          }),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'vending_tid_allocations',
        columns: [
          pk(str('vending_key_id', 36)),
          pk(str('iin', 6)),
          pk(str('drn', 13)),
          int('last_tid'),
          ts('updated_at'),
        ],
      }),
    );
    await q.createTable(
      new Table({
        name: 'vending_issuances',
        columns: [
          pk(str('id', 36)),
          str('client_id', 36),
          str('kind', 16),
          str('iin', 6),
          str('drn', 13),
          str('sgc', 6, true),
          int('krn', true),
          str('vending_key_id', 36, true),
          str('tids', 64),
          str('idempotency_key', 128, true),
          str('request_hash', 64),
          { name: 'response', type: 'text' },
          str('request_id', 64),
          ts('created_at'),
        ],
        indices: [
          new TableIndex({
            name: 'uq_vending_issuances_idempotency',
            columnNames: ['client_id', 'idempotency_key'],
            isUnique: true,
          }),
          new TableIndex({ name: 'ix_vending_issuances_meter', columnNames: ['iin', 'drn'] }),
          new TableIndex({ name: 'ix_vending_issuances_created', columnNames: ['created_at'] }),
        ],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'vending_issuances',
      'vending_tid_allocations',
      'vending_transport_keys',
      'vending_clients',
    ]) {
      await q.dropTable(table);
    }
  }
}
