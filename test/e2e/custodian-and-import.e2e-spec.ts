import { aesKeyWrapPad } from '@sts/hsm';
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
  expectStatus,
} from '../helpers/workflows';

forEachDatabase('custodians, KEK ceremony and wrapped import', (database) => {
  let svc: TestService;
  let cast: Cast;
  let kekId: string;
  const kekHex = xorHex(DEV_COMPONENTS.aes);

  const submit = (
    ceremonyId: string,
    who: { key: string },
    component: string,
    algorithm: 'DES' | 'AES' | 'HMAC',
  ) =>
    svc.http
      .post(`/api/v1/ceremonies/${ceremonyId}/components`)
      .set(...auth(who.key))
      .send({ component, kcv: kcvOf(algorithm, component) });

  beforeAll(async () => {
    svc = await startService({ database });
    cast = await createCast(svc);
    await createSupplyGroup(svc, cast, '600727');
  });
  afterAll(async () => svc.close());

  it('loads a KEK with named custodians; others are refused', async () => {
    const [c1, c2] = cast.custodians;
    const created = expectStatus(
      await svc.http
        .post('/api/v1/keks')
        .set(...auth(cast.officerA.key))
        .send({
          name: 'kmc-transfer',
          lengthBytes: 16,
          expectedKcv: kcvOf('AES', kekHex),
          componentCount: 2,
          custodianIds: [c1.id, c2.id],
        }),
      201,
    );
    kekId = created.body.kek.id as string;
    const ceremonyId = created.body.ceremony.id as string;
    const outsider = await submit(ceremonyId, cast.custodians[2], DEV_COMPONENTS.aes[0], 'AES');
    expect(outsider.status).toBe(403);
    const shortComponent = await svc.http
      .post(`/api/v1/ceremonies/${ceremonyId}/components`)
      .set(...auth(c1.key))
      .send({ component: '00112233445566778899', kcv: '000000' });
    expect(shortComponent.status).toBe(400);
    expect(shortComponent.body.details.fields[0].field).toBe('component');
    expectStatus(await submit(ceremonyId, c1, DEV_COMPONENTS.aes[0], 'AES'), 200);
    const done = expectStatus(await submit(ceremonyId, c2, DEV_COMPONENTS.aes[1], 'AES'), 200);
    expect(done.body.state).toBe('completed');
    const kek = expectStatus(
      await svc.http.get(`/api/v1/keks/${kekId}`).set(...auth(cast.auditor.key)),
      200,
    );
    expect(kek.body).toMatchObject({ state: 'active', kcv: kcvOf('AES', kekHex) });
  });

  it('fails the ceremony when the combined key misses its check value, releasing the revision slot', async () => {
    const start = expectStatus(
      await svc.http
        .post('/api/v1/supply-groups/600727/vending-keys')
        .set(...auth(cast.officerA.key))
        .send({ ...desRevision(), expectedKcv: '123456' }),
      201,
    );
    const ceremonyId = start.body.ceremony.id as string;
    expectStatus(await submit(ceremonyId, cast.custodians[0], DEV_COMPONENTS.des[0], 'DES'), 200);
    const last = await submit(ceremonyId, cast.custodians[1], DEV_COMPONENTS.des[1], 'DES');
    expect(last.status).toBe(422);
    expect(last.body.code).toBe('CHECK_VALUE_MISMATCH');
    const ceremony = await svc.http
      .get(`/api/v1/ceremonies/${ceremonyId}`)
      .set(...auth(cast.auditor.key));
    expect(ceremony.body.state).toBe('failed');
    const key = await svc.http
      .get(`/api/v1/vending-keys/${start.body.vendingKey.id}`)
      .set(...auth(cast.auditor.key));
    expect(key.body.state).toBe('failed');
    const group = await svc.http.get('/api/v1/supply-groups/600727').set(...auth(cast.auditor.key));
    expect(group.body.pendingRevisionId).toBeNull();
  });

  it('aborts an open ceremony', async () => {
    const start = expectStatus(
      await svc.http
        .post('/api/v1/supply-groups/600727/vending-keys')
        .set(...auth(cast.officerA.key))
        .send(desRevision()),
      201,
    );
    expectStatus(
      await submit(start.body.ceremony.id, cast.custodians[0], DEV_COMPONENTS.des[0], 'DES'),
      200,
    );
    const aborted = expectStatus(
      await svc.http
        .post(`/api/v1/ceremonies/${start.body.ceremony.id}/abort`)
        .set(...auth(cast.officerB.key)),
      200,
    );
    expect(aborted.body.state).toBe('aborted');
    const late = await submit(
      start.body.ceremony.id,
      cast.custodians[1],
      DEV_COMPONENTS.des[1],
      'DES',
    );
    expect(late.status).toBe(409);
  });

  it('imports a wrapped DKGA04 key under the KEK after approval, then activates it', async () => {
    const vk = xorHex(DEV_COMPONENTS.hmac);
    const wrapped = Buffer.from(
      aesKeyWrapPad(Buffer.from(kekHex, 'hex'), Buffer.from(vk, 'hex')),
    ).toString('hex');
    const start = expectStatus(
      await svc.http
        .post('/api/v1/supply-groups/600727/vending-keys')
        .set(...auth(cast.officerA.key))
        .send({
          keyType: 'VUDK',
          dkga: '04',
          keyLengthBytes: 32,
          allowedEas: ['07', '11'],
          baseDate: 2014,
          ken: 255,
          expectedKcv: kcvOf('HMAC', vk),
          loadMethod: 'wrapped-import',
          kekId,
          wrappedKey: wrapped,
        }),
      201,
    );
    expect(start.body.approval.action).toBe('key.import');
    expect(JSON.stringify(start.body)).not.toContain(wrapped);
    const keyId = start.body.vendingKey.id as string;
    await approve(svc, cast.officerB.key, start.body.approval.id, start.body.approval.payloadHash);
    const loaded = await svc.http
      .get(`/api/v1/vending-keys/${keyId}`)
      .set(...auth(cast.auditor.key));
    expect(loaded.body).toMatchObject({
      state: 'pending-approval',
      kcv: kcvOf('HMAC', vk),
      loadMethod: 'wrapped-import',
    });
    const act = expectStatus(
      await svc.http
        .post(`/api/v1/vending-keys/${keyId}/activate`)
        .set(...auth(cast.officerA.key))
        .send({}),
      202,
    );
    await approve(svc, cast.officerB.key, act.body.id, act.body.payloadHash);
    const active = await svc.http
      .get(`/api/v1/vending-keys/${keyId}`)
      .set(...auth(cast.auditor.key));
    expect(active.body.state).toBe('active');
  });

  it('records a tampered wrapped key as a failed approval and frees the revision', async () => {
    const vk = xorHex(DEV_COMPONENTS.des2);
    const blob = Buffer.from(aesKeyWrapPad(Buffer.from(kekHex, 'hex'), Buffer.from(vk, 'hex')));
    blob[3] ^= 0xff;
    const start = expectStatus(
      await svc.http
        .post('/api/v1/supply-groups/600727/vending-keys')
        .set(...auth(cast.officerA.key))
        .send({
          ...desRevision(DEV_COMPONENTS.des2),
          loadMethod: 'wrapped-import',
          componentCount: undefined,
          kekId,
          wrappedKey: blob.toString('hex'),
        }),
      201,
    );
    const res = await svc.http
      .post(`/api/v1/approvals/${start.body.approval.id}/approve`)
      .set(...auth(cast.officerB.key))
      .send({ payloadHash: start.body.approval.payloadHash });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('KEY_REFUSED');
    const approval = await svc.http
      .get(`/api/v1/approvals/${start.body.approval.id}`)
      .set(...auth(cast.auditor.key));
    expect(approval.body).toMatchObject({ state: 'failed', failureCode: 'KEY_REFUSED' });
    const key = await svc.http
      .get(`/api/v1/vending-keys/${start.body.vendingKey.id}`)
      .set(...auth(cast.auditor.key));
    expect(key.body.state).toBe('failed');
    const group = await svc.http.get('/api/v1/supply-groups/600727').set(...auth(cast.auditor.key));
    expect(group.body.pendingRevisionId).toBeNull();
  });
});
