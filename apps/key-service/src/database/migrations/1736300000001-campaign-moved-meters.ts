import type { MigrationInterface, QueryRunner } from 'typeorm';

/** Campaign meters found on the target key already (moved at purchase): counted, left alone. */
export class CampaignMovedMeters1736300000001 implements MigrationInterface {
  name = 'CampaignMovedMeters1736300000001';

  async up(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE campaigns ADD COLUMN moved_at_upload integer NOT NULL DEFAULT 0');
    await q.query('ALTER TABLE campaigns ADD COLUMN moved integer NOT NULL DEFAULT 0');
    await q.query('ALTER TABLE campaign_chunks ADD COLUMN moved integer NOT NULL DEFAULT 0');
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE campaign_chunks DROP COLUMN moved');
    await q.query('ALTER TABLE campaigns DROP COLUMN moved');
    await q.query('ALTER TABLE campaigns DROP COLUMN moved_at_upload');
  }
}
