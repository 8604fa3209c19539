import { DataSource } from 'typeorm';
import type { AuthenticatedPrincipal } from '../../apps/key-service/src/auth/authenticated-principal';
import {
  CampaignsService,
  UPLOAD_CLAIM_IDLE_MS,
} from '../../apps/key-service/src/campaigns/campaigns.service';
import { DomainError } from '../../apps/key-service/src/common/domain-error';
import { PrincipalsService } from '../../apps/key-service/src/principals/principals.service';
import { forEachDatabase } from '../helpers/databases';
import { startService, type TestService } from '../helpers/key-service-app';
import { DEV_COMPONENTS } from '../helpers/key-material';
import { auth, type Cast, createCast, createSupplyGroup, expectStatus } from '../helpers/workflows';
import { csvOf, meterIds, parseResults, results, revision, waitForState } from './campaign-support';

jest.setTimeout(600_000);

/** A meter list streamed in two parts: the second waits until `release()`. */
class PausedList implements AsyncIterable<string> {
  readonly firstSent: Promise<void>;
  private sent!: () => void;
  private open!: () => void;
  private readonly opened = new Promise<void>((r) => (this.open = r));

  constructor(
    private readonly first: string,
    private readonly rest: string,
  ) {
    this.firstSent = new Promise((r) => (this.sent = r));
  }

  release(): void {
    this.open();
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<string> {
    yield this.first;
    this.sent();
    await this.opened;
    yield this.rest;
  }
}

/**
 * The meter list an officer reviews is the list that runs: uploads of one campaign are
 * serialised, and approval and start hash the stored list again and refuse a changed one.
 */
forEachDatabase('Campaign meter list integrity', (database) => {
  let svc: TestService;
  let cast: Cast;
  let officerA: AuthenticatedPrincipal;
  let campaigns: CampaignsService;
  const SGC = '345678';
  const plan = {
    from: { sgc: SGC, krn: 1, tariffIndex: '01', baseDate: 1993 },
    to: { sgc: SGC, krn: 2, tariffIndex: '01', baseDate: 1993 },
    ea: '07',
    chunkSize: 10,
  };

  beforeAll(async () => {
    svc = await startService({ database, token: 'memory' });
    cast = await createCast(svc);
    await createSupplyGroup(svc, cast, SGC);
    await revision(svc, cast, SGC, 'des');
    await revision(svc, cast, SGC, 'des', 1993, DEV_COMPONENTS.des.slice(1, 3));
    const signedIn = await svc.app.get(PrincipalsService).authenticate(cast.officerA.key);
    if (!signedIn.ok) throw new Error(`officer A does not authenticate: ${signedIn.reason}`);
    officerA = signedIn.principal;
    campaigns = svc.app.get(CampaignsService);
  });

  afterAll(async () => {
    await svc?.close();
  });

  const planCampaign = async (): Promise<string> =>
    expectStatus(
      await svc.http
        .post('/api/v1/campaigns')
        .set(...auth(cast.officerA.key))
        .send(plan),
      201,
    ).body.id as string;

  const upload = (id: string, csv: string) =>
    svc.http
      .put(`/api/v1/campaigns/${id}/meters`)
      .set(...auth(cast.officerA.key))
      .set('Content-Type', 'text/csv')
      .send(csv);

  const approve = (approval: { id: string; payloadHash: string }) =>
    svc.http
      .post(`/api/v1/approvals/${approval.id}/approve`)
      .set(...auth(cast.officerB.key))
      .send({ payloadHash: approval.payloadHash });

  const start = (id: string) =>
    svc.http.post(`/api/v1/campaigns/${id}/start`).set(...auth(cast.officerA.key));

  const get = async (id: string) =>
    expectStatus(await svc.http.get(`/api/v1/campaigns/${id}`).set(...auth(cast.auditor.key)), 200)
      .body as { state: string; meters: { sha256: string; total: number } };

  /** The DRNs a finished campaign issued key-change tokens for, in row order. */
  const issuedDrns = async (id: string): Promise<string[]> =>
    parseResults(await results(svc, cast.officerA.key, id))
      .filter((r) => r.status === 'issued')
      .map((r) => r.drn);

  it('lets exactly one of several concurrent uploads through; the stored list is the winner’s', async () => {
    const id = await planCampaign();
    const lists = [0, 1, 2, 3].map((n) => meterIds(40, 1000 * (n + 1)));
    const answers = await Promise.all(lists.map((meters) => upload(id, csvOf(meters))));
    const statuses = answers.map((a) => a.status).sort();
    expect(statuses).toEqual([200, 409, 409, 409]);
    for (const refused of answers.filter((a) => a.status === 409)) {
      expect(refused.body.code).toBe('INVALID_STATE');
    }
    const winner = answers.findIndex((a) => a.status === 200);
    const approval = answers[winner].body.approval as { id: string; payloadHash: string };
    expectStatus(await approve(approval), 200);
    expectStatus(await start(id), 200);
    await waitForState(svc, cast.auditor.key, id, ['completed']);
    expect(await issuedDrns(id)).toEqual(lists[winner].map((m) => m.drn));
  });

  it('refuses a second upload while the first is streaming, and keeps the first list', async () => {
    const id = await planCampaign();
    const first = meterIds(30, 5000);
    const csv = csvOf(first);
    const cut = csv.indexOf('\n', csv.length / 2) + 1;
    const paused = new PausedList(csv.slice(0, cut), csv.slice(cut));
    const running = campaigns.uploadMeters(officerA, id, paused);
    await paused.firstSent;
    const second = await upload(id, csvOf(meterIds(30, 6000)));
    expect([second.status, second.body.code]).toEqual([409, 'INVALID_STATE']);
    paused.release();
    const done = await running;
    expect(done.campaign.meters).toMatchObject({ uploaded: true, total: 30 });
    expect((await get(id)).meters.sha256).toBe(done.campaign.meters.sha256);
  });

  it('hands the campaign to a new upload when the claiming one stalled; the stalled one is refused', async () => {
    const id = await planCampaign();
    const stalled = csvOf(meterIds(30, 7000));
    const cut = stalled.indexOf('\n', stalled.length / 2) + 1;
    const paused = new PausedList(stalled.slice(0, cut), stalled.slice(cut));
    const running = campaigns.uploadMeters(officerA, id, paused);
    await paused.firstSent;
    svc.clock.advance(UPLOAD_CLAIM_IDLE_MS + 1000);
    const replacement = meterIds(25, 8000);
    const taken = expectStatus(await upload(id, csvOf(replacement)), 200);
    paused.release();
    const refused = await running.then(
      () => undefined,
      (error: unknown) => error,
    );
    expect(refused).toBeInstanceOf(DomainError);
    expect((refused as DomainError).code).toBe('INVALID_STATE');
    expect(await get(id)).toMatchObject({
      state: 'planned',
      meters: { total: 25, sha256: taken.body.campaign.meters.sha256 as string },
    });
    const approval = taken.body.approval as { id: string; payloadHash: string };
    expectStatus(await approve(approval), 200);
    expectStatus(await start(id), 200);
    await waitForState(svc, cast.auditor.key, id, ['completed']);
    expect(await issuedDrns(id)).toEqual(replacement.map((m) => m.drn));
  });

  it('refuses uploads that race the approval; the approved list is the one that runs', async () => {
    const id = await planCampaign();
    const reviewed = meterIds(30, 9000);
    const first = expectStatus(await upload(id, csvOf(reviewed)), 200);
    const approval = first.body.approval as { id: string; payloadHash: string };
    const [approved, ...swaps] = await Promise.all([
      approve(approval),
      ...[1, 2, 3].map((n) => upload(id, csvOf(meterIds(30, 10_000 * n)))),
    ]);
    expectStatus(approved, 200);
    for (const swap of swaps) expect([swap.status, swap.body.code]).toEqual([409, 'INVALID_STATE']);
    expectStatus(await start(id), 200);
    await waitForState(svc, cast.auditor.key, id, ['completed']);
    expect(await issuedDrns(id)).toEqual(reviewed.map((m) => m.drn));
  });

  it('refuses to approve a list changed in the database after the upload', async () => {
    const id = await planCampaign();
    const meters = meterIds(20, 20_000);
    const uploaded = expectStatus(await upload(id, csvOf(meters)), 200);
    const stranger = meterIds(1, 21_000)[0].drn;
    await svc.app
      .get(DataSource)
      .query(
        `UPDATE campaign_chunks SET input = replace(input, '${meters[3].drn}', '${stranger}') WHERE campaign_id = '${id}'`,
      );
    const approval = uploaded.body.approval as { id: string; payloadHash: string };
    const refused = await approve(approval);
    expect([refused.status, refused.body.code]).toEqual([409, 'PAYLOAD_HASH_MISMATCH']);
    const pending = expectStatus(
      await svc.http.get(`/api/v1/approvals/${approval.id}`).set(...auth(cast.auditor.key)),
      200,
    );
    expect(pending.body.state).toBe('pending');
    expect((await get(id)).state).toBe('planned');
  });

  it('refuses to start an approved campaign whose stored list was changed, or lost a chunk', async () => {
    for (const tamper of [
      (id: string, drn: string, stranger: string) =>
        `UPDATE campaign_chunks SET input = replace(input, '${drn}', '${stranger}') WHERE campaign_id = '${id}'`,
      (id: string) => `DELETE FROM campaign_chunks WHERE campaign_id = '${id}' AND chunk_no = 1`,
    ]) {
      const id = await planCampaign();
      const meters = meterIds(20, 30_000);
      const uploaded = expectStatus(await upload(id, csvOf(meters)), 200);
      expectStatus(
        await approve(uploaded.body.approval as { id: string; payloadHash: string }),
        200,
      );
      await svc.app.get(DataSource).query(tamper(id, meters[12].drn, meterIds(1, 31_000)[0].drn));
      const refused = await start(id);
      expect([refused.status, refused.body.code]).toEqual([409, 'PAYLOAD_HASH_MISMATCH']);
      expect((await get(id)).state).toBe('approved');
    }
  });
});
