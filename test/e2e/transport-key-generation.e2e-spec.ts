import { aesKeyUnwrapPad } from '@sts/hsm';
import { forEachDatabase } from '../helpers/databases';
import { kcvOf } from '../helpers/key-material';
import { startService, type TestService } from '../helpers/key-service-app';
import { auth, type Cast, createCast, expectStatus } from '../helpers/workflows';
import {
  ALL_ALLOWED,
  type LoadedKey,
  type MeterParams,
  decoderKeyOf,
  drn,
  loadKey,
  onboardClient,
} from './vending.support';

/**
 * Issue 5, client onboarding: a transport key generated in the token and handed to the client's
 * custodians as components with check values, one each, once.
 */
forEachDatabase('transport keys generated as components', (database) => {
  let svc: TestService;
  let cast: Cast;
  let client: { id: string; key: string };
  let k1: LoadedKey;
  const meter: MeterParams = {
    iin: '600727',
    drn: drn('0000000001'),
    sgc: '123456',
    krn: 1,
    tariffIndex: '01',
    ea: '07',
  };
  const released: string[] = [];

  const generate = (body: object) =>
    svc.http
      .post(`/api/v1/vending-clients/${client.id}/transport-keys`)
      .set(...auth(cast.officerA.key))
      .send(body);
  const release = (ceremony: string, index: number, key: string) =>
    svc.http
      .post(`/api/v1/ceremonies/${ceremony}/components/${index}/release`)
      .set(...auth(key))
      .send();
  const derive = () =>
    svc.http
      .post('/api/v1/vending/derived-keys')
      .set(...auth(client.key))
      .send({ meter: { ...meter, keyType: 2, baseDate: 2014 } });

  beforeAll(async () => {
    svc = await startService({ database });
    cast = await createCast(svc);
    expectStatus(
      await svc.http
        .post('/api/v1/supply-groups')
        .set(...auth(cast.officerA.key))
        .send({ sgc: '123456', name: 'Group', cluster: 'c1' }),
      201,
    );
    k1 = await loadKey(svc, cast, { sgc: '123456' });
    client = await onboardClient(svc, cast, 'vendor-gen', ['123456'], ALL_ALLOWED, false);
  }, 180_000);
  afterAll(async () => svc.close());

  it('generates the key in the token; each named custodian collects one component, once', async () => {
    const [c1, c2, c3] = cast.custodians;
    const created = expectStatus(
      await generate({
        method: 'generate',
        lengthBytes: 16,
        componentCount: 2,
        custodianIds: [c1.id, c2.id],
      }),
      201,
    );
    const ceremony = created.body.ceremony.id as string;
    expect(created.body.ceremony).toMatchObject({
      state: 'releasing',
      componentCount: 2,
      custodians: [c1.id, c2.id],
    });
    expect(created.body.transportKey).toMatchObject({ state: 'loading' });
    const kcv = created.body.ceremony.expectedKcv as string;
    expect(kcv).toMatch(/^[0-9a-f]{6}$/);

    expect((await derive()).body.code).toBe('TRANSPORT_KEY_MISSING'); // not active until handed out
    expect(expectStatus(await release(ceremony, 2, c1.key), 403).body.code).toBe('FORBIDDEN');
    expect(expectStatus(await release(ceremony, 1, c3.key), 403).body.code).toBe('FORBIDDEN');
    expect(expectStatus(await release(ceremony, 1, cast.officerA.key), 403).body.code).toBe(
      'FORBIDDEN',
    );
    expect(expectStatus(await release(ceremony, 3, c1.key), 400).body.code).toBe(
      'VALIDATION_FAILED',
    );

    const first = expectStatus(await release(ceremony, 1, c1.key), 200);
    expect(first.headers['cache-control']).toBe('no-store');
    expect(first.body).toMatchObject({
      index: 1,
      kcv: kcvOf('AES', first.body.component as string),
    });
    expect(first.body.component).toMatch(/^[0-9a-f]{32}$/);
    released.push(first.body.component as string);
    expect(expectStatus(await release(ceremony, 1, c1.key), 409).body.code).toBe('ALREADY_EXISTS');

    const seen = expectStatus(
      await svc.http.get(`/api/v1/ceremonies/${ceremony}`).set(...auth(cast.auditor.key)),
      200,
    );
    expect(seen.body.components).toEqual([
      expect.objectContaining({ index: 1, custodianId: c1.id, kcv: first.body.kcv }),
    ]);
    expect(JSON.stringify(seen.body)).not.toContain(released[0]);

    const second = expectStatus(await release(ceremony, 2, c2.key), 200);
    released.push(second.body.component as string);
    const combined = Buffer.from(released[0], 'hex').map(
      (b, i) => b ^ Buffer.from(released[1], 'hex')[i],
    );
    expect(kcvOf('AES', Buffer.from(combined).toString('hex'))).toBe(kcv);
    const done = expectStatus(
      await svc.http.get(`/api/v1/ceremonies/${ceremony}`).set(...auth(cast.auditor.key)),
      200,
    );
    expect(done.body.state).toBe('completed');
    const profile = expectStatus(
      await svc.http.get(`/api/v1/vending-clients/${client.id}`).set(...auth(client.key)),
      200,
    );
    expect(JSON.stringify(profile.body)).toContain(kcv);

    const wrapped = expectStatus(await derive(), 200);
    const dk = aesKeyUnwrapPad(combined, Buffer.from(wrapped.body.wrappedKey as string, 'hex'));
    expect(Buffer.from(dk).toString('hex')).toBe(
      Buffer.from(decoderKeyOf(k1, meter)).toString('hex'),
    );
  });

  it('names one custodian per component, and refuses a bad request without recording it', async () => {
    const before = expectStatus(
      await svc.http.get('/api/v1/ceremonies').set(...auth(cast.auditor.key)),
      200,
    ).body.items.length as number;
    const none = expectStatus(
      await generate({ method: 'generate', lengthBytes: 16, componentCount: 2 }),
      400,
    );
    expect(JSON.stringify(none.body.details)).toContain('custodianIds');
    const short = expectStatus(
      await generate({
        method: 'generate',
        lengthBytes: 16,
        componentCount: 3,
        custodianIds: [cast.custodians[0].id, cast.custodians[1].id],
      }),
      400,
    );
    expect(JSON.stringify(short.body.details)).toContain('custodianIds');
    expect(
      expectStatus(await generate({ method: 'mint', lengthBytes: 16, componentCount: 2 }), 400).body
        .code,
    ).toBe('VALIDATION_FAILED');
    const after = expectStatus(
      await svc.http.get('/api/v1/ceremonies').set(...auth(cast.auditor.key)),
      200,
    ).body.items.length as number;
    expect(after).toBe(before);
  });

  it('an aborted hand-out destroys the generated key; the active transport key stays in use', async () => {
    const [c1, c2] = cast.custodians;
    const created = expectStatus(
      await generate({
        method: 'generate',
        lengthBytes: 32,
        componentCount: 2,
        custodianIds: [c1.id, c2.id],
      }),
      201,
    );
    const ceremony = created.body.ceremony.id as string;
    expectStatus(await release(ceremony, 1, c1.key), 200);
    const aborted = expectStatus(
      await svc.http
        .post(`/api/v1/ceremonies/${ceremony}/abort`)
        .set(...auth(cast.officerA.key))
        .send(),
      200,
    );
    expect(aborted.body.state).toBe('aborted');
    expect(expectStatus(await release(ceremony, 2, c2.key), 409).body.code).toBe('INVALID_STATE');
    const wrapped = expectStatus(await derive(), 200);
    const combined = Buffer.from(released[0], 'hex').map(
      (b, i) => b ^ Buffer.from(released[1], 'hex')[i],
    );
    expect(
      aesKeyUnwrapPad(combined, Buffer.from(wrapped.body.wrappedKey as string, 'hex')),
    ).toHaveLength(8);
  });

  it('never writes a released component to the audit trail or the logs', async () => {
    const exported = expectStatus(
      await svc.http.get('/api/v1/audit/export').set(...auth(cast.auditor.key)),
      200,
    );
    const logs = svc.logs.join('\n');
    for (const component of released) {
      expect(exported.text).not.toContain(component);
      expect(logs).not.toContain(component);
    }
    expect(exported.text).toContain('ceremony.component.release');
  });
});
