/**
 * CampaignWorkers on both databases: heartbeats, claims, and the sweep that hands the pending
 * chunks of a worker that went silent back to the queue (of running campaigns only, once).
 */
import { forEachDatabase, scratchDatabase } from '../../../../test/helpers/databases';
import type { DatabaseKind } from '../../../../test/helpers/key-service-app';
import { Clock } from '../common/clock';
import { JsonLogger } from '../common/json-logger';
import { DEFAULT_CAMPAIGN_LIVENESS } from '../config/app-config';
import { TransactionRunner } from '../database/transaction-runner';
import type { ChunkJob } from './campaign-queue';
import { Campaign, CampaignChunk, type CampaignState } from './campaign.entity';
import { CampaignWorkers, readWorkerFacts } from './campaign-workers';

jest.setTimeout(60_000);

class ManualClock extends Clock {
  at = Date.parse('2026-12-07T10:00:00.000Z');
  override now(): Date {
    return new Date(this.at);
  }
}

const CONFIG = { ...DEFAULT_CAMPAIGN_LIVENESS, heartbeatMs: 1000, takeoverMs: 3000 };

function campaignRow(id: string, state: CampaignState): Campaign {
  const at = '2026-12-07T09:00:00.000Z';
  return {
    id,
    name: id,
    state,
    fromSgc: '123456',
    fromKrn: 1,
    fromTi: '01',
    fromBaseDate: 1993,
    fromKeyId: 'k1',
    toSgc: '123456',
    toKrn: 2,
    toTi: '01',
    toBaseDate: 1993,
    toKeyId: 'k2',
    ro: 0,
    ea: '07',
    chunkSize: 10,
    metersSha256: 'x'.repeat(64),
    totalRows: 40,
    badRows: 0,
    chunkCount: 4,
    chunksDone: 0,
    issued: 0,
    failed: 0,
    uploadId: null,
    uploadSeenAt: null,
    approvalId: null,
    createdBy: 'someone',
    createdAt: at,
    updatedAt: at,
    startedAt: at,
    finishedAt: null,
    segmentStartedAt: at,
    segmentBase: 0,
    failureCode: null,
    onChunkFailure: 'pause',
    stallCause: null,
    stalledSince: null,
    movedAtUpload: 0,
    moved: 0,
  };
}

function chunkRow(campaignId: string, chunkNo: number, state: 'pending' | 'done'): CampaignChunk {
  return {
    campaignId,
    chunkNo,
    uploadId: 'u',
    firstRow: chunkNo * 10 + 1,
    rowCount: 10,
    input: '',
    state,
    issued: 0,
    failed: 0,
    moved: 0,
    result: null,
    doneAt: null,
    claimedBy: null,
    attempts: 0,
    failureCode: null,
  };
}

forEachDatabase('CampaignWorkers', (kind: DatabaseKind) => {
  const db = scratchDatabase(kind, 'workers', { migrate: true });
  const clock = new ManualClock();
  const lines: string[] = [];
  const requeued: { jobs: ChunkJob[] }[] = [];
  let tx: TransactionRunner;

  const worker = () =>
    new CampaignWorkers(
      tx,
      clock,
      new JsonLogger('warn', (l) => lines.push(l)),
      CONFIG,
      async (_em, jobs) => {
        requeued.push({ jobs: [...jobs] });
        await Promise.resolve();
      },
      () => undefined,
    );

  beforeAll(async () => {
    tx = new TransactionRunner(db.ds);
    // The rows stand for campaigns without their vending keys: only the worker tables matter here.
    if (db.isPostgres) {
      const fks = await db.ds.query<{ conname: string }[]>(
        "SELECT conname FROM pg_constraint WHERE conrelid = 'campaigns'::regclass AND contype = 'f'",
      );
      for (const fk of fks)
        await db.ds.query(`ALTER TABLE campaigns DROP CONSTRAINT "${fk.conname}"`);
    } else {
      await db.ds.query('PRAGMA foreign_keys = OFF');
    }
    await db.ds.manager.insert(Campaign, [
      campaignRow('run', 'running'),
      campaignRow('hold', 'paused'),
    ]);
    await db.ds.manager.insert(CampaignChunk, [
      chunkRow('run', 0, 'done'),
      chunkRow('run', 1, 'pending'),
      chunkRow('run', 2, 'pending'),
      chunkRow('run', 3, 'pending'),
      chunkRow('hold', 0, 'pending'),
    ]);
  });

  const claims = async () =>
    (
      await db.ds.manager.find(CampaignChunk, {
        select: { campaignId: true, chunkNo: true, claimedBy: true },
        order: { campaignId: 'ASC', chunkNo: 'ASC' },
      })
    ).map((c) => `${c.campaignId}:${c.chunkNo}:${c.claimedBy ?? '-'}`);

  it('takes over the pending chunks of a silent worker once, for running campaigns only', async () => {
    const a = worker();
    const b = worker();
    await a.beat();
    await b.beat();
    expect(
      await db.ds.transaction((em) => readWorkerFacts(em, clock.now(), CONFIG.takeoverMs)),
    ).toEqual({
      live: 2,
      lastHeartbeatAt: clock.now().toISOString(),
    });
    await a.claim([
      { campaignId: 'run', chunkNo: 0 },
      { campaignId: 'run', chunkNo: 1 },
      { campaignId: 'run', chunkNo: 2 },
      { campaignId: 'hold', chunkNo: 0 },
    ]);
    await b.claim([{ campaignId: 'run', chunkNo: 3 }]);
    // A done chunk is never claimed.
    expect(await claims()).toEqual([
      `hold:0:${a.id}`,
      'run:0:-',
      `run:1:${a.id}`,
      `run:2:${a.id}`,
      `run:3:${b.id}`,
    ]);

    // Within the takeover time nothing is taken.
    clock.at += CONFIG.takeoverMs - 1000;
    await b.beat();
    expect(requeued).toEqual([]);

    // A stays silent past the takeover time: B's sweep releases A's claims and queues the
    // running campaign's chunks; the paused campaign's chunk waits for its resume.
    clock.at += 2000;
    await b.beat();
    expect(requeued).toEqual([
      {
        jobs: [
          { campaignId: 'run', chunkNo: 1 },
          { campaignId: 'run', chunkNo: 2 },
        ],
      },
    ]);
    expect(await claims()).toEqual(['hold:0:-', 'run:0:-', 'run:1:-', 'run:2:-', `run:3:${b.id}`]);
    expect(
      await db.ds.transaction((em) => readWorkerFacts(em, clock.now(), CONFIG.takeoverMs)),
    ).toEqual({
      live: 1,
      lastHeartbeatAt: clock.now().toISOString(),
    });
    expect(lines.map((l) => JSON.parse(l) as Record<string, unknown>)).toEqual([
      expect.objectContaining({ msg: 'campaign chunks taken over', chunks: 2, campaigns: ['run'] }),
    ]);

    // Another sweep finds nothing more; a stopped worker leaves no row behind.
    await b.sweep();
    expect(requeued).toHaveLength(1);
    await b.stop();
    expect(
      await db.ds.transaction((em) => readWorkerFacts(em, clock.now(), CONFIG.takeoverMs)),
    ).toEqual({
      live: 0,
      lastHeartbeatAt: null,
    });
  });
});
