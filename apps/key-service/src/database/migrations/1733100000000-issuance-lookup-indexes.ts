import { type MigrationInterface, type QueryRunner, TableIndex } from 'typeorm';

/**
 * Reprint lookups (`GET /vending/issuances?requestId=` or `?idempotencyKey=`): an auditor's
 * lookup by Idempotency-Key spans clients, and a lookup by request id has no index at all
 * without these, so either would scan every issuance.
 */
export class IssuanceLookupIndexes1733100000000 implements MigrationInterface {
  name = 'IssuanceLookupIndexes1733100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.createIndex(
      'vending_issuances',
      new TableIndex({ name: 'ix_vending_issuances_request_id', columnNames: ['request_id'] }),
    );
    await q.createIndex(
      'vending_issuances',
      new TableIndex({
        name: 'ix_vending_issuances_idempotency_key',
        columnNames: ['idempotency_key'],
      }),
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.dropIndex('vending_issuances', 'ix_vending_issuances_idempotency_key');
    await q.dropIndex('vending_issuances', 'ix_vending_issuances_request_id');
  }
}
