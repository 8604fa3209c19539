import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROLES, type Role } from '../../apps/key-service/src/auth/role';
import { startService, type TestService } from '../helpers/key-service-app';
import { auth } from '../helpers/workflows';
import { ROUTE_ROLES } from './fixtures/route-roles';

interface Operation {
  'x-roles'?: string[];
}

/** Every operation in the committed OpenAPI document (kept equal to the code by the drift test). */
const doc = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8'),
) as {
  paths: Record<string, Record<string, Operation>>;
};
const operations = Object.entries(doc.paths).flatMap(([path, ops]) =>
  Object.entries(ops).map(([method, op]) => ({
    method: method.toUpperCase(),
    path,
    roles: op['x-roles'],
  })),
);

/** A well-formed value for every path parameter, so each call reaches the route it names. */
const SAMPLE_PARAMS: Record<string, string> = {
  id: '00000000-0000-4000-8000-000000000000',
  sgc: '600727',
  index: '1',
  iin: '600727',
  drn: '00000000018',
};
const concrete = (path: string) =>
  path.replace(/\{(\w+)\}/g, (_m, name: string) => {
    const value = SAMPLE_PARAMS[name];
    if (value === undefined) throw new Error(`SAMPLE_PARAMS has no value for {${name}} in ${path}`);
    return value;
  });

describe('authorisation matrix (from docs/openapi.json)', () => {
  let svc: TestService;
  const keys = {} as Record<Role, string>;

  beforeAll(async () => {
    svc = await startService({ database: 'sqlite' });
    keys.admin = svc.adminKey;
    for (const role of ROLES.filter((r) => r !== 'admin')) {
      keys[role] = (
        await svc.principal(
          [role],
          `matrix-${role}`,
          role === 'vending-client' ? ['600727'] : undefined,
        )
      ).key;
    }
  });
  afterAll(async () => svc.close());

  it('documents exactly the declared routes, each with its declared roles', () => {
    const documented = Object.fromEntries(
      operations.map((o) => [
        `${o.method} ${o.path}`,
        o.roles?.[0] === 'public' ? 'public' : o.roles,
      ]),
    );
    expect(operations.every((o) => Array.isArray(o.roles) && o.roles.length > 0)).toBe(true);
    expect(documented).toEqual(ROUTE_ROLES);
  });

  const cases = operations.flatMap((o) => [
    ...ROLES.map((role): typeof o & { caller: Role | 'anonymous' } => ({ ...o, caller: role })),
    { ...o, caller: 'anonymous' as const },
  ]);

  it.each(cases)('$method $path as $caller', async ({ method, path, caller }) => {
    const declared = ROUTE_ROLES[`${method} ${path}`];
    let req = svc.http[method.toLowerCase() as 'get' | 'post' | 'patch' | 'delete'](concrete(path));
    if (caller !== 'anonymous') req = req.set(...auth(keys[caller]));
    if (method !== 'GET') req = req.send({});
    const res = await req;
    // Replacing one's own key retires the key used so far: go on with the new one.
    if (caller !== 'anonymous' && typeof res.body?.apiKey === 'string' && path.includes('/me/')) {
      keys[caller] = res.body.apiKey as string;
    }
    if (declared === 'public') {
      expect([401, 403]).not.toContain(res.status);
    } else if (caller === 'anonymous') {
      expect(res.status).toBe(401);
      expect(res.body.code).toBe('UNAUTHENTICATED');
    } else if (declared.includes(caller)) {
      expect([401, 403]).not.toContain(res.status);
    } else {
      expect(res.status).toBe(403);
      expect(res.body.code).toBe('FORBIDDEN');
    }
  });
});
