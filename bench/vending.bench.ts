/**
 * `npm run bench:vending`: the vending interface over HTTP, as a vending system sees it.
 *
 * The key service runs as it does in production: `cli.js migrate`, then one `main.js` process per
 * core (Node cluster, one shared port) on PostgreSQL with a fresh SoftHSM token, audit on (every
 * token and derived key is an audit event, committed before the answer). autocannon then asks for
 *
 *  1. credit tokens (class 0, EA07, DKGA02 key derived in the token; TID allocation, issuance
 *     record and audit event committed together, group-committed with the other requests
 *     pending in the same process), over 50,000 meters;
 *  2. derived keys (wrapped under the client's transport key in the token, audited the same way),
 *  3. with the meter key registry filled with BENCH_REGISTRY_METERS meters (default 10,000,000;
 *     0 skips it), credit tokens without and then with `keyChange: "auto"` (one registry read per
 *     request), and what that read adds per token in service and PostgreSQL CPU,
 *
 * and prints requests/s, p50 / p99 latency and the error count of each, with the CPU time the
 * service processes and (when the server runs on this machine) PostgreSQL spent per answer, then
 * checks the database:
 * every issued (meter, key, TID) is distinct and the audit trail holds one event per answer.
 *
 * PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test); a fresh schema is
 * created and dropped. Options (environment): BENCH_SECONDS (default 15), BENCH_CONNECTIONS
 * (default 32), BENCH_WORKERS (default: the number of cores), BENCH_ONLY (`credit` or `derived`:
 * that run alone), BENCH_NODE_ARGS (extra node arguments for the service processes, e.g.
 * `--cpu-prof`).
 *
 * `--hsm-latency-ms N` (N > 0): the service loads SoftHSM through the PKCS#11 shim
 * (test/pkcs11-shim, built with the machine's C compiler), which delays every PKCS#11 call by
 * N ms as a network HSM does; the runs are made at 0 ms and then at N ms by the same processes
 * (the shim re-reads its control file), and the target is judged at N ms.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import cluster, { type Worker } from 'node:cluster';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { availableParallelism, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { withCheckDigit } from '@sts/core';
import { secretKeyCheckValue } from '@sts/hsm';
import autocannon from 'autocannon';
import { Client } from 'pg';
import { fmt, printRows } from './measure';
import { BENCH_CAST, enrol, install } from './installation';
import { latencyFlag, prepareShim } from './pkcs11-shim';

const ROOT = join(__dirname, '..', '..');
const CLI = join(ROOT, 'apps', 'key-service', 'dist', 'cli.js');
const MAIN = join(ROOT, 'apps', 'key-service', 'dist', 'main.js');
const PG_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const SCHEMA = `bench_vending_${process.pid}`;
const PORT = 39_000 + (process.pid % 1000);
const BASE = `http://127.0.0.1:${PORT}`;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 15);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 32);
const WORKERS = Number(process.env.BENCH_WORKERS ?? availableParallelism());
const ONLY = process.env.BENCH_ONLY;
if (ONLY !== undefined && ONLY !== 'credit' && ONLY !== 'derived') {
  throw new Error(`BENCH_ONLY must be credit or derived, not ${ONLY}`);
}
const HSM_LATENCY_MS = latencyFlag(process.argv.slice(2));
const METERS = 50_000;
const REGISTRY_METERS = Number(process.env.BENCH_REGISTRY_METERS ?? 10_000_000);

const SGC = '600727';

/** DEVELOPMENT-ONLY key components (public values, the same kind as the e2e suites use). */
const DES_COMPONENTS = ['0123456789abcdef', 'fedcba9876543210'];
const AES_COMPONENTS = ['000102030405060708090a0b0c0d0e0f', '0f0e0d0c0b0a09080706050403020100'];

function xorHex(parts: readonly string[]): string {
  const out = Buffer.alloc(parts[0].length / 2);
  for (const p of parts) Buffer.from(p, 'hex').forEach((b, i) => (out[i] ^= b));
  return out.toString('hex');
}
const kcv = (algorithm: 'DES' | 'AES', hex: string) =>
  secretKeyCheckValue(algorithm, Buffer.from(hex, 'hex'));

interface Token {
  module: string;
  label: string;
  pin: string;
  conf: string;
}

function makeToken(dir: string): Token {
  const out = execFileSync('bash', [join(ROOT, 'keys-dev', 'setup-token.sh')], {
    env: { ...process.env, STS_HSM_DIR: dir, STS_HSM_TOKEN_LABEL: 'bench-vending' },
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const vars: Record<string, string> = {};
  for (const line of out.split('\n')) {
    const m = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
    if (m) vars[m[1]] = m[2].replace(/^'(.*)'$/, '$1');
  }
  return {
    module: vars.STS_HSM_MODULE,
    label: vars.STS_HSM_TOKEN_LABEL,
    pin: vars.STS_HSM_PIN,
    conf: vars.SOFTHSM2_CONF,
  };
}

async function api(
  key: string,
  method: string,
  path: string,
  body?: unknown,
  expected = [200, 201, 202],
): Promise<Record<string, unknown>> {
  const res = await fetch(`${BASE}/api/v1${path}`, {
    method,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as Record<string, unknown>;
  if (!expected.includes(res.status)) {
    throw new Error(`${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  }
  return json;
}

async function ceremony(
  id: string,
  custodians: string[],
  algorithm: 'DES' | 'AES',
  parts: string[],
) {
  for (let i = 0; i < parts.length; i++) {
    await api(custodians[i], 'POST', `/ceremonies/${id}/components`, {
      component: parts[i],
      kcv: kcv(algorithm, parts[i]),
    });
  }
}

/** Officers, custodians, a supply group with an active key, and an onboarded vending client. */
async function setUp(installed: Record<string, string>): Promise<string> {
  const own = async (name: string) => enrol(BASE, installed[name]);
  const adminKey = await own(BENCH_CAST.admin);
  const officerA = await own(BENCH_CAST.officerA);
  const officerB = await own(BENCH_CAST.officerB);
  const custodians = [await own(BENCH_CAST.custodian1), await own(BENCH_CAST.custodian2)];
  const client = await enrol(
    BASE,
    (
      await api(adminKey, 'POST', '/principals', {
        name: 'bench-vendor',
        roles: ['vending-client'],
        sgcScope: [SGC],
      })
    ).apiKey as string,
  );
  await api(officerA, 'POST', '/supply-groups', { sgc: SGC, name: 'Bench' });
  const start = await api(officerA, 'POST', `/supply-groups/${SGC}/vending-keys`, {
    keyType: 'VUDK',
    dkga: '02',
    allowedEas: ['07'],
    baseDate: 2014,
    ken: 255,
    expectedKcv: kcv('DES', xorHex(DES_COMPONENTS)),
    loadMethod: 'ceremony',
    componentCount: 2,
  });
  const keyId = (start.vendingKey as { id: string }).id;
  await ceremony((start.ceremony as { id: string }).id, custodians, 'DES', DES_COMPONENTS);
  const approval = await api(officerA, 'POST', `/vending-keys/${keyId}/activate`, {});
  await api(officerB, 'POST', `/approvals/${approval.id as string}/approve`, {
    payloadHash: approval.payloadHash,
  });
  const me = await api(client, 'GET', '/principals/me');
  await api(officerA, 'PUT', `/vending-clients/${me.id as string}`, {
    creditSubclasses: [0, 1, 2, 3, 4, 5, 6, 7],
    managementSubclasses: [],
    testSubclasses: [],
    keyChangeAllowed: false,
    ratePerSecond: 100_000,
    burst: 100_000,
  });
  const tk = await api(officerA, 'POST', `/vending-clients/${me.id as string}/transport-keys`, {
    lengthBytes: 16,
    expectedKcv: kcv('AES', xorHex(AES_COMPONENTS)),
    componentCount: 2,
  });
  await ceremony((tk.ceremony as { id: string }).id, custodians, 'AES', AES_COMPONENTS);
  return client;
}

const METER_DRNS = Array.from({ length: METERS }, (_, i) =>
  withCheckDigit(String(1_000_000_000 + i).padStart(10, '0')),
);

type Kind = 'credit' | 'credit-auto' | 'derived';

function bodyFor(kind: Kind, i: number): string {
  const meter = {
    iin: '600727',
    drn: METER_DRNS[i % METERS],
    sgc: SGC,
    krn: 1,
    tariffIndex: '01',
    ea: '07',
  };
  if (kind === 'derived') return JSON.stringify({ meter });
  const credit = { meter, subclass: 0, amount: '10.5' };
  return JSON.stringify(kind === 'credit-auto' ? { ...credit, keyChange: 'auto' } : credit);
}

interface Figures {
  rps: number;
  p50: number;
  p99: number;
  errors: number;
  total: number;
  /** CPU time of the service processes per answered request (ms), when /proc is there. */
  cpuMsPerRequest?: number;
  /** CPU time of the machine's PostgreSQL server processes per answered request (ms). */
  pgCpuMsPerRequest?: number;
}

/** The PostgreSQL server processes on this machine (Linux /proc), when the server runs here. */
function postgresPids(): number[] {
  try {
    return readdirSync('/proc')
      .filter((name) => /^\d+$/.test(name))
      .map(Number)
      .filter((pid) => {
        try {
          return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
        } catch {
          return false; // exited meanwhile
        }
      });
  } catch {
    return [];
  }
}

/** User + system CPU time of each of these processes so far (ms; Linux /proc); gone ones left out. */
function cpuMs(pids: readonly number[]): Map<number, number> {
  const times = new Map<number, number>();
  for (const pid of pids) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      // utime and stime (fields 14 and 15), in ticks of USER_HZ (100 on Linux)
      times.set(pid, ((Number(fields[11]) + Number(fields[12])) * 1000) / 100);
    } catch {
      // not there (or no /proc)
    }
  }
  return times;
}

/** CPU time spent between two readings by the processes in both, or undefined when none is. */
function cpuSpent(before: Map<number, number>, after: Map<number, number>): number | undefined {
  let spent: number | undefined;
  for (const [pid, ms] of after) {
    const was = before.get(pid);
    if (was !== undefined) spent = (spent ?? 0) + ms - was;
  }
  return spent;
}

async function load(
  clientKey: string,
  kind: Kind,
  seconds: number,
  pids: readonly number[] = [],
): Promise<Figures> {
  let n = Math.floor(Math.random() * METERS);
  const pgPids = postgresPids();
  const cpuBefore = cpuMs(pids);
  const pgBefore = cpuMs(pgPids);
  const result = await autocannon({
    url: `${BASE}/api/v1/vending/${kind === 'derived' ? 'derived-keys' : 'tokens/credit'}`,
    method: 'POST',
    connections: CONNECTIONS,
    duration: seconds,
    headers: { authorization: `Bearer ${clientKey}`, 'content-type': 'application/json' },
    requests: [{ setupRequest: (req) => ({ ...req, body: bodyFor(kind, n++) }) }],
  });
  const ok = result['2xx'];
  const cpu = cpuSpent(cpuBefore, cpuMs(pids));
  const pgCpu = cpuSpent(pgBefore, cpuMs(pgPids));
  return {
    rps: ok / seconds,
    p50: result.latency.p50,
    p99: result.latency.p99,
    errors: result.errors + result.timeouts + result.non2xx,
    total: ok + result.non2xx + result.errors,
    ...(cpu !== undefined && ok > 0 ? { cpuMsPerRequest: cpu / ok } : {}),
    ...(pgCpu !== undefined && ok > 0 ? { pgCpuMsPerRequest: pgCpu / ok } : {}),
  };
}

/** What the service processes printed (logs at STS_LOG_LEVEL; shown when a run had errors). */
const serviceOutput: string[] = [];

async function startWorkers(env: NodeJS.ProcessEnv): Promise<Worker[]> {
  const execArgv = (process.env.BENCH_NODE_ARGS ?? '').split(' ').filter(Boolean);
  cluster.setupPrimary({ exec: MAIN, silent: true, execArgv });
  const workers = Array.from({ length: WORKERS }, () => cluster.fork(env));
  for (const w of workers) {
    w.process.stdout?.on('data', (chunk: Buffer) => serviceOutput.push(chunk.toString('utf8')));
    w.process.stderr?.on('data', (chunk: Buffer) => serviceOutput.push(chunk.toString('utf8')));
  }
  await Promise.all(
    workers.map(
      (w) =>
        new Promise<void>((resolve, reject) => {
          w.once('listening', () => resolve());
          w.once('exit', (code) => reject(new Error(`service worker exited with ${code}`)));
        }),
    ),
  );
  return workers;
}

/**
 * Fills the meter key registry with `total` meters in one statement: the benchmark's own meters
 * on KRN 1 (so a purchase with keyChange auto finds its row) and the rest as other meters of the
 * same supply group.
 */
async function seedRegistry(pg: Client, total: number): Promise<number> {
  const started = Date.now();
  const key = await pg.query<{ id: string }>(
    `SELECT id FROM "${SCHEMA}".vending_keys WHERE sgc = $1 AND krn = 1`,
    [SGC],
  );
  const columns =
    'iin, drn, sgc, krn, tariff_index, key_type, ea, base_date, vending_key_id, source, ' +
    'recorded_by, updated_at';
  // sgc, krn, tariff_index, key_type, ea, base_date, vending_key_id, source, recorded_by, updated_at
  const rest = `$3, 1, '01', 2, '07', 2014, $1, 'registered', 'bench', $2`;
  const at = new Date().toISOString();
  await pg.query(
    `INSERT INTO "${SCHEMA}".meter_keys (${columns})
       SELECT '600727', drn, ${rest}
         FROM unnest($4::text[]) AS drn`,
    [key.rows[0].id, at, SGC, METER_DRNS],
  );
  await pg.query(
    `INSERT INTO "${SCHEMA}".meter_keys (${columns})
       SELECT '600727', lpad(g::text, 11, '0'), ${rest}
         FROM generate_series(1, $4::integer) AS g`,
    [key.rows[0].id, at, SGC, Math.max(total - METERS, 0)],
  );
  await pg.query(`ANALYZE "${SCHEMA}".meter_keys`);
  return (Date.now() - started) / 1000;
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sts-bench-vending-'));
  const token = makeToken(dir);
  const shim = HSM_LATENCY_MS > 0 ? prepareShim(dir, token.module) : undefined;
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    DATABASE_URL: PG_URL,
    STS_DB_SCHEMA: SCHEMA,
    STS_HSM_MODULE: shim?.module ?? token.module,
    STS_HSM_TOKEN_LABEL: token.label,
    STS_HSM_PIN: token.pin,
    SOFTHSM2_CONF: token.conf,
    HOST: '127.0.0.1',
    PORT: String(PORT),
    STS_LOG_LEVEL: 'warn',
    STS_SCHEDULER_SECONDS: '0',
  };
  const pg = new Client({ connectionString: PG_URL });
  await pg.connect();
  let workers: Worker[] = [];
  try {
    await pg.query(`CREATE SCHEMA "${SCHEMA}"`);
    const migrate = spawnSync(process.execPath, [CLI, 'migrate'], { env, encoding: 'utf8' });
    if (migrate.status !== 0) throw new Error(`migrate failed: ${migrate.stderr}`);
    const installed = install(CLI, env);
    workers = await startWorkers(env);
    const clientKey = await setUp(installed);

    console.log(
      `vending benchmark: ${WORKERS} service processes (one per core) on PostgreSQL with SoftHSM` +
        (shim ? ` through the PKCS#11 shim` : '') +
        `, audit on; autocannon ${CONNECTIONS} connections, ${SECONDS} s per run, ${fmt(METERS)} meters`,
    );
    const pids = workers.flatMap((w) => (w.process.pid === undefined ? [] : [w.process.pid]));
    const run = async (kind: Kind, warmUp: number): Promise<Figures | undefined> => {
      if (ONLY !== undefined && ONLY !== kind.replace('-auto', '')) return undefined;
      await load(clientKey, kind, warmUp); // warm-up: JIT, pools, token sessions
      return load(clientKey, kind, SECONDS, pids);
    };
    const latencies = shim ? [0, HSM_LATENCY_MS] : [0];
    const runs: { latency: number; credit?: Figures; derived?: Figures }[] = [];
    for (const latency of latencies) {
      shim?.setLatency(latency);
      runs.push({ latency, credit: await run('credit', 3), derived: await run('derived', 2) });
    }
    const { credit } = runs[runs.length - 1];

    // The meter key registry at scale: the same credits with and without keyChange auto (one
    // registry read per request), back to back, at the HSM latency of the last run.
    let registry: { seconds: number; plain?: Figures; auto?: Figures } | undefined;
    if (REGISTRY_METERS > 0 && ONLY !== 'derived') {
      const seconds = await seedRegistry(pg, REGISTRY_METERS);
      registry = { seconds, plain: await run('credit', 2), auto: await run('credit-auto', 2) };
    }

    // One statement, so one snapshot: requests still in flight when autocannon stopped commit
    // their issuance and its audit event together, before or after it, never in between.
    const counts = (
      await pg.query<{ issued: string; unique_tids: string; audited: string }>(
        `SELECT (SELECT COUNT(*) FROM "${SCHEMA}".vending_issuances) AS issued,
                (SELECT COUNT(*) FROM (SELECT DISTINCT i.vending_key_id, i.iin, i.drn, t.tid
                                         FROM "${SCHEMA}".vending_issuances i
                                         JOIN "${SCHEMA}".vending_issuance_tids t
                                           ON t.issuance_id = i.id) d) AS unique_tids,
                (SELECT COUNT(*) FROM "${SCHEMA}".audit_events
                  WHERE action = 'vending.token.credit') AS audited`,
      )
    ).rows[0];
    const [issued, distinct, audited] = [counts.issued, counts.unique_tids, counts.audited].map(
      Number,
    );
    const row = (name: string, f: Figures | undefined): [string, string, string] =>
      f === undefined
        ? [name, 'not run', `BENCH_ONLY=${ONLY}`]
        : [
            name,
            `${fmt(f.rps)} /s`,
            `p50 ${fmt(f.p50)} ms, p99 ${fmt(f.p99)} ms, errors ${fmt(f.errors)} of ${fmt(f.total)}` +
              (f.cpuMsPerRequest === undefined
                ? ''
                : `, service CPU ${fmt(f.cpuMsPerRequest, 2)} ms per answer`) +
              (f.pgCpuMsPerRequest === undefined
                ? ''
                : `, PostgreSQL ${fmt(f.pgCpuMsPerRequest, 2)} ms`),
          ];
    printRows(
      'Vending over HTTP (target: >= 2,000 credit tokens/s at p99 < 50 ms, zero errors)',
      runs.flatMap((r) => {
        const at = shim ? ` (HSM +${fmt(r.latency, 1)} ms a call)` : '';
        return [row(`credit tokens${at}`, r.credit), row(`derived keys${at}`, r.derived)];
      }),
    );
    if (registry) {
      const { plain, auto } = registry;
      const extra = (f: (x: Figures) => number | undefined) =>
        plain && auto && f(plain) !== undefined && f(auto) !== undefined
          ? (f(auto) as number) - (f(plain) as number)
          : undefined;
      const cpu = extra((f) => f.cpuMsPerRequest);
      const pgCpu = extra((f) => f.pgCpuMsPerRequest);
      const added = cpu === undefined ? undefined : cpu + (pgCpu ?? 0);
      printRows(
        `Meter key registry of ${fmt(REGISTRY_METERS)} meters (filled in ${fmt(registry.seconds, 1)} s; ` +
          'target: < 0.2 ms added per token)',
        [
          row('credit tokens', plain),
          row('credit tokens, keyChange auto', auto),
          [
            'added per token by the registry read',
            added === undefined ? 'n/a' : `${fmt(added, 3)} ms`,
            `service CPU ${cpu === undefined ? 'n/a' : fmt(cpu, 3)} ms + PostgreSQL ${
              pgCpu === undefined ? 'n/a' : fmt(pgCpu, 3)
            } ms, p50 ${plain && auto ? fmt(auto.p50 - plain.p50, 1) : 'n/a'} ms`,
          ],
        ],
      );
    }
    printRows('Database after the runs', [
      ['credit tokens issued', fmt(issued), ''],
      [
        'distinct (meter, key, TID)',
        fmt(distinct),
        distinct === issued ? 'all distinct' : 'DUPLICATES',
      ],
      ['credit audit events', fmt(audited), audited === issued ? 'one per token' : 'MISMATCH'],
    ]);
    const lines = serviceOutput.join('').split('\n').filter(Boolean);
    console.log(`\nservice log lines (level warn and above): ${fmt(lines.length)}`);
    for (const l of lines.slice(0, 3)) console.log(`  ${l.slice(0, 300)}`);
    if (credit) {
      const met = credit.rps >= 2000 && credit.p99 < 50 && credit.errors === 0;
      const at = shim ? ` at +${fmt(HSM_LATENCY_MS, 1)} ms a token call` : '';
      console.log(`\ncredit target ${met ? 'met' : 'NOT met'}${at} on this machine`);
    }
    const loadAvg = loadavg()
      .map((l) => l.toFixed(2))
      .join(' ');
    console.log(`load average after the runs: ${loadAvg} (${availableParallelism()} cores)`);
    const errors = runs.reduce(
      (sum, r) => sum + (r.credit?.errors ?? 0) + (r.derived?.errors ?? 0),
      0,
    );
    if (distinct !== issued || audited !== issued || errors > 0) {
      process.exitCode = 1;
    }
  } finally {
    await Promise.all(
      workers.map(
        (w) =>
          new Promise<void>((resolve) => {
            if (w.isDead()) return resolve();
            const timer = setTimeout(() => {
              w.process.kill('SIGKILL');
              resolve();
            }, 10_000);
            w.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            w.process.kill('SIGTERM');
          }),
      ),
    );
    await pg.query(`DROP SCHEMA IF EXISTS "${SCHEMA}" CASCADE`).catch(() => undefined);
    await pg.end();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
