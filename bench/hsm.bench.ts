/**
 * `npm run bench:hsm`: key-boundary throughput through a real SoftHSM token, in one process and
 * in two processes (each with its own login), with the same operations in node:crypto measured
 * in the same run as the baseline. Creates its own temporary token with
 * keys-dev/setup-token.sh. Prints a table; asserts nothing.
 *
 * `--hsm-latency-ms N` (N > 0) adds two columns: the same SoftHSM token through the PKCS#11 shim
 * (test/pkcs11-shim, built with the machine's C compiler), which delays every PKCS#11 call by
 * N ms as a network HSM does.
 *
 * Worker mode (internal): `node hsm.bench.js --worker <json>` runs one measurement when its
 * parent writes "go" on stdin, and prints the result as one JSON line.
 */
import { type ChildProcessByStdio, execFileSync, spawn } from 'node:child_process';
import { createCipheriv, createHmac, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Readable, Writable } from 'node:stream';
import {
  type DerivationInput,
  derivedKeyBytes,
  dkga02Combine,
  dkga02Input,
  dkga04Message,
  parseDerivationInput,
  withCheckDigit,
} from '@sts/core';
import {
  type KeyCustody,
  type Pkcs11Config,
  Pkcs11KeyCustody,
  aesKeyWrapPad,
  decoderKeyCheckValue,
  secretKeyCheckValue,
} from '@sts/hsm';
import { latencyFlag, prepareShim } from './pkcs11-shim';

const ROOT = join(__dirname, '..', '..');
const HSM_LATENCY_MS = latencyFlag(process.argv.slice(2));

/** The shim's module path, pointed at `target` with `latencyMs` on every call. */
function shimAt(dir: string, target: string, latencyMs: number): string {
  const shim = prepareShim(dir, target);
  shim.setLatency(latencyMs);
  return shim.module;
}

const DURATION_MS = Number(process.env.BENCH_HSM_MS ?? 1500);
const BATCH = 256;
const DES_VK = Buffer.from('abababababababab', 'hex');
const HMAC_VK = Buffer.from('abababababababab949494949494949401234567', 'hex');
const TRANSPORT = Buffer.from('000102030405060708090a0b0c0d0e0f', 'hex');

/** The operations measured, in table order. */
const OPERATIONS = [
  'dkga04-batch',
  'dkga04-single',
  'dkga02-batch',
  'dkga02-single',
  'ea09',
  'export',
] as const;
type Operation = (typeof OPERATIONS)[number];

const TITLES: Record<Operation, string> = {
  'dkga04-batch': `DKGA04 derivations/s (batches of ${BATCH})`,
  'dkga04-single': 'DKGA04 derivations/s (one per call)',
  'dkga02-batch': `DKGA02 derivations/s (batches of ${BATCH})`,
  'dkga02-single': 'DKGA02 derivations/s (one per call)',
  ea09: `EA09 blocks/s (${BATCH} blocks per call)`,
  export: 'wrapped exports/s (derive + RFC 5649 + KCV)',
};

type Engine = 'softhsm' | 'node';
type Child = ChildProcessByStdio<Writable, Readable, null>;

interface Labels {
  readonly des: string;
  readonly hmac: string;
  readonly transport: string;
}

interface Job {
  readonly engine: Engine;
  readonly operation: Operation;
  readonly labels: Labels;
  readonly config: Pkcs11Config;
  readonly durationMs: number;
}

/** Distinct meters (DRN varies), so no two derivations in a batch are equal. */
function inputs(dkga: '02' | '04', count: number): DerivationInput[] {
  return Array.from({ length: count }, (_, i) =>
    parseDerivationInput({
      dkga,
      iin: '600727',
      drn: withCheckDigit(String(i).padStart(10, '0')),
      keyType: 2,
      sgc: '123457',
      tariffIndex: '01',
      krn: 1,
      ...(dkga === '04' ? { baseDate: 1993, ea: '07' } : {}),
    }),
  );
}

/** Runs `step` (which reports how many operations it did) until `durationMs` has passed. */
async function rate(
  durationMs: number,
  step: (i: number) => Promise<number> | number,
): Promise<number> {
  for (let i = 0; i < 3; i++) await step(i);
  let done = 0;
  let i = 0;
  const start = process.hrtime.bigint();
  const end = start + BigInt(durationMs) * 1_000_000n;
  let now = start;
  while (now < end) {
    done += await step(i++);
    now = process.hrtime.bigint();
  }
  return done / (Number(now - start) / 1e9);
}

/** One measurement through the token. */
function softHsmStep(
  custody: KeyCustody,
  labels: Labels,
  operation: Operation,
): (i: number) => Promise<number> {
  const dkga04Inputs = inputs('04', BATCH);
  const dkga02Inputs = inputs('02', BATCH);
  const blocks = Array.from({ length: BATCH }, () => randomBytes(8));
  const decoderKey = randomBytes(8);
  const zero = (keys: Uint8Array[]) => keys.forEach((k) => k.fill(0));
  switch (operation) {
    case 'dkga04-batch':
      return async () => {
        zero(await custody.deriveDecoderKeys(labels.hmac, dkga04Inputs));
        return BATCH;
      };
    case 'dkga04-single':
      return async (i) => {
        (await custody.deriveDecoderKey(labels.hmac, dkga04Inputs[i % BATCH])).fill(0);
        return 1;
      };
    case 'dkga02-batch':
      return async () => {
        zero(await custody.deriveDecoderKeys(labels.des, dkga02Inputs));
        return BATCH;
      };
    case 'dkga02-single':
      return async (i) => {
        (await custody.deriveDecoderKey(labels.des, dkga02Inputs[i % BATCH])).fill(0);
        return 1;
      };
    case 'ea09':
      return async () => {
        await custody.encryptEa09(decoderKey, blocks);
        return BATCH;
      };
    case 'export':
      return async (i) => {
        await custody.exportDecoderKey(labels.des, dkga02Inputs[i % BATCH], labels.transport);
        return 1;
      };
  }
}

/** The same operation with node:crypto (single DES as DES-EDE3 with K||K||K). */
function nodeStep(operation: Operation): (i: number) => number {
  const dkga04Inputs = inputs('04', BATCH);
  const dkga02Inputs = inputs('02', BATCH);
  const blocks = Buffer.concat(Array.from({ length: BATCH }, () => randomBytes(8)));
  const desKey = (key: Uint8Array) => Buffer.concat([key, key, key]);
  const vk3 = desKey(DES_VK);
  const des = (key3: Buffer, data: Uint8Array) => {
    const cipher = createCipheriv('des-ede3-ecb', key3, null).setAutoPadding(false);
    return Buffer.concat([cipher.update(data), cipher.final()]);
  };
  const dkga04One = (input: DerivationInput) => {
    const mac = createHmac('sha256', HMAC_VK).update(dkga04Message(input)).digest();
    return mac.subarray(0, derivedKeyBytes(input));
  };
  const dkga02Many = (list: readonly DerivationInput[]) => {
    const xs = list.map((input) => dkga02Input(input));
    const out = des(vk3, Buffer.concat(xs));
    return xs.map((x, i) => dkga02Combine(out.subarray(i * 8, i * 8 + 8), x, DES_VK));
  };
  switch (operation) {
    case 'dkga04-batch':
      return () => {
        for (const input of dkga04Inputs) dkga04One(input);
        return BATCH;
      };
    case 'dkga04-single':
      return (i) => {
        dkga04One(dkga04Inputs[i % BATCH]);
        return 1;
      };
    case 'dkga02-batch':
      return () => {
        dkga02Many(dkga02Inputs);
        return BATCH;
      };
    case 'dkga02-single':
      return (i) => {
        dkga02Many([dkga02Inputs[i % BATCH]]);
        return 1;
      };
    case 'ea09':
      return () => {
        des(desKey(randomBytes(8)), blocks);
        return BATCH;
      };
    case 'export':
      return (i) => {
        const [dk] = dkga02Many([dkga02Inputs[i % BATCH]]);
        aesKeyWrapPad(TRANSPORT, dk);
        decoderKeyCheckValue(dk);
        return 1;
      };
  }
}

/** Runs one job in this process and returns operations per second. */
async function runJob(job: Job, custody?: KeyCustody): Promise<number> {
  if (job.engine === 'node') return rate(job.durationMs, nodeStep(job.operation));
  return rate(job.durationMs, softHsmStep(custody!, job.labels, job.operation));
}

/** Worker: open (own login), report ready, wait for "go", measure, report. */
async function worker(json: string): Promise<void> {
  const job = JSON.parse(json) as Job;
  const custody = job.engine === 'softhsm' ? await Pkcs11KeyCustody.open(job.config) : undefined;
  try {
    process.stdout.write('ready\n');
    await new Promise<void>((resolve) => process.stdin.once('data', () => resolve()));
    const perSecond = await runJob(job, custody);
    process.stdout.write(`${JSON.stringify({ perSecond })}\n`);
  } finally {
    await custody?.close();
    process.stdin.destroy();
  }
}

/** Starts `count` worker processes, releases them together, and sums their rates. */
async function inProcesses(job: Job, count: number): Promise<number> {
  const children: Child[] = [];
  const lines = (child: Child) => {
    const queue: string[] = [];
    const waiters: ((line: string) => void)[] = [];
    let buffer = '';
    child.stdout.on('data', (chunk: Buffer) => {
      buffer += chunk.toString();
      let newline: number;
      while ((newline = buffer.indexOf('\n')) >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        const waiter = waiters.shift();
        if (waiter) waiter(line);
        else queue.push(line);
      }
    });
    return () =>
      new Promise<string>((resolve, reject) => {
        const line = queue.shift();
        if (line !== undefined) resolve(line);
        else {
          waiters.push(resolve);
          child.once('exit', (code) => reject(new Error(`bench worker exited with ${code}`)));
        }
      });
  };
  const readers: (() => Promise<string>)[] = [];
  for (let i = 0; i < count; i++) {
    const child = spawn(process.execPath, [__filename, '--worker', JSON.stringify(job)], {
      env: process.env,
      stdio: ['pipe', 'pipe', 'inherit'],
    });
    children.push(child);
    readers.push(lines(child));
  }
  await Promise.all(readers.map((read) => read()));
  for (const child of children) child.stdin.write('go\n');
  const results = await Promise.all(readers.map((read) => read()));
  return results.reduce(
    (sum, line) => sum + (JSON.parse(line) as { perSecond: number }).perSecond,
    0,
  );
}

/** Loads a key whose value the baseline also uses, through a two-component ceremony. */
async function loadKnown(
  custody: KeyCustody,
  label: string,
  algorithm: 'DES' | 'HMAC' | 'AES',
  usage: 'DERIVE' | 'WRAP',
  value: Buffer,
): Promise<void> {
  const first = randomBytes(value.length);
  const second = Buffer.from(value.map((b, i) => b ^ first[i]));
  await custody.storeComponent(`bench-${label}`, 1, algorithm, first);
  await custody.storeComponent(`bench-${label}`, 2, algorithm, second);
  await custody.completeCeremony(
    `bench-${label}`,
    2,
    { label, algorithm, usage },
    secretKeyCheckValue(algorithm, value),
  );
}

function fmt(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

async function main(): Promise<void> {
  const dir = mkdtempSync(join(tmpdir(), 'sts-bench-hsm-'));
  try {
    const output = execFileSync(join(ROOT, 'keys-dev', 'setup-token.sh'), {
      env: { ...process.env, STS_HSM_DIR: dir, STS_HSM_TOKEN_LABEL: 'sts-bench' },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    for (const line of output.split('\n')) {
      const match = /^export ([A-Z0-9_]+)=(.*)$/.exec(line.trim());
      if (match !== null) process.env[match[1]] = match[2].replace(/\\(.)/g, '$1');
    }
    const config: Pkcs11Config = {
      modulePath: process.env.STS_HSM_MODULE ?? '',
      tokenLabel: process.env.STS_HSM_TOKEN_LABEL ?? '',
      pin: process.env.STS_HSM_PIN ?? '',
    };
    const labels: Labels = { des: 'bench-vk02', hmac: 'bench-vk04', transport: 'bench-tk' };
    const custody = await Pkcs11KeyCustody.open(config);
    const results = new Map<string, number>();
    try {
      await loadKnown(custody, labels.des, 'DES', 'DERIVE', DES_VK);
      await loadKnown(custody, labels.hmac, 'HMAC', 'DERIVE', HMAC_VK);
      await loadKnown(custody, labels.transport, 'AES', 'WRAP', TRANSPORT);
      const report = custody.startupSelfTest;
      console.log(
        `SoftHSM token ${report?.token.label} (${report?.token.library}); self-test ${report?.ok ? 'passed' : 'FAILED'}`,
      );
      console.log(
        `each figure: ${DURATION_MS} ms of work after a warm-up; node ${process.version}\n`,
      );
      for (const operation of OPERATIONS) {
        const job = (engine: Engine): Job => ({
          engine,
          operation,
          labels,
          config,
          durationMs: DURATION_MS,
        });
        results.set(`${operation}/softhsm/1`, await runJob(job('softhsm'), custody));
        results.set(`${operation}/node/1`, await runJob(job('node')));
      }
    } finally {
      await custody.close();
    }
    for (const operation of OPERATIONS) {
      const job = (engine: Engine): Job => ({
        engine,
        operation,
        labels,
        config,
        durationMs: DURATION_MS,
      });
      results.set(`${operation}/softhsm/2`, await inProcesses(job('softhsm'), 2));
      results.set(`${operation}/node/2`, await inProcesses(job('node'), 2));
    }
    if (HSM_LATENCY_MS > 0) {
      const shimConfig: Pkcs11Config = {
        ...config,
        modulePath: shimAt(dir, config.modulePath, HSM_LATENCY_MS),
      };
      const shimJob = (operation: Operation): Job => ({
        engine: 'softhsm',
        operation,
        labels,
        config: shimConfig,
        durationMs: DURATION_MS,
      });
      const shimmed = await Pkcs11KeyCustody.open(shimConfig);
      try {
        for (const operation of OPERATIONS) {
          results.set(`${operation}/shim/1`, await runJob(shimJob(operation), shimmed));
        }
      } finally {
        await shimmed.close();
      }
      for (const operation of OPERATIONS) {
        results.set(`${operation}/shim/2`, await inProcesses(shimJob(operation), 2));
      }
    }
    printTable(results);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function printTable(results: ReadonlyMap<string, number>): void {
  const shim = HSM_LATENCY_MS > 0;
  const header = [
    'operation',
    'SoftHSM 1 proc',
    'SoftHSM 2 procs',
    ...(shim ? [`+${HSM_LATENCY_MS} ms 1 proc`, `+${HSM_LATENCY_MS} ms 2 procs`] : []),
    'node:crypto 1 proc',
    'node:crypto 2 procs',
  ];
  const columns = [
    'softhsm/1',
    'softhsm/2',
    ...(shim ? ['shim/1', 'shim/2'] : []),
    'node/1',
    'node/2',
  ];
  const rows = OPERATIONS.map((operation) => [
    TITLES[operation],
    ...columns.map((column) => fmt(results.get(`${operation}/${column}`) ?? 0)),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' | ')} |`;
  console.log(line(header));
  console.log(
    `|${widths.map((w, i) => (i === 0 ? '-'.repeat(w + 2) : `${'-'.repeat(w + 1)}:`)).join('|')}|`,
  );
  for (const row of rows) console.log(line(row));
  const verdict = (key: string, target: number) => {
    const value = results.get(key) ?? 0;
    return `${fmt(value)}/s vs target ${fmt(target)}/s: ${value >= target ? 'met' : 'NOT MET'}`;
  };
  console.log('\ntargets (SoftHSM, one process, batch method):');
  console.log(`  DKGA04 ${verdict('dkga04-batch/softhsm/1', 100_000)}`);
  console.log(`  DKGA02 ${verdict('dkga02-batch/softhsm/1', 60_000)}`);
}

if (process.argv[2] === '--worker') {
  worker(process.argv[3]).catch((error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exitCode = 1;
  });
} else {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? `${error.name}: ${error.message}` : error);
    process.exitCode = 1;
  });
}
