import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import fc from 'fast-check';
import type { Response } from 'supertest';
import { DataSource } from 'typeorm';
import { withCheckDigit } from '@sts/core';
import { forEachDatabase } from '../helpers/databases';
import { type DatabaseKind, startService, type TestService } from '../helpers/key-service-app';
import {
  auth,
  type Cast,
  createCast,
  createSupplyGroup,
  expectStatus,
  loadAndActivate,
} from '../helpers/workflows';
import { ALL_ALLOWED, onboardClient } from '../e2e/vending.support';
import {
  contentType,
  csvBody,
  headerValue,
  jsonBody,
  type Operation,
  operationsOf,
  pathValue,
  queryValue,
  sampleOf,
} from './api-requests';

/**
 * Schema-driven fuzzing: for every operation in docs/openapi.json, generated requests (valid
 * bodies edited field by field, wrong types, nulls, arrays, deep nesting, edge numbers, control
 * characters, unicode, oversized values, bad path ids, query values and headers) go to the whole
 * service, as each role the route allows. Every answer must be below 500; a 400 must name a field
 * of the request; a refused request must change no row (its `request.refused` audit event aside).
 *
 * FUZZ_RUNS requests per operation and database (default 25), FUZZ_SEED to replay a failure
 * (fast-check's failure message names the seed of the operation that failed; each operation runs
 * with the base seed plus its index). `npm run fuzz:api -- --runs N [--seed S]` sets them.
 */
const RUNS = Number(process.env.FUZZ_RUNS ?? 25);
const SEED = Number(process.env.FUZZ_SEED ?? Date.now() % 2 ** 31);

const doc = JSON.parse(
  readFileSync(join(__dirname, '..', '..', 'docs', 'openapi.json'), 'utf8'),
) as Parameters<typeof operationsOf>[0];
const OPERATIONS = operationsOf(doc);

const SGC = '600727';
const METER = {
  iin: SGC,
  drn: withCheckDigit('0000000001'),
  sgc: SGC,
  krn: 1,
  tariffIndex: '01',
  ea: '07',
};

/** Headers a 400 may name without the request carrying them (a missing Content-Type, …). */
const HEADERS = ['content-type', 'x-request-id', 'idempotency-key', 'authorization'];

interface Fixture {
  readonly svc: TestService;
  /** An API key for each role. */
  readonly keys: Map<string, string>;
  /** Known values for each path parameter, by path prefix and name. */
  readonly ids: (path: string, name: string) => string[];
  /** Valid bodies where the schema's examples are not enough. */
  readonly bodies: Record<string, unknown>;
  readonly tables: string[];
}

async function setUp(database: DatabaseKind): Promise<Fixture> {
  const svc = await startService({ database, checkpointEvery: 1_000_000 });
  const cast: Cast = await createCast(svc);
  await createSupplyGroup(svc, cast, SGC);
  const keyId = await loadAndActivate(svc, cast, SGC);
  const client = await onboardClient(svc, cast, 'fuzz-client', [SGC], ALL_ALLOWED);
  const otherClient = await onboardClient(svc, cast, 'fuzz-client-2', [SGC], ALL_ALLOWED, false);
  const bystander = await svc.principal(['auditor'], 'fuzz-bystander');
  const approval = expectStatus(
    await svc.http
      .post(`/api/v1/vending-keys/${keyId}/suspend`)
      .set(...auth(cast.officerA.key))
      .send({ reason: 'fuzz' }),
    202,
  );
  const ceremony = expectStatus(
    await svc.http
      .post(`/api/v1/supply-groups/${SGC}/vending-keys`)
      .set(...auth(cast.officerA.key))
      .send({
        keyType: 'VUDK',
        dkga: '04',
        keyLengthBytes: 32,
        allowedEas: ['07'],
        baseDate: 2014,
        ken: 255,
        expectedKcv: '000000',
        loadMethod: 'ceremony',
        componentCount: 2,
      }),
    201,
  );
  const pendingKeyId = ceremony.body.vendingKey.id as string;
  const keys = new Map<string, string>([
    ['admin', svc.adminKey],
    ['security-officer', cast.officerA.key],
    ['custodian', cast.custodians[0].key],
    ['auditor', cast.auditor.key],
    ['vending-client', client.key],
  ]);
  const ids = (path: string, name: string): string[] => {
    if (name === 'sgc') return [SGC, '000001'];
    if (name === 'index') return ['1', '2', '0', '9'];
    if (path.startsWith('/api/v1/principals')) return [bystander.id];
    if (path.startsWith('/api/v1/vending-clients')) return [otherClient.id, client.id];
    if (path.startsWith('/api/v1/approvals')) return [approval.body.id as string];
    if (path.startsWith('/api/v1/ceremonies')) return [ceremony.body.ceremony.id as string];
    if (path.startsWith('/api/v1/vending-keys')) return [keyId, pendingKeyId];
    return ['00000000-0000-4000-8000-000000000001'];
  };
  const bodies: Record<string, unknown> = {
    Approvals_approve: { payloadHash: approval.body.payloadHash as string },
    Vending_derivedKey: { meter: METER },
    Vending_credit: { meter: METER, subclass: 0, amount: '25.6' },
    Vending_management: { meter: METER, subclass: 0, value: 999_999 },
    Vending_test: {
      meter: { iin: METER.iin, drn: METER.drn },
      subclass: 0,
      control: '0x1',
      manufacturerCode: 7,
    },
    Vending_keyChange: { meter: METER, target: { sgc: SGC, krn: 2, tariffIndex: '01' } },
  };
  const ds = svc.app.get(DataSource);
  const tables = ds.entityMetadatas.map((m) => m.tableName).sort();
  return { svc, keys, ids, bodies, tables };
}

/** Row counts of every table; audit events without the `request.refused` ones. */
async function rowCounts(fixture: Fixture): Promise<Record<string, number>> {
  const ds = fixture.svc.app.get(DataSource);
  const columns = fixture.tables.map((t) =>
    t === 'audit_events'
      ? `(SELECT COUNT(*) FROM "${t}" WHERE action <> 'request.refused') AS "${t}"`
      : `(SELECT COUNT(*) FROM "${t}") AS "${t}"`,
  );
  const [row] = await ds.query<Record<string, string | number>[]>(`SELECT ${columns.join(', ')}`);
  return Object.fromEntries(Object.entries(row).map(([k, v]) => [k, Number(v)]));
}

interface FuzzRequest {
  readonly role: string | undefined;
  readonly params: Record<string, string>;
  readonly query: Record<string, string | string[]>;
  readonly headers: Record<string, string | undefined>;
  readonly type: string | undefined;
  readonly body: string | undefined;
}

function requestsFor(op: Operation, fixture: Fixture): fc.Arbitrary<FuzzRequest> {
  const names = (where: string) => op.parameters.filter((p) => p.in === where);
  const params = fc.record(
    Object.fromEntries(names('path').map((p) => [p.name, pathValue(fixture.ids(op.path, p.name))])),
  );
  const query = fc.record(
    Object.fromEntries(
      names('query').map((p) => [
        p.name,
        fc.option(queryValue(sampleOf(p.schema ?? {})), { nil: undefined }),
      ]),
    ),
    { requiredKeys: [] },
  );
  const extraQuery = fc.option(fc.constant({ extra: '1' }), { nil: {}, freq: 9 });
  // Mostly absent or well-formed, so that most requests get past the headers to the route.
  const header = (wellFormed: fc.Arbitrary<string>) =>
    fc.option(fc.oneof(wellFormed, headerValue), { nil: undefined, freq: 4 });
  const headers = fc.record(
    {
      'X-Request-Id': header(fc.constant('fuzz-request-0001')),
      ...(names('header').some((p) => p.name === 'Idempotency-Key')
        ? { 'Idempotency-Key': header(fc.uuid().map(String)) }
        : {}),
    },
    { requiredKeys: [] },
  );
  const wanted = op.body?.type ?? 'application/json';
  const valid = fixture.bodies[op.operationId] ?? (op.body ? sampleOf(op.body.schema) : {});
  const body: fc.Arbitrary<string | undefined> =
    wanted === 'text/csv'
      ? csvBody
      : op.body
        ? jsonBody(valid)
        : fc.oneof(
            { weight: 3, arbitrary: fc.constant(undefined) },
            { weight: 2, arbitrary: jsonBody({}) },
          );
  return fc.record({
    role: fc.constantFrom(...(op.roles.length > 0 ? op.roles : [undefined])),
    params,
    query: fc.tuple(query, extraQuery).map(([q, extra]) => ({ ...q, ...extra })),
    headers,
    type: contentType(wanted),
    body,
  });
}

async function send(op: Operation, fixture: Fixture, r: FuzzRequest): Promise<Response> {
  const url = op.path.replace(/\{(\w+)\}/g, (_m, name: string) => r.params[name]);
  const method = op.method.toLowerCase() as 'get' | 'post' | 'put' | 'patch' | 'delete';
  let req = fixture.svc.http[method](url).query(r.query);
  const key = r.role && r.role !== 'public' ? fixture.keys.get(r.role) : undefined;
  if (key) req = req.set(...auth(key));
  for (const [name, value] of Object.entries(r.headers)) if (value) req = req.set(name, value);
  if (r.body !== undefined && op.method !== 'GET') {
    if (r.type) req = req.set('Content-Type', r.type);
    req = req.send(r.body);
  }
  return req;
}

/**
 * Whether a field a 400 names is in the request: a body key, parameter, query or header. The
 * name is the key itself or a path into it (`meter.drn`, `items[0]`); keys may hold `.` or `[`.
 */
function namesRequestField(field: string, op: Operation, r: FuzzRequest): boolean {
  if (field === 'body') return true;
  const name = field.replace(/^body\./, '');
  const heads = [name, ...[...name.matchAll(/[.[]/g)].map((m) => name.slice(0, m.index))];
  const body = jsonObjectSent(r);
  return heads.some(
    (head) =>
      HEADERS.includes(head.toLowerCase()) ||
      op.parameters.some((p) => p.name === head) ||
      head in r.query ||
      // A field of the schema may be named as missing, but only of a JSON object that was sent.
      (body !== undefined &&
        (Object.hasOwn(body, head) || head in (op.body?.schema.properties ?? {}))),
  );
}

/** The body as the service reads it when it is a JSON object ({} when empty), else undefined. */
function jsonObjectSent(r: FuzzRequest): object | undefined {
  if (r.type !== undefined && !/^application\/json\s*(;|$)/i.test(r.type)) return undefined;
  try {
    const parsed = r.body ? (JSON.parse(r.body) as unknown) : {};
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed)
      ? parsed
      : undefined;
  } catch {
    return undefined;
  }
}

forEachDatabase('API fuzzing', (database) => {
  let fixture: Fixture;
  const statuses = new Map<number, number>();
  beforeAll(async () => {
    fixture = await setUp(database);
  }, 180_000);
  afterAll(async () => {
    const total = [...statuses.values()].reduce((a, b) => a + b, 0);
    const by = [...statuses.entries()].sort(([a], [b]) => a - b).map(([s, n]) => `${s}: ${n}`);
    process.stdout.write(`fuzz ${database}: ${total} requests, seed ${SEED} (${by.join(', ')})\n`);
    await fixture?.svc.close();
  });

  it.each(OPERATIONS.map((op, i) => [`${op.method} ${op.path}`, op, i] as const))(
    '%s: never 5xx, a 400 names a field of the request, a refusal changes nothing',
    async (_name, op, i) => {
      await fc.assert(
        fc.asyncProperty(requestsFor(op, fixture), async (r) => {
          const before = await rowCounts(fixture);
          const res = await send(op, fixture, r);
          statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
          if (op.path === '/api/v1/principals/me/api-key' && res.status === 200 && r.role) {
            fixture.keys.set(r.role, res.body.apiKey as string);
          }
          if (res.status >= 500) throw new Error(`${res.status}: ${JSON.stringify(res.body)}`);
          if (res.status === 400) {
            const fields = (res.body.details?.fields ?? []) as { field: string }[];
            expect(fields.length).toBeGreaterThan(0);
            const strangers = fields.filter((f) => !namesRequestField(f.field, op, r));
            expect(strangers).toEqual([]);
          }
          if (res.status >= 400) expect(await rowCounts(fixture)).toEqual(before);
        }),
        { numRuns: RUNS, seed: SEED + i, endOnFailure: true },
      );
    },
    600_000,
  );
});
