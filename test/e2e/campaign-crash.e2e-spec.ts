import type { ChildProcess } from 'node:child_process';
import { forEachDatabase } from '../helpers/databases';
import { startService, type TestService } from '../helpers/key-service-app';
import { DEV_COMPONENTS } from '../helpers/key-material';
import { auth, type Cast, createCast, createSupplyGroup, expectStatus } from '../helpers/workflows';
import {
  csvOf,
  killWorker,
  meterIds,
  parseResults,
  planAndApprove,
  results,
  revision,
  startWorker,
  waitForState,
} from './campaign-support';

jest.setTimeout(900_000);

forEachDatabase('Rekey campaign crash safety', (database) => {
  let svc: TestService;
  let cast: Cast;
  const children: ChildProcess[] = [];
  const SGC = '445566';
  const plan = {
    from: { sgc: SGC, krn: 1, tariffIndex: '01', baseDate: 1993 },
    to: { sgc: SGC, krn: 2, tariffIndex: '02', baseDate: 1993 },
    ea: '07',
    chunkSize: 20,
  };
  const meters = meterIds(1000, 70_000);

  beforeAll(async () => {
    // This process serves the API only; campaign work happens in the child processes.
    svc = await startService({ database, campaignWorker: false });
    cast = await createCast(svc);
    await createSupplyGroup(svc, cast, SGC);
    await revision(svc, cast, SGC, 'des');
    await revision(svc, cast, SGC, 'des', 1993, DEV_COMPONENTS.des.slice(1, 3));
  });

  afterAll(async () => {
    for (const c of children) await killWorker(c);
    await svc?.close();
  });

  const start = async (id: string) =>
    expectStatus(
      await svc.http.post(`/api/v1/campaigns/${id}/start`).set(...auth(cast.officerA.key)),
      200,
    );

  it('continues after the worker process is killed mid-run: same results as an uninterrupted run', async () => {
    // Reference: an uninterrupted run.
    const reference = await planAndApprove(svc, cast, plan, csvOf(meters));
    await start(reference.id);
    const w1 = startWorker(svc);
    children.push(w1.child);
    const done1 = await waitForState(svc, cast.auditor.key, reference.id, ['completed', 'failed']);
    expect(done1).toMatchObject({ state: 'completed', progress: { issued: 1000 } });
    await killWorker(w1.child);
    const expected = parseResults(await results(svc, cast.officerA.key, reference.id));

    // The same plan and list again, with a slow worker killed after some chunks committed. The
    // reference run moved the meters in the meter key registry (a campaign leaves meters on its
    // target alone), so an officer first states that they hold KRN 1 again.
    expectStatus(
      await svc.http
        .post('/api/v1/meter-keys/import')
        .set(...auth(cast.officerA.key))
        .set('Content-Type', 'text/csv')
        .send(
          [
            'iin,drn,sgc,krn,tariffIndex,ea',
            ...meters.map((m) => `${m.iin},${m.drn},${SGC},1,01,07`),
          ].join('\n'),
        ),
      200,
    );
    const crashed = await planAndApprove(svc, cast, plan, csvOf(meters));
    await start(crashed.id);
    const w2 = startWorker(svc, 5);
    children.push(w2.child);
    const until = Date.now() + 300_000;
    for (;;) {
      const res = expectStatus(
        await svc.http.get(`/api/v1/campaigns/${crashed.id}`).set(...auth(cast.auditor.key)),
        200,
      );
      if ((res.body.progress.chunksDone as number) >= 5) break;
      if (Date.now() > until || w2.child.exitCode !== null) {
        throw new Error(`worker made no progress: ${w2.log.join('')}`);
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    await killWorker(w2.child);
    const stopped = expectStatus(
      await svc.http.get(`/api/v1/campaigns/${crashed.id}`).set(...auth(cast.auditor.key)),
      200,
    ).body as { state: string; progress: { chunksDone: number; chunkCount: number } };
    expect(stopped.state).toBe('running');
    expect(stopped.progress.chunksDone).toBeGreaterThanOrEqual(5);
    expect(stopped.progress.chunksDone).toBeLessThan(stopped.progress.chunkCount);

    // A restarted worker picks the campaign up where it stopped.
    const w3 = startWorker(svc);
    children.push(w3.child);
    const done = await waitForState(svc, cast.auditor.key, crashed.id, ['completed', 'failed']);
    expect(done).toMatchObject({
      state: 'completed',
      progress: { total: 1000, issued: 1000, failed: 0, pending: 0, chunksDone: 50 },
    });
    const actual = parseResults(await results(svc, cast.officerA.key, crashed.id));
    expect(actual.map((r) => r.row)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 1));
    expect(actual).toEqual(expected);

    // Every chunk was committed exactly once.
    const events = expectStatus(
      await svc.http
        .get('/api/v1/audit/events')
        .query({ subjectId: crashed.id, action: 'campaign.chunk', limit: 500 })
        .set(...auth(cast.auditor.key)),
      200,
    ).body.items as { details: { chunk: number; rows: number } }[];
    const chunks = events.map((e) => e.details.chunk).sort((a, b) => a - b);
    expect(chunks).toEqual(Array.from({ length: 50 }, (_, i) => i));
    await killWorker(w3.child);
  });
});
