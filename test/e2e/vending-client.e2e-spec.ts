import { forEachDatabase } from '../helpers/databases';
import { startService, type TestService } from '../helpers/key-service-app';
import {
  auth,
  type Cast,
  createCast,
  createSupplyGroup,
  expectStatus,
  itemsOf,
  loadAndActivate,
} from '../helpers/workflows';

forEachDatabase('vending client scope', (database) => {
  let svc: TestService;
  let cast: Cast;
  let client: { id: string; key: string };
  let inScopeKey: string;
  let outOfScopeKey: string;

  beforeAll(async () => {
    svc = await startService({ database });
    cast = await createCast(svc);
    await createSupplyGroup(svc, cast, '111111');
    await createSupplyGroup(svc, cast, '222222');
    inScopeKey = await loadAndActivate(svc, cast, '111111');
    outOfScopeKey = await loadAndActivate(svc, cast, '222222');
    client = await svc.principal(['vending-client'], 'vendor-1', ['111111']);
  });
  afterAll(async () => svc.close());

  it('lists only the supply groups and keys in its scope', async () => {
    const groups = expectStatus(
      await svc.http.get('/api/v1/supply-groups').set(...auth(client.key)),
      200,
    );
    expect(itemsOf<{ sgc: string }>(groups).map((g) => g.sgc)).toEqual(['111111']);
    const keys = expectStatus(
      await svc.http.get('/api/v1/vending-keys').set(...auth(client.key)),
      200,
    );
    expect(itemsOf(keys).map((k) => k.id)).toEqual([inScopeKey]);
  });

  it('gets 403 OUT_OF_SCOPE for anything outside its scope', async () => {
    const group = await svc.http.get('/api/v1/supply-groups/222222').set(...auth(client.key));
    expect(group.status).toBe(403);
    expect(group.body.code).toBe('OUT_OF_SCOPE');
    const key = await svc.http
      .get(`/api/v1/vending-keys/${outOfScopeKey}`)
      .set(...auth(client.key));
    expect(key.status).toBe(403);
    expect(key.body.code).toBe('OUT_OF_SCOPE');
    const filtered = await svc.http.get('/api/v1/vending-keys?sgc=222222').set(...auth(client.key));
    expect(filtered.body.code).toBe('OUT_OF_SCOPE');
  });

  it('reads key metadata and check value but never key bytes', async () => {
    const key = expectStatus(
      await svc.http.get(`/api/v1/vending-keys/${inScopeKey}`).set(...auth(client.key)),
      200,
    );
    expect(key.body).toMatchObject({ sgc: '111111', krn: 1, state: 'active' });
    expect(key.body.kcv).toMatch(/^[0-9a-f]{6}$/);
    expect(Object.keys(key.body)).not.toEqual(expect.arrayContaining(['key', 'value', 'keyBytes']));
  });

  it('cannot change anything', async () => {
    const res = await svc.http
      .post('/api/v1/supply-groups')
      .set(...auth(client.key))
      .send({ sgc: '333333', name: 'x' });
    expect(res.status).toBe(403);
    expect(res.body.code).toBe('FORBIDDEN');
  });
});
