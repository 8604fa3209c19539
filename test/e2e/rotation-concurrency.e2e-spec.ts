import { DataSource } from 'typeorm';
import { forEachDatabase } from '../helpers/databases';
import { startService, type TestService } from '../helpers/key-service-app';
import { DEV_COMPONENTS } from '../helpers/key-material';
import {
  auth,
  type Cast,
  createCast,
  createSupplyGroup,
  desRevision,
  loadAndActivate,
} from '../helpers/workflows';

forEachDatabase('parallel rotation requests', (database) => {
  let svc: TestService;
  let cast: Cast;

  beforeAll(async () => {
    svc = await startService({ database });
    cast = await createCast(svc);
    await createSupplyGroup(svc, cast, '600727');
    await loadAndActivate(svc, cast, '600727');
  });
  afterAll(async () => svc.close());

  it('20 parallel rotation requests for one supply group produce exactly one new revision', async () => {
    const officers = [cast.officerA, cast.officerB];
    const results = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        svc.http
          .post('/api/v1/supply-groups/600727/vending-keys')
          .set(...auth(officers[i % 2].key))
          .send(desRevision(DEV_COMPONENTS.des2)),
      ),
    );
    const statuses = results.map((r) => r.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
    expect(
      results
        .filter((r) => r.status === 409)
        .every((r) => (r.body as { code: string }).code === 'REVISION_IN_PROGRESS'),
    ).toBe(true);
    const winner = results.find((r) => r.status === 201);
    expect(winner?.body.vendingKey.krn).toBe(2);

    const rows = await svc.app
      .get(DataSource)
      .query<{ krn: number }[]>(`SELECT krn FROM vending_keys WHERE sgc = '600727' ORDER BY krn`);
    expect(rows.map((r) => Number(r.krn))).toEqual([1, 2]);
    const ceremonies = await svc.app.get(DataSource).query<unknown[]>(`SELECT id FROM ceremonies`);
    expect(ceremonies).toHaveLength(2);
  });
});
