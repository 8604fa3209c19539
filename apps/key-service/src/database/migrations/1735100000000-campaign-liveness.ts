import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * Campaign worker liveness and honest progress: the worker processes and their heartbeats, which
 * worker holds a chunk and how often the chunk has failed (and why it was given up), why a running
 * campaign stands still and since when, and what a chunk that keeps failing does to its campaign.
 * An index on (campaign_id, done_at) serves the rate over a recent window.
 *
 * Plain ALTER TABLE on both databases (see CampaignUploadClaim1733200000000).
 */
export class CampaignLiveness1735100000000 implements MigrationInterface {
  name = 'CampaignLiveness1735100000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(
      'CREATE TABLE campaign_workers (id varchar(36) PRIMARY KEY, label varchar(100) NOT NULL, ' +
        'started_at varchar(24) NOT NULL, heartbeat_at varchar(24) NOT NULL)',
    );
    await q.query('ALTER TABLE campaign_chunks ADD COLUMN claimed_by varchar(36)');
    await q.query('ALTER TABLE campaign_chunks ADD COLUMN attempts integer NOT NULL DEFAULT 0');
    await q.query('ALTER TABLE campaign_chunks ADD COLUMN failure_code varchar(40)');
    await q.query('CREATE INDEX campaign_chunks_claimed_by ON campaign_chunks (claimed_by)');
    await q.query('CREATE INDEX campaign_chunks_done_at ON campaign_chunks (campaign_id, done_at)');
    await q.query('ALTER TABLE campaigns ADD COLUMN stall_cause varchar(40)');
    await q.query('ALTER TABLE campaigns ADD COLUMN stalled_since varchar(24)');
    await q.query(
      "ALTER TABLE campaigns ADD COLUMN on_chunk_failure varchar(8) NOT NULL DEFAULT 'pause'",
    );
  }

  async down(q: QueryRunner): Promise<void> {
    await q.query('ALTER TABLE campaigns DROP COLUMN on_chunk_failure');
    await q.query('ALTER TABLE campaigns DROP COLUMN stalled_since');
    await q.query('ALTER TABLE campaigns DROP COLUMN stall_cause');
    await q.query('DROP INDEX campaign_chunks_done_at');
    await q.query('DROP INDEX campaign_chunks_claimed_by');
    await q.query('ALTER TABLE campaign_chunks DROP COLUMN failure_code');
    await q.query('ALTER TABLE campaign_chunks DROP COLUMN attempts');
    await q.query('ALTER TABLE campaign_chunks DROP COLUMN claimed_by');
    await q.query('DROP TABLE campaign_workers');
  }
}
