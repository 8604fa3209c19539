import { forEachDatabase } from '../helpers/databases';
import { startService, type TestService } from '../helpers/key-service-app';
import { DEV_COMPONENTS, kcvOf } from '../helpers/key-material';
import {
  approve,
  auth,
  type Cast,
  createCast,
  createSupplyGroup,
  desRevision,
  expectStatus,
} from '../helpers/workflows';

forEachDatabase('dual control', (database) => {
  let svc: TestService;
  let cast: Cast;
  let officerC: { id: string; key: string };
  let keyId: string;

  const request = async (action: string, who = cast.officerA) =>
    svc.http
      .post(`/api/v1/vending-keys/${keyId}/${action}`)
      .set(...auth(who.key))
      .send({ reason: 'test' });
  const state = async () =>
    (await svc.http.get(`/api/v1/vending-keys/${keyId}`).set(...auth(cast.auditor.key))).body
      .state as string;

  beforeAll(async () => {
    svc = await startService({ database, quorum: 2 });
    cast = await createCast(svc);
    officerC = await svc.principal(['security-officer'], 'officer-c');
    await createSupplyGroup(svc, cast, '600727');
    // Quorum 2: loadAndActivate's single approval is not enough; a third officer completes it.
    const start = expectStatus(
      await svc.http
        .post('/api/v1/supply-groups/600727/vending-keys')
        .set(...auth(cast.officerA.key))
        .send(desRevision()),
      201,
    );
    keyId = start.body.vendingKey.id as string;
    for (let i = 0; i < 2; i++) {
      expectStatus(
        await svc.http
          .post(`/api/v1/ceremonies/${start.body.ceremony.id}/components`)
          .set(...auth(cast.custodians[i].key))
          .send({ component: DEV_COMPONENTS.des[i], kcv: kcvOf('DES', DEV_COMPONENTS.des[i]) }),
        200,
      );
    }
  });
  afterAll(async () => svc.close());

  it('needs the configured quorum of approvers besides the requester', async () => {
    const req = expectStatus(
      await svc.http
        .post(`/api/v1/vending-keys/${keyId}/activate`)
        .set(...auth(cast.officerA.key))
        .send({}),
      202,
    );
    expect(req.body.quorum).toBe(2);
    const first = await approve(svc, cast.officerB.key, req.body.id, req.body.payloadHash);
    expect(first.body.state).toBe('pending');
    expect(await state()).toBe('pending-approval');
    const again = await svc.http
      .post(`/api/v1/approvals/${req.body.id}/approve`)
      .set(...auth(cast.officerB.key))
      .send({ payloadHash: req.body.payloadHash });
    expect(again.body.code).toBe('ALREADY_VOTED');
    const second = await approve(svc, officerC.key, req.body.id, req.body.payloadHash);
    expect(second.body.state).toBe('approved');
    expect(second.body.votes).toHaveLength(2);
    expect(await state()).toBe('active');
  });

  it('allows one pending request per action and key', async () => {
    expectStatus(await request('suspend'), 202);
    const dup = await request('suspend', cast.officerB);
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('APPROVAL_PENDING');
  });

  it('lets only the requester cancel, and a cancelled request cannot be approved', async () => {
    const pending = (
      await svc.http.get('/api/v1/approvals?state=pending').set(...auth(cast.officerA.key))
    ).body.items[0] as { id: string; payloadHash: string };
    const notMine = await svc.http
      .post(`/api/v1/approvals/${pending.id}/cancel`)
      .set(...auth(cast.officerB.key))
      .send({});
    expect(notMine.status).toBe(403);
    expectStatus(
      await svc.http
        .post(`/api/v1/approvals/${pending.id}/cancel`)
        .set(...auth(cast.officerA.key))
        .send({}),
      200,
    );
    const late = await svc.http
      .post(`/api/v1/approvals/${pending.id}/approve`)
      .set(...auth(cast.officerB.key))
      .send({ payloadHash: pending.payloadHash });
    expect(late.status).toBe(409);
    expect(await state()).toBe('active');
  });

  it("rejects on a second officer's decision", async () => {
    const req = expectStatus(await request('suspend'), 202);
    const rejected = expectStatus(
      await svc.http
        .post(`/api/v1/approvals/${req.body.id}/reject`)
        .set(...auth(cast.officerB.key))
        .send({ reason: 'no' }),
      200,
    );
    expect(rejected.body.state).toBe('rejected');
    expect(await state()).toBe('active');
  });

  it('expires requests after their time to live', async () => {
    const req = expectStatus(await request('suspend'), 202);
    svc.clock.advance(2 * 3600 * 1000);
    const res = await svc.http
      .post(`/api/v1/approvals/${req.body.id}/approve`)
      .set(...auth(cast.officerB.key))
      .send({ payloadHash: req.body.payloadHash });
    expect(res.status).toBe(409);
    expect(res.body.code).toBe('APPROVAL_EXPIRED');
    const after = await svc.http
      .get(`/api/v1/approvals/${req.body.id}`)
      .set(...auth(cast.auditor.key));
    expect(after.body.state).toBe('expired');
    expect(await state()).toBe('active');
  });

  it('runs an approved action exactly once under concurrent approvals', async () => {
    const req = expectStatus(await request('suspend'), 202);
    const extra = await Promise.all([1, 2, 3].map(() => svc.principal(['security-officer'])));
    const results = await Promise.all(
      [cast.officerB, officerC, ...extra].map((o) =>
        svc.http
          .post(`/api/v1/approvals/${req.body.id}/approve`)
          .set(...auth(o.key))
          .send({ payloadHash: req.body.payloadHash }),
      ),
    );
    const approvedResponses = results.filter((r) => r.status === 200);
    // Quorum 2: the first two votes are accepted (the second runs the action), the rest find it decided.
    expect(approvedResponses).toHaveLength(2);
    expect(results.every((r) => r.status === 200 || r.status === 409)).toBe(true);
    const events = (
      await svc.http
        .get(`/api/v1/audit/events?action=vending-key.suspend&subjectId=${keyId}`)
        .set(...auth(cast.auditor.key))
    ).body.items as unknown[];
    expect(events).toHaveLength(1);
    expect(await state()).toBe('suspended');
  });
});
