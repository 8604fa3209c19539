import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Completed database restores and the TID floor each one set (recovery/restore-record.entity.ts). */
export class RecoveryRestores1735000000000 implements MigrationInterface {
  name = 'RecoveryRestores1735000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE TABLE recovery_restores (' +
        'id varchar(36) PRIMARY KEY, ' +
        'audit_seq integer NOT NULL, ' +
        'restored_head_seq integer NOT NULL, ' +
        'lost_through_seq integer, ' +
        'completed_at varchar(24) NOT NULL, ' +
        'tid_floor_at varchar(24) NOT NULL, ' +
        'tid_window_minutes integer NOT NULL)',
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE recovery_restores');
  }
}
