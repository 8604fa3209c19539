import { HsmError } from '@sts/hsm';
import { forEachDatabase } from '../helpers/databases';
import { startService, type TestService } from '../helpers/key-service-app';
import { DEV_COMPONENTS, kcvOf, xorHex } from '../helpers/key-material';
import {
  approve,
  auth,
  type Cast,
  createCast,
  createSupplyGroup,
  desRevision,
  dualControl,
  expectStatus,
  findRow,
  itemsOf,
  loadAndActivate,
} from '../helpers/workflows';

forEachDatabase('security officer workflow', (database) => {
  let svc: TestService;
  let cast: Cast;

  beforeAll(async () => {
    svc = await startService({ database });
    cast = await createCast(svc);
  });
  afterAll(async () => svc.close());

  it('creates a supply group and refuses a duplicate or malformed SGC', async () => {
    await createSupplyGroup(svc, cast, '600727');
    const dup = await svc.http
      .post('/api/v1/supply-groups')
      .set(...auth(cast.officerA.key))
      .send({ sgc: '600727', name: 'x' });
    expect(dup.status).toBe(409);
    expect(dup.body.code).toBe('ALREADY_EXISTS');
    const bad = await svc.http
      .post('/api/v1/supply-groups')
      .set(...auth(cast.officerA.key))
      .send({ sgc: '12345', name: 'x' });
    expect(bad.status).toBe(400);
    expect(bad.body.code).toBe('VALIDATION_FAILED');
    expect(bad.body.details.fields[0].field).toBe('sgc');
    const list = await svc.http.get('/api/v1/supply-groups').set(...auth(cast.officerA.key));
    expect(itemsOf<{ sgc: string }>(list).map((g: { sgc: string }) => g.sgc)).toEqual(['600727']);
  });

  it('loads the first revision by ceremony and activates it under dual control', async () => {
    const [c1, c2] = DEV_COMPONENTS.des;
    const start = expectStatus(
      await svc.http
        .post('/api/v1/supply-groups/600727/vending-keys')
        .set(...auth(cast.officerA.key))
        .send(desRevision()),
      201,
    );
    expect(start.body.vendingKey).toMatchObject({ krn: 1, state: 'loading', sgc: '600727' });
    const keyId = start.body.vendingKey.id as string;
    const ceremonyId = start.body.ceremony.id as string;

    // The officer who opened it cannot enter a component (and lacks the role anyway).
    const byOfficer = await svc.http
      .post(`/api/v1/ceremonies/${ceremonyId}/components`)
      .set(...auth(cast.officerA.key))
      .send({ component: c1, kcv: kcvOf('DES', c1) });
    expect(byOfficer.status).toBe(403);

    const first = expectStatus(
      await svc.http
        .post(`/api/v1/ceremonies/${ceremonyId}/components`)
        .set(...auth(cast.custodians[0].key))
        .send({ component: c1, kcv: kcvOf('DES', c1) }),
      200,
    );
    expect(first.body.components).toHaveLength(1);
    const again = await svc.http
      .post(`/api/v1/ceremonies/${ceremonyId}/components`)
      .set(...auth(cast.custodians[0].key))
      .send({ component: c1, kcv: kcvOf('DES', c1) });
    expect(again.body.code).toBe('ALREADY_EXISTS');

    const wrongKcv = await svc.http
      .post(`/api/v1/ceremonies/${ceremonyId}/components`)
      .set(...auth(cast.custodians[1].key))
      .send({ component: c2, kcv: '000000' });
    expect(wrongKcv.status).toBe(422);
    expect(wrongKcv.body.code).toBe('CHECK_VALUE_MISMATCH');

    const done = expectStatus(
      await svc.http
        .post(`/api/v1/ceremonies/${ceremonyId}/components`)
        .set(...auth(cast.custodians[1].key))
        .send({ component: c2, kcv: kcvOf('DES', c2) }),
      200,
    );
    expect(done.body.state).toBe('completed');
    const loaded = await svc.http
      .get(`/api/v1/vending-keys/${keyId}`)
      .set(...auth(cast.officerA.key));
    expect(loaded.body).toMatchObject({
      state: 'pending-approval',
      kcv: kcvOf('DES', xorHex([c1, c2])),
    });

    const req = expectStatus(
      await svc.http
        .post(`/api/v1/vending-keys/${keyId}/activate`)
        .set(...auth(cast.officerA.key))
        .send({}),
      202,
    );
    expect(req.body.action).toBe('key.activate');
    const self = await svc.http
      .post(`/api/v1/approvals/${req.body.id}/approve`)
      .set(...auth(cast.officerA.key))
      .send({ payloadHash: req.body.payloadHash });
    expect(self.status).toBe(403);
    expect(self.body.code).toBe('SELF_APPROVAL');
    const wrongHash = await svc.http
      .post(`/api/v1/approvals/${req.body.id}/approve`)
      .set(...auth(cast.officerB.key))
      .send({ payloadHash: 'f'.repeat(64) });
    expect(wrongHash.status).toBe(409);
    expect(wrongHash.body.code).toBe('PAYLOAD_HASH_MISMATCH');
    const stillLoaded = await svc.http
      .get(`/api/v1/vending-keys/${keyId}`)
      .set(...auth(cast.officerA.key));
    expect(stillLoaded.body.state).toBe('pending-approval');

    const ok = await approve(svc, cast.officerB.key, req.body.id, req.body.payloadHash);
    expect(ok.body.state).toBe('approved');
    const twice = await svc.http
      .post(`/api/v1/approvals/${req.body.id}/approve`)
      .set(...auth(cast.officerB.key))
      .send({ payloadHash: req.body.payloadHash });
    expect(twice.status).toBe(409);
    const active = await svc.http
      .get(`/api/v1/vending-keys/${keyId}`)
      .set(...auth(cast.officerA.key));
    expect(active.body.state).toBe('active');
  });

  it('rotates to the next KRN, one revision at a time, superseding the old key', async () => {
    const keys = await svc.http
      .get('/api/v1/vending-keys?sgc=600727')
      .set(...auth(cast.officerA.key));
    const oldId = keys.body.items[0].id as string;
    const start = expectStatus(
      await svc.http
        .post('/api/v1/supply-groups/600727/vending-keys')
        .set(...auth(cast.officerA.key))
        .send(desRevision(DEV_COMPONENTS.des2)),
      201,
    );
    expect(start.body.vendingKey.krn).toBe(2);
    const second = await svc.http
      .post('/api/v1/supply-groups/600727/vending-keys')
      .set(...auth(cast.officerB.key))
      .send(desRevision(DEV_COMPONENTS.des2));
    expect(second.status).toBe(409);
    expect(second.body.code).toBe('REVISION_IN_PROGRESS');
    const ceremonyId = start.body.ceremony.id as string;
    for (let i = 0; i < 2; i++) {
      expectStatus(
        await svc.http
          .post(`/api/v1/ceremonies/${ceremonyId}/components`)
          .set(...auth(cast.custodians[i].key))
          .send({ component: DEV_COMPONENTS.des2[i], kcv: kcvOf('DES', DEV_COMPONENTS.des2[i]) }),
        200,
      );
    }
    const newId = start.body.vendingKey.id as string;
    const req = expectStatus(
      await svc.http
        .post(`/api/v1/vending-keys/${newId}/activate`)
        .set(...auth(cast.officerA.key))
        .send({}),
      202,
    );
    expect(req.body.action).toBe('key.rotate');
    expect(req.body.payload.params.supersedes.vendingKeyId).toBe(oldId);
    await approve(svc, cast.officerB.key, req.body.id, req.body.payloadHash);
    const after = await svc.http
      .get('/api/v1/vending-keys?sgc=600727')
      .set(...auth(cast.auditor.key));
    const byId = Object.fromEntries(
      itemsOf<{ id: string; state: string }>(after).map((k: { id: string; state: string }) => [
        k.id,
        k.state,
      ]),
    );
    expect(byId).toEqual({ [oldId]: 'superseded', [newId]: 'active' });
  });

  it('suspends, reactivates and destroys under dual control; destroy removes the token object', async () => {
    const keys = await svc.http
      .get('/api/v1/vending-keys?sgc=600727')
      .set(...auth(cast.officerA.key));
    const active = findRow(itemsOf(keys), 'active');
    const superseded = findRow(itemsOf(keys), 'superseded');
    await dualControl(svc, cast, active.id, 'suspend');
    expect(
      (await svc.http.get(`/api/v1/vending-keys/${active.id}`).set(...auth(cast.officerA.key))).body
        .state,
    ).toBe('suspended');
    await dualControl(svc, cast, active.id, 'reactivate');
    const activeDestroy = await svc.http
      .post(`/api/v1/vending-keys/${active.id}/destroy`)
      .set(...auth(cast.officerA.key))
      .send({ reason: 'no' });
    expect(activeDestroy.status).toBe(409);
    expect(activeDestroy.body.code).toBe('INVALID_STATE');

    await expect(svc.custody.describeKey(String(superseded.tokenLabel))).resolves.toMatchObject({
      label: String(superseded.tokenLabel),
    });
    await dualControl(svc, cast, superseded.id, 'destroy');
    const record = await svc.http
      .get(`/api/v1/vending-keys/${superseded.id}`)
      .set(...auth(cast.auditor.key));
    expect(record.body).toMatchObject({ state: 'destroyed', kcv: superseded.kcv });
    await expect(svc.custody.describeKey(String(superseded.tokenLabel))).rejects.toBeInstanceOf(
      HsmError,
    );
  });

  it('refuses STS rule violations with 422 and a code, changing nothing', async () => {
    await createSupplyGroup(svc, cast, '600728');
    const res = await svc.http
      .post('/api/v1/supply-groups/600728/vending-keys')
      .set(...auth(cast.officerA.key))
      .send({ ...desRevision(), allowedEas: ['11'] });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('STS_UNSUPPORTED_COMBINATION');
    const group = await svc.http
      .get('/api/v1/supply-groups/600728')
      .set(...auth(cast.officerA.key));
    expect(group.body.pendingRevisionId).toBeNull();
    const keys = await svc.http
      .get('/api/v1/vending-keys?sgc=600728')
      .set(...auth(cast.officerA.key));
    expect(keys.body.items).toEqual([]);
  });

  it('loads and activates a second group in one helper call', async () => {
    const id = await loadAndActivate(svc, cast, '600728');
    const key = await svc.http.get(`/api/v1/vending-keys/${id}`).set(...auth(cast.officerA.key));
    expect(key.body.state).toBe('active');
  });
});
