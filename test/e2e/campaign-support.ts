import {
  type BaseDate,
  type DerivationInput,
  type Dkga,
  type Ea,
  type KeyType,
  withCheckDigit,
} from '@sts/core';
import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import type { KeyCustody } from '@sts/hsm';
import type { Response } from 'supertest';
import type { TestService } from '../helpers/key-service-app';
import { DEV_COMPONENTS, kcvOf, xorHex } from '../helpers/key-material';
import { auth, type Cast, expectStatus, loadAndActivate } from '../helpers/workflows';

/** Shared by the campaign suites: key setup, meter lists, polling and result parsing. */

export interface KeyRef {
  id: string;
  krn: number;
  tokenLabel: string;
  dkga: Dkga;
  baseDate: BaseDate;
  ken: number;
}

/** DKGA04 (HMAC) revision attributes with the dev HMAC key's check value. */
export function hmacRevision(baseDate: BaseDate): Record<string, unknown> {
  return {
    dkga: '04',
    keyLengthBytes: 32,
    allowedEas: ['07', '11'],
    baseDate,
    expectedKcv: kcvOf('HMAC', xorHex(DEV_COMPONENTS.hmac)),
  };
}

/** Loads a DKGA04 revision by ceremony (two HMAC components), activates it with officer B. */
async function loadHmac(svc: TestService, cast: Cast, sgc: string, baseDate: BaseDate) {
  const start = expectStatus(
    await svc.http
      .post(`/api/v1/supply-groups/${sgc}/vending-keys`)
      .set(...auth(cast.officerA.key))
      .send({
        keyType: 'VUDK',
        ken: 255,
        loadMethod: 'ceremony',
        componentCount: 2,
        ...hmacRevision(baseDate),
      }),
    201,
  );
  const keyId = start.body.vendingKey.id as string;
  const ceremonyId = start.body.ceremony.id as string;
  for (const [i, component] of DEV_COMPONENTS.hmac.entries()) {
    expectStatus(
      await svc.http
        .post(`/api/v1/ceremonies/${ceremonyId}/components`)
        .set(...auth(cast.custodians[i].key))
        .send({ component, kcv: kcvOf('HMAC', component) }),
      200,
    );
  }
  const approval = expectStatus(
    await svc.http
      .post(`/api/v1/vending-keys/${keyId}/activate`)
      .set(...auth(cast.officerA.key))
      .send({}),
    202,
  );
  expectStatus(
    await svc.http
      .post(`/api/v1/approvals/${approval.body.id as string}/approve`)
      .set(...auth(cast.officerB.key))
      .send({ payloadHash: approval.body.payloadHash as string }),
    200,
  );
  return keyId;
}

/** Loads and activates a revision (the previous one becomes superseded); returns its record. */
export async function revision(
  svc: TestService,
  cast: Cast,
  sgc: string,
  kind: 'des' | 'hmac',
  baseDate: BaseDate = 1993,
  desComponents: readonly string[] = DEV_COMPONENTS.des.slice(0, 2),
): Promise<KeyRef> {
  const id =
    kind === 'des'
      ? await loadAndActivate(svc, cast, sgc, desComponents, { baseDate })
      : await loadHmac(svc, cast, sgc, baseDate);
  const res = expectStatus(
    await svc.http.get(`/api/v1/vending-keys/${id}`).set(...auth(cast.officerA.key)),
    200,
  );
  const b = res.body as Record<string, unknown>;
  return {
    id,
    krn: b.krn as number,
    tokenLabel: b.tokenLabel as string,
    dkga: b.dkga as Dkga,
    baseDate: b.baseDate as BaseDate,
    ken: b.ken as number,
  };
}

export function meterIds(count: number, offset = 0): { iin: string; drn: string }[] {
  return Array.from({ length: count }, (_, i) => ({
    iin: '600727',
    drn: withCheckDigit(String(offset + i + 1).padStart(10, '0')),
  }));
}

export function csvOf(
  meters: readonly { iin: string; drn: string }[],
  extra: string[] = [],
): string {
  return ['iin,drn', ...meters.map((m) => `${m.iin},${m.drn}`), ...extra].join('\n') + '\n';
}

/** Decoder key of one meter under a vending key (as the meter holds it). */
export async function decoderKey(
  custody: KeyCustody,
  key: KeyRef,
  meter: { iin: string; drn: string },
  p: { keyType: KeyType; sgc: string; tariffIndex: string; ea: Ea },
): Promise<Uint8Array> {
  const input: DerivationInput = {
    dkga: key.dkga,
    meter,
    keyType: p.keyType,
    sgc: p.sgc,
    tariffIndex: p.tariffIndex,
    krn: key.krn,
    ...(key.dkga === '04' ? { baseDate: key.baseDate, ea: p.ea } : {}),
  };
  return custody.deriveDecoderKey(key.tokenLabel, input);
}

export interface ResultRow {
  row: number;
  iin: string;
  drn: string;
  ea: string;
  status: string;
  reason: string;
  tokens: string[];
}

export function parseResults(csv: string): ResultRow[] {
  const lines = csv.split('\n').filter((l) => l !== '');
  if (lines[0] !== 'row,iin,drn,ea,status,reason,token1,token2,token3,token4') {
    throw new Error(`unexpected results header: ${lines[0]}`);
  }
  return lines.slice(1).map((l) => {
    const f = l.split(',');
    return {
      row: Number(f[0]),
      iin: f[1],
      drn: f[2],
      ea: f[3],
      status: f[4],
      reason: f[5],
      tokens: f.slice(6).filter((t) => t !== ''),
    };
  });
}

/** GETs the results CSV as text. */
export async function results(svc: TestService, key: string, id: string): Promise<string> {
  const res: Response = await svc.http
    .get(`/api/v1/campaigns/${id}/results`)
    .set(...auth(key))
    .buffer(true)
    .parse((r, cb) => {
      let text = '';
      r.setEncoding('utf8');
      r.on('data', (c: string) => (text += c));
      r.on('end', () => cb(null, text));
    });
  expectStatus(res, 200);
  expect(String(res.headers['content-type'])).toMatch(/^text\/csv/);
  return res.body as string;
}

/** Polls the campaign until it is in one of `states` (generous limit; never a timing assertion). */
export async function waitForState(
  svc: TestService,
  key: string,
  id: string,
  states: readonly string[],
  limitMs = 300_000,
): Promise<Record<string, unknown>> {
  const until = Date.now() + limitMs;
  for (;;) {
    const res = expectStatus(await svc.http.get(`/api/v1/campaigns/${id}`).set(...auth(key)), 200);
    const body = res.body as Record<string, unknown>;
    if (states.includes(body.state as string)) return body;
    if (Date.now() > until) {
      throw new Error(`campaign ${id} never reached ${states.join('|')}: ${JSON.stringify(body)}`);
    }
    await new Promise((r) => setTimeout(r, 200));
  }
}

/** Plans, uploads and approves (officer B) a campaign; returns its id and the upload's answer. */
export async function planAndApprove(
  svc: TestService,
  cast: Cast,
  plan: Record<string, unknown>,
  csv: string,
): Promise<{ id: string; upload: Record<string, unknown> }> {
  const planned = expectStatus(
    await svc.http
      .post('/api/v1/campaigns')
      .set(...auth(cast.officerA.key))
      .send(plan),
    201,
  );
  const id = planned.body.id as string;
  const upload = expectStatus(
    await svc.http
      .put(`/api/v1/campaigns/${id}/meters`)
      .set(...auth(cast.officerA.key))
      .set('Content-Type', 'text/csv')
      .send(csv),
    200,
  );
  const approval = upload.body.approval as { id: string; payloadHash: string };
  expectStatus(
    await svc.http
      .post(`/api/v1/approvals/${approval.id}/approve`)
      .set(...auth(cast.officerB.key))
      .send({ payloadHash: approval.payloadHash }),
    200,
  );
  return { id, upload: upload.body as Record<string, unknown> };
}

/** Starts an approved campaign (officer A) and waits until it has completed or failed. */
export async function runToEnd(
  svc: TestService,
  cast: Cast,
  id: string,
): Promise<Record<string, unknown>> {
  expectStatus(
    await svc.http.post(`/api/v1/campaigns/${id}/start`).set(...auth(cast.officerA.key)),
    200,
  );
  return waitForState(svc, cast.auditor.key, id, ['completed', 'failed']);
}

/** A campaign worker process started by a test, with its output lines. */
export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly log: string[];
}

/**
 * Starts a worker process (the key service's campaign worker, campaign-worker.child.ts) on the
 * suite's database and token; with `deriveDelayMs` it derives slowly, so that a test can act
 * mid-run.
 */
export function startWorker(svc: TestService, deriveDelayMs = 0): WorkerProcess {
  const log: string[] = [];
  const child = spawn(
    process.execPath,
    [join(__dirname, 'campaign-ts-hook.js'), join(__dirname, 'campaign-worker.child.ts')],
    {
      env: {
        ...process.env,
        STS_CHILD_CONFIG: JSON.stringify(svc.config),
        STS_CHILD_DERIVE_DELAY_MS: String(deriveDelayMs),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  const collect = (d: Buffer) =>
    log.push(
      ...d
        .toString()
        .split('\n')
        .filter((l) => l !== ''),
    );
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);
  return { child, log };
}

/** Kills a worker process with SIGKILL (no clean-up of any kind) and waits until it is gone. */
export async function killWorker(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((r) => child.once('exit', r));
  child.kill('SIGKILL');
  await exited;
}
