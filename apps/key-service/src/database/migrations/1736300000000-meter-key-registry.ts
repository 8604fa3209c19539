import type { MigrationInterface, QueryRunner } from 'typeorm';

/** The meter key registry (meter-keys/meter-key.entity.ts): the key each meter is believed to hold. */
export class MeterKeyRegistry1736300000000 implements MigrationInterface {
  name = 'MeterKeyRegistry1736300000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE TABLE meter_keys (' +
        'iin varchar(6) NOT NULL, ' +
        'drn varchar(13) NOT NULL, ' +
        'sgc varchar(6) NOT NULL, ' +
        'krn integer NOT NULL, ' +
        'tariff_index varchar(2) NOT NULL, ' +
        'key_type integer NOT NULL, ' +
        'ea varchar(2) NOT NULL, ' +
        'base_date integer NOT NULL, ' +
        'vending_key_id varchar(36) NOT NULL, ' +
        'source varchar(12) NOT NULL, ' +
        'source_id varchar(36), ' +
        'recorded_by varchar(36) NOT NULL, ' +
        'updated_at varchar(24) NOT NULL, ' +
        'change_id varchar(36), ' +
        'change_state varchar(10), ' +
        'change_from_key_id varchar(36), ' +
        'change_from_ti varchar(2), ' +
        'change_to_key_id varchar(36), ' +
        'change_to_ti varchar(2), ' +
        'PRIMARY KEY (iin, drn))',
    );
    await q.query('CREATE INDEX ix_meter_keys_revision ON meter_keys (sgc, krn)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP INDEX ix_meter_keys_revision');
    await q.query('DROP TABLE meter_keys');
  }
}
