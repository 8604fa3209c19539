import { forEachDatabase } from '../helpers/databases';
import { startService, type TestService } from '../helpers/key-service-app';
import {
  auth,
  type Cast,
  createCast,
  createSupplyGroup,
  desRevision,
  expectStatus,
} from '../helpers/workflows';

jest.setTimeout(300_000);

interface Page {
  items: Record<string, unknown>[];
  next: string | null;
}

/** Every list route, with a principal allowed to call it. */
const LIST_ROUTES: readonly [string, 'officer' | 'auditor'][] = [
  ['/api/v1/principals', 'auditor'],
  ['/api/v1/approvals', 'auditor'],
  ['/api/v1/supply-groups', 'officer'],
  ['/api/v1/vending-keys', 'officer'],
  ['/api/v1/ceremonies', 'officer'],
  ['/api/v1/keks', 'officer'],
  ['/api/v1/campaigns', 'officer'],
  ['/api/v1/vending-clients', 'officer'],
  ['/api/v1/vending/issuances?requestId=no-such-request', 'auditor'],
];

/**
 * List routes answer pages: `limit` (1-500, default 100) and an opaque `cursor` in, `items` and
 * `next` out; following `next` to the end gives every row once, in the list's order.
 */
forEachDatabase('Paged lists', (database) => {
  let svc: TestService;
  let cast: Cast;
  const SGCS = ['400001', '400002', '400003', '400004', '400005'];

  beforeAll(async () => {
    svc = await startService({ database, token: 'memory' });
    cast = await createCast(svc);
    for (const sgc of [...SGCS].reverse()) await createSupplyGroup(svc, cast, sgc);
    for (const sgc of SGCS.slice(0, 3)) {
      expectStatus(
        await svc.http
          .post(`/api/v1/supply-groups/${sgc}/vending-keys`)
          .set(...auth(cast.officerA.key))
          .send(desRevision()),
        201,
      );
    }
  });

  afterAll(async () => {
    await svc?.close();
  });

  const keyOf = (who: 'officer' | 'auditor'): string =>
    who === 'officer' ? cast.officerA.key : cast.auditor.key;

  const get = async (path: string, query: Record<string, string | number>, status = 200) => {
    const res = await svc.http
      .get(path)
      .query(query)
      .set(...auth(cast.officerA.key));
    return expectStatus(res, status).body as Page & { code?: string; details?: unknown };
  };

  /** Follows `next` from the page at `from` (the first page: null) to the last. */
  const walk = async (path: string, limit: number, from: string | null = null): Promise<Page[]> => {
    const pages: Page[] = [];
    let cursor = from;
    do {
      const page = await get(path, cursor === null ? { limit } : { limit, cursor });
      pages.push(page);
      cursor = page.next;
    } while (cursor !== null && pages.length < 100);
    return pages;
  };

  it('walks supply groups two at a time in SGC order, each once, ending with next null', async () => {
    const all = await get('/api/v1/supply-groups', {});
    expect(all.items.map((g) => g.sgc)).toEqual(SGCS);
    expect(all.next).toBeNull();
    const pages = await walk('/api/v1/supply-groups', 2);
    expect(pages.map((p) => p.items.length)).toEqual([2, 2, 1]);
    expect(pages.flatMap((p) => p.items)).toEqual(all.items);
    expect(pages.at(-1)?.next).toBeNull();
  });

  it('pages on keys of several columns and newest first', async () => {
    for (const path of ['/api/v1/vending-keys', '/api/v1/ceremonies']) {
      const all = await get(path, {});
      expect(all.items).toHaveLength(3);
      const pages = await walk(path, 2);
      expect(pages.map((p) => p.items.length)).toEqual([2, 1]);
      expect(pages.flatMap((p) => p.items)).toEqual(all.items);
    }
    const ceremonies = (await get('/api/v1/ceremonies', {})).items.map(
      (c) => c.createdAt as string,
    );
    expect(ceremonies).toEqual([...ceremonies].sort().reverse());
  });

  it('walks principals by name and approvals newest first', async () => {
    const principals = expectStatus(
      await svc.http.get('/api/v1/principals').set(...auth(cast.auditor.key)),
      200,
    ).body as Page;
    const names = principals.items.map((p) => p.name as string);
    expect(names).toEqual([...names].sort());
    expect(names.length).toBeGreaterThanOrEqual(8); // two admins and the cast
    const pagesOf = async (path: string) => {
      const pages: Page[] = [];
      let cursor: string | null = null;
      do {
        const res = expectStatus(
          await svc.http
            .get(path)
            .query(cursor === null ? { limit: 3 } : { limit: 3, cursor })
            .set(...auth(cast.auditor.key)),
          200,
        );
        pages.push(res.body as Page);
        cursor = (res.body as Page).next;
      } while (cursor !== null);
      return pages.flatMap((p) => p.items);
    };
    expect(await pagesOf('/api/v1/principals')).toEqual(principals.items);
    const approvals = expectStatus(
      await svc.http.get('/api/v1/approvals').set(...auth(cast.auditor.key)),
      200,
    ).body as Page;
    expect(approvals.items.length).toBeGreaterThanOrEqual(5); // the officers' and custodians' grants
    const created = approvals.items.map((a) => a.createdAt as string);
    expect(created).toEqual([...created].sort().reverse());
    expect(await pagesOf('/api/v1/approvals')).toEqual(approvals.items);
  });

  it('neither repeats nor skips a row added while a client pages', async () => {
    const first = await get('/api/v1/supply-groups', { limit: 2 });
    await createSupplyGroup(svc, cast, '400000'); // sorts before the page already read
    await createSupplyGroup(svc, cast, '400009'); // sorts after every page
    const rest = await walk('/api/v1/supply-groups', 2, first.next);
    const seen = [...first.items, ...rest.flatMap((p) => p.items)].map((g) => g.sgc);
    expect(seen).toEqual([...SGCS, '400009']);
  });

  it('answers items and next on every list route', async () => {
    for (const [path, who] of LIST_ROUTES) {
      const res = expectStatus(
        await svc.http
          .get(path)
          .query({ limit: 1 })
          .set(...auth(keyOf(who))),
        200,
      );
      expect(Object.keys(res.body as object).sort()).toEqual(['items', 'next']);
      expect((res.body as Page).items.length).toBeLessThanOrEqual(1);
    }
  });

  it('refuses a limit outside 1-500 or not a whole number with 400 naming limit', async () => {
    for (const [path, who] of LIST_ROUTES) {
      for (const limit of ['0', '501', 'ten', '2.5']) {
        const res = await svc.http
          .get(path)
          .query({ limit })
          .set(...auth(keyOf(who)));
        expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
        const fields = (res.body.details.fields as { field: string }[]).map((f) => f.field);
        expect(new Set(fields)).toEqual(new Set(['limit']));
      }
    }
  });

  it('refuses a cursor it did not make, or one made for another list, with 400 naming cursor', async () => {
    const groups = await get('/api/v1/supply-groups', { limit: 1 });
    const forged = Buffer.from('{"sgc":"400001"}').toString('base64url');
    for (const [path, cursor] of [
      ['/api/v1/supply-groups', 'not a cursor!'],
      ['/api/v1/supply-groups', forged],
      ['/api/v1/supply-groups', 'A'.repeat(2000)],
      ['/api/v1/vending-keys', groups.next!],
    ] as const) {
      const res = await svc.http
        .get(path)
        .query({ cursor })
        .set(...auth(cast.officerA.key));
      expect([res.status, res.body.code]).toEqual([400, 'VALIDATION_FAILED']);
      expect(res.body.details.fields).toEqual([expect.objectContaining({ field: 'cursor' })]);
    }
  });
});
