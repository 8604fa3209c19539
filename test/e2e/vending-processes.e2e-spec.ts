/**
 * TIDs across service processes: a second key service runs as its own OS process (the built
 * `dist/main.js`, as production starts it) on the same PostgreSQL schema and SoftHSM token as the
 * suite's in-process service. Both issue credit tokens for one meter at once; the database alone
 * keeps their TIDs apart. Needs `npm run build` (npm test builds first).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { onPostgres } from '../helpers/databases';
import { PG_URL, startService, type TestService } from '../helpers/key-service-app';
import { auth, createCast, createSupplyGroup } from '../helpers/workflows';
import {
  ALL_ALLOWED,
  drn,
  type LoadedKey,
  loadKey,
  type MeterParams,
  onboardClient,
  virtualMeter,
} from './vending.support';

jest.setTimeout(180_000);

const MAIN = join(__dirname, '..', '..', 'apps', 'key-service', 'dist', 'main.js');
const PER_PROCESS = 100;
const WINDOW_MINUTES = String(2 * PER_PROCESS + 20);

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Starts `dist/main.js` on the service's database and token; resolves once it listens. */
async function startPeerProcess(svc: TestService): Promise<{ child: ChildProcess; url: string }> {
  if (!existsSync(MAIN)) throw new Error(`${MAIN} is missing: run npm run build first`);
  const { database, hsm } = svc.config;
  if (database.type !== 'postgres') throw new Error('the peer process needs PostgreSQL');
  const port = await freePort();
  const child = spawn(process.execPath, [MAIN], {
    env: {
      PATH: process.env.PATH,
      SOFTHSM2_CONF: process.env.SOFTHSM2_CONF,
      DATABASE_URL: PG_URL,
      STS_DB_SCHEMA: database.schema,
      HOST: '127.0.0.1',
      PORT: String(port),
      STS_HSM_MODULE: hsm.module,
      STS_HSM_TOKEN_LABEL: hsm.tokenLabel,
      STS_HSM_PIN: hsm.pin,
      STS_SCHEDULER_SECONDS: '0',
      STS_AUDIT_CHECKPOINT_SECONDS: '0',
      STS_VENDING_TID_WINDOW_MINUTES: WINDOW_MINUTES,
      STS_LOG_LEVEL: 'info',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  // Start-up output only (for the error message); request log lines after that are dropped.
  let output = '';
  let ready = false;
  const keep = (d: Buffer): void => {
    if (!ready) output += d.toString();
  };
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`peer did not start: ${output}`)), 60_000);
    child.stderr?.on('data', keep);
    child.stdout?.on('data', (d: Buffer) => {
      keep(d);
      if (!ready && output.includes('key service listening')) {
        ready = true;
        clearTimeout(timer);
        resolve();
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`peer exited with ${code}: ${output}`));
    });
  });
  return { child, url: `http://127.0.0.1:${port}` };
}

onPostgres('vending across two service processes', () => {
  let svc: TestService;
  let peer: { child: ChildProcess; url: string };
  let client: { id: string; key: string };
  let key: LoadedKey;

  beforeAll(async () => {
    svc = await startService({
      database: 'postgres',
      vending: { tidWindowMinutes: Number(WINDOW_MINUTES) },
    });
    const cast = await createCast(svc);
    await createSupplyGroup(svc, cast, '600727');
    key = await loadKey(svc, cast, { sgc: '600727' });
    client = await onboardClient(svc, cast, 'vendor-two-processes', ['600727'], ALL_ALLOWED, false);
    peer = await startPeerProcess(svc);
  }, 180_000);

  afterAll(async () => {
    if (peer?.child.exitCode === null) {
      const exited = new Promise((resolve) => peer.child.once('exit', resolve));
      peer.child.kill('SIGTERM');
      await exited;
    }
    await svc?.close();
  });

  it(`${PER_PROCESS} credits through each process for one meter get distinct TIDs, all accepted`, async () => {
    const meter: MeterParams = {
      iin: '600727',
      drn: drn('2345678901'),
      sgc: '600727',
      krn: key.krn,
      tariffIndex: '01',
      ea: '07',
    };
    const body = { meter, subclass: 0, amount: '1' };
    const here = Array.from({ length: PER_PROCESS }, () =>
      svc.http
        .post('/api/v1/vending/tokens/credit')
        .set(...auth(client.key))
        .send(body)
        .then((r) => ({ status: r.status, body: r.body as IssuedBody })),
    );
    const there = Array.from({ length: PER_PROCESS }, () =>
      fetch(`${peer.url}/api/v1/vending/tokens/credit`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${client.key}` },
        body: JSON.stringify(body),
      }).then(async (r) => ({ status: r.status, body: (await r.json()) as IssuedBody })),
    );
    const responses = await Promise.all([...here, ...there]);
    for (const r of responses) expect(r.status).toBe(201);

    const issued = responses
      .map((r) => ({ tid: r.body.tids[0], token: r.body.tokens[0].token }))
      .sort((a, b) => a.tid - b.tid);
    expect(new Set(issued.map((i) => i.tid)).size).toBe(2 * PER_PROCESS);
    const vm = virtualMeter(key, meter);
    const outcomes = issued.map((i) => vm.enter(i.token).outcome);
    expect(outcomes.filter((o) => o === 'CREDIT_ACCEPTED')).toHaveLength(2 * PER_PROCESS);
    expect(vm.credit[0]).toBeCloseTo(2 * PER_PROCESS);
  });
});

interface IssuedBody {
  tids: number[];
  tokens: { token: string }[];
}
