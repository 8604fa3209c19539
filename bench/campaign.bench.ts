/**
 * `npm run bench:campaign`: a rekey campaign over 1,000,000 meters end to end, as an officer runs
 * it: the meter list streamed in as CSV over HTTP, approval by a second officer, the run shared by
 * one key-service process per core through pg-boss on PostgreSQL with a fresh SoftHSM token (both
 * decoder keys of every meter derived in the token), and the results streamed out as CSV.
 *
 * Prints the time of each phase, meters/s, and the peak RSS of every process (targets: under
 * 120 s end to end, peak RSS under 300 MB). Checks that the results hold every meter once.
 *
 * PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); a fresh schema is
 * created and dropped. Options (environment): BENCH_METERS (default 1,000,000), BENCH_WORKERS
 * (service processes, default: the number of cores), BENCH_CHUNK (rows per chunk, default 1,000: the service's default),
 * BENCH_NODE_ARGS (extra node arguments for the service processes, e.g. `--cpu-prof`).
 */
import { execFileSync, type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { luhnCheckDigit } from '@sts/core';
import { secretKeyCheckValue } from '@sts/hsm';
import { Client } from 'pg';
import { fmt, printRows } from './measure';
import { BENCH_CAST, enrol, install } from './installation';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'apps', 'key-service', 'dist', 'cli.js');
const MAIN = join(ROOT, 'apps', 'key-service', 'dist', 'main.js');
const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `bench_campaign_${process.pid}`;
const PORT = 38_000 + (process.pid % 1000);
const METERS = Number(process.env.BENCH_METERS ?? 1_000_000);
const WORKERS = Number(process.env.BENCH_WORKERS ?? availableParallelism());
const CHUNK = Number(process.env.BENCH_CHUNK ?? 1000);
const SGC = '600727';
const NODE_ARGS = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter((a) => a !== '');

/** DEVELOPMENT-ONLY key components (public values, as the e2e suites use). */
const KRN1 = ['0123456789abcdef', 'fedcba9876543210'];
const KRN2 = ['fedcba9876543210', '1111222233334444'];

function xorHex(parts: readonly string[]): string {
  const out = Buffer.alloc(parts[0].length / 2);
  for (const p of parts) Buffer.from(p, 'hex').forEach((b, i) => (out[i] ^= b));
  return out.toString('hex');
}
const kcv = (hex: string) => secretKeyCheckValue('DES', Buffer.from(hex, 'hex'));

function makeToken(dir: string): Record<string, string> {
  const out = execFileSync('bash', [join(ROOT, 'keys-dev', 'setup-token.sh')], {
    env: { ...process.env, STS_HSM_DIR: dir, STS_HSM_TOKEN_LABEL: 'bench-campaign' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const vars: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) vars[m[1]] = m[2].replace(/^'(.*)'$/, '$1');
  }
  return vars;
}

async function api(
  key: string,
  method: string,
  path: string,
  body?: unknown,
): Promise<Record<string, unknown>> {
  const res = await fetch(`http://127.0.0.1:${PORT}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (res.status >= 300)
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

/** Officers, custodians, a supply group and its revisions KRN 1 (superseded) and KRN 2 (active). */
async function setUp(installed: Record<string, string>): Promise<{ a: string; b: string }> {
  const own = async (name: string) => enrol(`http://127.0.0.1:${PORT}`, installed[name]);
  const a = await own(BENCH_CAST.officerA);
  const b = await own(BENCH_CAST.officerB);
  const custodians = [await own(BENCH_CAST.custodian1), await own(BENCH_CAST.custodian2)];
  await api(a, 'POST', '/supply-groups', { sgc: SGC, name: 'Bench' });
  for (const parts of [KRN1, KRN2]) {
    const start = await api(a, 'POST', `/supply-groups/${SGC}/vending-keys`, {
      keyType: 'VUDK',
      dkga: '02',
      allowedEas: ['07'],
      baseDate: 1993,
      ken: 255,
      expectedKcv: kcv(xorHex(parts)),
      loadMethod: 'ceremony',
      componentCount: 2,
    });
    const ceremonyId = (start.ceremony as { id: string }).id;
    for (let i = 0; i < 2; i++) {
      await api(custodians[i], 'POST', `/ceremonies/${ceremonyId}/components`, {
        component: parts[i],
        kcv: kcv(parts[i]),
      });
    }
    const keyId = (start.vendingKey as { id: string }).id;
    const approval = await api(a, 'POST', `/vending-keys/${keyId}/activate`, {});
    await api(b, 'POST', `/approvals/${approval.id as string}/approve`, {
      payloadHash: approval.payloadHash,
    });
  }
  return { a, b };
}

/** The meter list, generated as it streams (never held whole). */
function* meterCsv(): Generator<string> {
  yield 'iin,drn\n';
  let buf = '';
  for (let i = 0; i < METERS; i++) {
    const body = String(2_000_000_000 + i).padStart(10, '0');
    buf += `600727,${body}${luhnCheckDigit(body)}\n`;
    if (buf.length > 64_000) {
      yield buf;
      buf = '';
    }
  }
  if (buf) yield buf;
}

function peakRssMb(pid: number): number {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
}

async function waitHealthy(port: number, child: ChildProcess): Promise<void> {
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null) throw new Error(`service process exited with ${child.exitCode}`);
    const ok = await fetch(`http://127.0.0.1:${port}/health`).then(
      (r) => r.status < 500,
      () => false,
    );
    if (ok) return;
    await new Promise((r) => setTimeout(r, 200));
  }
  throw new Error('service process did not become healthy');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sts-bench-campaign-'));
  const token = makeToken(dir);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: PG_URL,
    STS_DB_SCHEMA: SCHEMA,
    STS_HSM_MODULE: token.STS_HSM_MODULE,
    STS_HSM_TOKEN_LABEL: token.STS_HSM_TOKEN_LABEL,
    STS_HSM_PIN: token.STS_HSM_PIN,
    SOFTHSM2_CONF: token.SOFTHSM2_CONF,
    HOST: '127.0.0.1',
    STS_LOG_LEVEL: 'warn',
    STS_SCHEDULER_SECONDS: '0',
  };
  const pg = new Client({ connectionString: PG_URL });
  await pg.connect();
  const services: ChildProcess[] = [];
  try {
    await pg.query(`CREATE SCHEMA "${SCHEMA}"`);
    const migrate = spawnSync(process.execPath, [CLI, 'migrate'], { env, encoding: 'utf8' });
    if (migrate.status !== 0) throw new Error(`migrate failed: ${migrate.stderr}`);
    const installed = install(CLI, env);
    for (let w = 0; w < WORKERS; w++) {
      const child = spawn(process.execPath, [...NODE_ARGS, MAIN], {
        env: { ...env, PORT: String(PORT + w) },
        stdio: ['ignore', 'ignore', 'inherit'],
      });
      services.push(child);
      await waitHealthy(PORT + w, child);
    }
    const { a, b } = await setUp(installed);
    console.log(
      `campaign benchmark: ${fmt(METERS)} meters, chunks of ${fmt(CHUNK)}, ${WORKERS} service ` +
        'processes sharing the run through pg-boss on PostgreSQL, SoftHSM token, audit on',
    );

    const t0 = performance.now();
    const planned = await api(a, 'POST', '/campaigns', {
      name: 'bench',
      from: { sgc: SGC, krn: 1, tariffIndex: '01', baseDate: 1993 },
      to: { sgc: SGC, krn: 2, tariffIndex: '01', baseDate: 1993 },
      ea: '07',
      chunkSize: CHUNK,
    });
    const id = planned.id as string;
    const upload = await fetch(`http://127.0.0.1:${PORT}/api/v1/campaigns/${id}/meters`, {
      method: 'PUT',
      headers: { authorization: `Bearer ${a}`, 'content-type': 'text/csv' },
      body: Readable.toWeb(Readable.from(meterCsv())) as ReadableStream,
      duplex: 'half',
    });
    const uploaded = (await upload.json()) as { approval: { id: string; payloadHash: string } };
    if (upload.status !== 200)
      throw new Error(`upload: ${upload.status} ${JSON.stringify(uploaded)}`);
    const t1 = performance.now();
    await api(b, 'POST', `/approvals/${uploaded.approval.id}/approve`, {
      payloadHash: uploaded.approval.payloadHash,
    });
    await api(a, 'POST', `/campaigns/${id}/start`);
    let state = '';
    let last = 0;
    for (;;) {
      const c = await api(a, 'GET', `/campaigns/${id}`);
      state = c.state as string;
      const p = c.progress as { issued: number; failed: number; ratePerSecond: number };
      if (performance.now() - last > 10_000) {
        last = performance.now();
        console.log(`  ${fmt(p.issued + p.failed)} meters done, ${fmt(p.ratePerSecond)} /s`);
      }
      if (['completed', 'failed', 'cancelled'].includes(state)) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const t2 = performance.now();
    const res = await fetch(`http://127.0.0.1:${PORT}/api/v1/campaigns/${id}/results`, {
      headers: { authorization: `Bearer ${a}` },
    });
    let lines = 0;
    let issued = 0;
    let expectedRow = 1;
    let ordered = true;
    let carry = '';
    for await (const piece of res.body as unknown as AsyncIterable<Uint8Array>) {
      const text = carry + Buffer.from(piece).toString('utf8');
      const parts = text.split('\n');
      carry = parts.pop() ?? '';
      for (const line of parts) {
        lines += 1;
        if (lines === 1) continue;
        const comma = line.indexOf(',');
        if (Number(line.slice(0, comma)) !== expectedRow++) ordered = false;
        if (line.includes(',issued,')) issued += 1;
      }
    }
    const t3 = performance.now();
    const rss = services.map((s) => peakRssMb(s.pid as number));
    const benchRss = process.resourceUsage().maxRSS / 1024;
    const s = (ms: number) => `${fmt(ms / 1000, 1)} s`;
    printRows(
      'Rekey campaign, 1 key-change set (2 tokens) per meter (targets: < 120 s, < 300 MB)',
      [
        ['upload (CSV in, streamed)', s(t1 - t0), `${fmt((METERS / (t1 - t0)) * 1000)} rows/s`],
        ['approve + run', s(t2 - t1), `${fmt((METERS / (t2 - t1)) * 1000)} meters/s`],
        ['results (CSV out, streamed)', s(t3 - t2), `${fmt(lines - 1)} rows`],
        ['end to end', s(t3 - t0), state],
        ['peak RSS, service processes', rss.map((r) => `${fmt(r)} MB`).join(', '), ''],
        ['peak RSS, benchmark client', `${fmt(benchRss)} MB`, ''],
        [
          'results check',
          `${fmt(issued)} issued`,
          issued === METERS && lines - 1 === METERS && ordered
            ? 'every meter once, in order'
            : 'MISMATCH',
        ],
      ],
    );
  } finally {
    for (const c of services) c.kill('SIGTERM');
    await pg.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`).catch(() => undefined);
    await pg.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
