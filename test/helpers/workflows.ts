import type { Response } from 'supertest';
import type { TestService } from './key-service-app';
import { DEV_COMPONENTS, kcvOf, xorHex } from './key-material';

/** The `items` of a list response, typed. */
export interface Row {
  id: string;
  state: string;
  [field: string]: unknown;
}

export function itemsOf<T = Row>(res: Response): T[] {
  return (res.body as { items: T[] }).items;
}

/** The first row in `state`; fails the test when there is none. */
export function findRow(rows: readonly Row[], state: string): Row {
  const row = rows.find((r) => r.state === state);
  if (!row) throw new Error(`no row in state ${state}: ${JSON.stringify(rows)}`);
  return row;
}

export const auth = (key: string): [string, string] => ['Authorization', `Bearer ${key}`];

/** Fails the test with the response body when the status is not the expected one. */
export function expectStatus(res: Response, status: number): Response {
  if (res.status !== status) {
    throw new Error(`expected ${status}, got ${res.status}: ${JSON.stringify(res.body)}`);
  }
  return res;
}

/** The token label of a vending key, as an officer reads it from the key registry. */
export async function tokenLabelOf(svc: TestService, cast: Cast, keyId: string): Promise<string> {
  const res = await svc.http.get(`/api/v1/vending-keys/${keyId}`).set(...auth(cast.officerA.key));
  return (expectStatus(res, 200).body as { tokenLabel: string }).tokenLabel;
}

export interface Cast {
  officerA: { id: string; key: string };
  officerB: { id: string; key: string };
  custodians: { id: string; key: string }[];
  auditor: { id: string; key: string };
}

export async function createCast(svc: TestService): Promise<Cast> {
  return {
    officerA: await svc.principal(['security-officer'], 'officer-a'),
    officerB: await svc.principal(['security-officer'], 'officer-b'),
    custodians: [
      await svc.principal(['custodian'], 'custodian-1'),
      await svc.principal(['custodian'], 'custodian-2'),
      await svc.principal(['custodian'], 'custodian-3'),
    ],
    auditor: await svc.principal(['auditor'], 'auditor'),
  };
}

export async function createSupplyGroup(svc: TestService, cast: Cast, sgc: string): Promise<void> {
  expectStatus(
    await svc.http
      .post('/api/v1/supply-groups')
      .set(...auth(cast.officerA.key))
      .send({ sgc, name: `Group ${sgc}` }),
    201,
  );
}

/** DKGA02 key attributes with the combined DES dev key's check value. */
export function desRevision(components: readonly string[] = DEV_COMPONENTS.des.slice(0, 2)) {
  return {
    keyType: 'VUDK',
    dkga: '02',
    allowedEas: ['07', '09'],
    baseDate: 1993,
    ken: 255,
    expectedKcv: kcvOf('DES', xorHex(components)),
    loadMethod: 'ceremony',
    componentCount: components.length,
  };
}

/** Starts a revision by ceremony and has custodians enter `components`: the key waits for approval. */
export async function loadRevision(
  svc: TestService,
  cast: Cast,
  sgc: string,
  components: readonly string[] = DEV_COMPONENTS.des.slice(0, 2),
  extra: Record<string, unknown> = {},
): Promise<string> {
  const start = expectStatus(
    await svc.http
      .post(`/api/v1/supply-groups/${sgc}/vending-keys`)
      .set(...auth(cast.officerA.key))
      .send({ ...desRevision(components), ...extra }),
    201,
  );
  const ceremonyId = start.body.ceremony.id as string;
  for (let i = 0; i < components.length; i++) {
    expectStatus(
      await svc.http
        .post(`/api/v1/ceremonies/${ceremonyId}/components`)
        .set(...auth(cast.custodians[i].key))
        .send({ component: components[i], kcv: kcvOf('DES', components[i]) }),
      200,
    );
  }
  return start.body.vendingKey.id as string;
}

/** Officer A requests activation (optionally scheduled) and officer B approves it. */
export async function activate(
  svc: TestService,
  cast: Cast,
  keyId: string,
  effectiveAt?: string,
): Promise<void> {
  const approval = expectStatus(
    await svc.http
      .post(`/api/v1/vending-keys/${keyId}/activate`)
      .set(...auth(cast.officerA.key))
      .send(effectiveAt ? { effectiveAt } : {}),
    202,
  );
  await approve(
    svc,
    cast.officerB.key,
    approval.body.id as string,
    approval.body.payloadHash as string,
  );
}

/** Loads a revision by ceremony and activates it under dual control. Returns its id. */
export async function loadAndActivate(
  svc: TestService,
  cast: Cast,
  sgc: string,
  components: readonly string[] = DEV_COMPONENTS.des.slice(0, 2),
  extra: Record<string, unknown> = {},
): Promise<string> {
  const keyId = await loadRevision(svc, cast, sgc, components, extra);
  await activate(svc, cast, keyId);
  return keyId;
}

export async function approve(
  svc: TestService,
  key: string,
  approvalId: string,
  payloadHash: string,
): Promise<Response> {
  return expectStatus(
    await svc.http
      .post(`/api/v1/approvals/${approvalId}/approve`)
      .set(...auth(key))
      .send({ payloadHash }),
    200,
  );
}

/** Officer A requests `action` on a key and officer B approves it. */
export async function dualControl(
  svc: TestService,
  cast: Cast,
  keyId: string,
  action: 'suspend' | 'reactivate' | 'destroy',
): Promise<Response> {
  const req = expectStatus(
    await svc.http
      .post(`/api/v1/vending-keys/${keyId}/${action}`)
      .set(...auth(cast.officerA.key))
      .send({ reason: `test ${action}` }),
    202,
  );
  return approve(svc, cast.officerB.key, req.body.id as string, req.body.payloadHash as string);
}
