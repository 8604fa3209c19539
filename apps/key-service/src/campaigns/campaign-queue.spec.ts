import { InProcessQueue, unreachableDatabaseGuard } from './campaign-queue';

describe('unreachableDatabaseGuard', () => {
  it('reports a rejection for an unreachable database and throws any other on', () => {
    const reported: Error[] = [];
    const guard = unreachableDatabaseGuard((e) => reported.push(e));
    const lost = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), {
      code: 'ECONNREFUSED',
    });
    guard(lost);
    guard(new Error('Connection terminated unexpectedly'));
    expect(reported).toHaveLength(2);
    expect(reported[0]).toBe(lost);
    const bug = new TypeError('x is not a function');
    expect(() => guard(bug)).toThrow(bug);
    expect(reported).toHaveLength(2);
  });
});

describe('InProcessQueue', () => {
  it('claims each job before working it, and puts urgent jobs first', async () => {
    const queue = new InProcessQueue(10);
    const seen: string[] = [];
    await queue.enqueue(undefined, [
      { campaignId: 'c', chunkNo: 0 },
      { campaignId: 'c', chunkNo: 1 },
    ]);
    await queue.enqueue(undefined, [{ campaignId: 'c', chunkNo: 7 }], { urgent: true });
    let done!: () => void;
    const finished = new Promise<void>((r) => (done = r));
    await queue.work({
      claim: (jobs) => {
        seen.push(`claim ${jobs.map((j) => j.chunkNo).join(',')}`);
        return Promise.resolve();
      },
      handle: (job) => {
        seen.push(`work ${job.chunkNo}`);
        if (seen.length === 6) done();
        return Promise.resolve();
      },
    });
    await finished;
    await queue.stop();
    expect(seen).toEqual(['claim 7', 'work 7', 'claim 0', 'work 0', 'claim 1', 'work 1']);
  });
});
