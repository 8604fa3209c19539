import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The claim a meter-list upload holds on its campaign while it streams: which upload owns the
 * campaign and when that upload last stored a chunk. Only the claiming upload stores chunks or
 * records the list, so two uploads of one campaign never interleave.
 *
 * Plain ALTER TABLE on both databases: TypeORM's column helpers rebuild an SQLite table, and
 * rebuilding `campaigns` would cascade into `campaign_chunks`.
 */
export class CampaignUploadClaim1733200000000 implements MigrationInterface {
  name = 'CampaignUploadClaim1733200000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE campaigns ADD COLUMN upload_id varchar(36)');
    await q.query('ALTER TABLE campaigns ADD COLUMN upload_seen_at varchar(24)');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE campaigns DROP COLUMN upload_seen_at');
    await q.query('ALTER TABLE campaigns DROP COLUMN upload_id');
  }
}
