import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Console sessions (auth/sessions/session.entity.ts): the secret is stored as SHA-256 only. */
export class ConsoleSessions1736000000000 implements MigrationInterface {
  name = 'ConsoleSessions1736000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE TABLE console_sessions (' +
        'id varchar(36) PRIMARY KEY, ' +
        'secret_hash varchar(64) NOT NULL, ' +
        'principal_id varchar(36) NOT NULL, ' +
        'api_key_id varchar(32) NOT NULL, ' +
        'created_at varchar(24) NOT NULL, ' +
        'last_seen_at varchar(24) NOT NULL, ' +
        'expires_at varchar(24) NOT NULL, ' +
        'ended_at varchar(24))',
    );
    await q.query('CREATE INDEX ix_console_sessions_principal ON console_sessions (principal_id)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('DROP TABLE console_sessions');
  }
}
