import { VendingKeysService } from '../../apps/key-service/src/vending-keys/vending-keys.service';
import { forEachDatabase } from '../helpers/databases';
import { startService, type TestService } from '../helpers/key-service-app';
import {
  activate,
  auth,
  type Cast,
  createCast,
  createSupplyGroup,
  desRevision,
  dualControl,
  expectStatus,
  loadAndActivate,
  loadRevision,
} from '../helpers/workflows';

// Each test or hook runs several SoftHSM ceremonies, far over the 5 s default on a busy machine.
jest.setTimeout(120_000);

forEachDatabase('key revisions: scheduled rotation and KRN wrap', (database) => {
  let svc: TestService;
  let cast: Cast;
  let first: string;
  const key = async (id: string) =>
    (await svc.http.get(`/api/v1/vending-keys/${id}`).set(...auth(cast.auditor.key))).body as {
      state: string;
      krn: number;
      activateAt: string;
      supersedeAt: string | null;
    };

  beforeAll(async () => {
    svc = await startService({ database });
    cast = await createCast(svc);
    await createSupplyGroup(svc, cast, '600727');
  });
  afterAll(async () => svc.close());

  it('supersedes the old revision at the scheduled time of a rotation', async () => {
    first = await loadAndActivate(svc, cast, '600727');
    const second = await loadRevision(svc, cast, '600727');
    const effectiveAt = new Date(svc.clock.now().getTime() + 3600_000).toISOString();
    await activate(svc, cast, second, effectiveAt);
    expect(await key(second)).toMatchObject({ state: 'active', krn: 2, activateAt: effectiveAt });
    expect(await key(first)).toMatchObject({ state: 'active', supersedeAt: effectiveAt });

    const lifecycle = svc.app.get(VendingKeysService);
    await expect(lifecycle.applyDueTransitions()).resolves.toBe(0);
    expect((await key(first)).state).toBe('active');
    svc.clock.advance(2 * 3600_000);
    await expect(lifecycle.applyDueTransitions()).resolves.toBe(1);
    expect((await key(first)).state).toBe('superseded');
    expect((await key(second)).state).toBe('active');
  });

  it('keeps at most nine live revisions and wraps the KRN after 9', async () => {
    for (let krn = 3; krn <= 9; krn++) {
      const id = await loadAndActivate(svc, cast, '600727');
      expect((await key(id)).krn).toBe(krn);
    }
    const full = await svc.http
      .post('/api/v1/supply-groups/600727/vending-keys')
      .set(...auth(cast.officerA.key))
      .send(desRevision());
    expect(full.status).toBe(422);
    expect(full.body.code).toBe('KRN_EXHAUSTED');

    await dualControl(svc, cast, first, 'destroy');
    expect((await key(first)).state).toBe('destroyed');
    const wrapped = expectStatus(
      await svc.http
        .post('/api/v1/supply-groups/600727/vending-keys')
        .set(...auth(cast.officerA.key))
        .send(desRevision()),
      201,
    );
    expect(wrapped.body.vendingKey.krn).toBe(1);
  });

  it('refuses a KRN other than the next one', async () => {
    await createSupplyGroup(svc, cast, '600728');
    await loadAndActivate(svc, cast, '600728', undefined, { krn: 4 });
    const res = await svc.http
      .post('/api/v1/supply-groups/600728/vending-keys')
      .set(...auth(cast.officerA.key))
      .send({ ...desRevision(), krn: 7 });
    expect(res.status).toBe(422);
    expect(res.body.code).toBe('KRN_NOT_NEXT');
    expect(res.body.details.next).toBe(5);
  });
});
