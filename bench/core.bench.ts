/**
 * `npm run bench:core`: STS core throughput on one thread, with node:crypto and JSON baselines
 * measured in the same run (issue: STS core library). Prints figures; asserts nothing.
 */
import { spawn } from 'node:child_process';
import { createCipheriv, createHmac } from 'node:crypto';
import {
  createReadStream,
  createWriteStream,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { once } from 'node:events';
import {
  buildCreditToken,
  createCipher,
  decodeToken,
  dkga02,
  dkga04,
  parseDerivationInput,
  bytesToBlock,
  Ea07Cipher,
} from '@sts/core';
import { fmt, opsPerSecond, printRows, timeMs } from './measure';

const ROOT = join(__dirname, '..', '..');
const BATCH_LINES = Number(process.env.BENCH_BATCH_LINES ?? 1_000_000);

function tokenRates(): [string, string, string?][] {
  const ea07 = createCipher('07', 'e653341f9d5bf36f');
  const ea11 = createCipher('11', 'f94b6ed353c3bfdb113e2d3a7ea3c41d');
  const amount = (i: number) => ((i % 16000) + 1) / 10;
  const ea07Rate = opsPerSecond((i) =>
    buildCreditToken(ea07, { subclass: 0, rnd: i & 15, tid: i & 0xffffff, amount: amount(i) }),
  );
  const ea11Rate = opsPerSecond((i) =>
    buildCreditToken(ea11, { subclass: 0, rnd: i & 15, tid: i & 0xffffff, amount: amount(i) }),
  );
  const key = Uint8Array.from(Buffer.from('e653341f9d5bf36f', 'hex'));
  const perMeter = opsPerSecond((i) => {
    const c = createCipher('07', key);
    buildCreditToken(c, { subclass: 0, rnd: 5, tid: i & 0xffffff, amount: 1 });
  });
  const tokens = Array.from({ length: 4096 }, (_, i) =>
    buildCreditToken(ea07, { subclass: 0, rnd: 5, tid: i, amount: amount(i) }),
  );
  const decodes = opsPerSecond((i) => decodeToken(tokens[i & 4095], { cipher: ea07 }));
  return [
    [
      'EA07 credit tokens/s (build + CRC + encrypt + 20 digits)',
      fmt(ea07Rate),
      `target >= 300,000: ${ea07Rate >= 300_000 ? 'met' : 'NOT MET'}`,
    ],
    [
      'EA11 credit tokens/s',
      fmt(ea11Rate),
      `target >= 150,000: ${ea11Rate >= 150_000 ? 'met' : 'NOT MET'}`,
    ],
    ['EA07 credit tokens/s, new cipher per token', fmt(perMeter)],
    ['EA07 decodes/s (parse + decrypt + CRC + fields)', fmt(decodes)],
  ];
}

function derivationRates(): [string, string, string?][] {
  const fields = {
    iin: '600727',
    drn: '00000000000',
    keyType: 2,
    sgc: '123456',
    tariffIndex: '01',
    krn: 1,
  };
  const in02 = parseDerivationInput({ ...fields, dkga: '02' });
  const in04 = parseDerivationInput({ ...fields, dkga: '04', baseDate: 2014, ea: '11' });
  const vk02 = Uint8Array.from(Buffer.from('abababababababab', 'hex'));
  const vk04 = Uint8Array.from(Buffer.from('abababababababab949494949494949401234567', 'hex'));
  return [
    ['DKGA02 derivations/s (pure TypeScript DES)', fmt(opsPerSecond(() => dkga02(vk02, in02)))],
    ['DKGA04 derivations/s (node:crypto HMAC)', fmt(opsPerSecond(() => dkga04(vk04, in04)))],
  ];
}

function blockCosts(): { rows: [string, string, string?][]; nativeNs: number } {
  const key = Buffer.from('e653341f9d5bf36f', 'hex');
  const data = Buffer.alloc(8 * 1024 * 1024, 0x5a);
  const des = createCipheriv('des-ede-ecb', Buffer.concat([key, key]), null);
  des.setAutoPadding(false);
  des.update(data); // warm-up
  const blocks = data.length / 8;
  const runs = 5;
  const ms = timeMs(() => {
    for (let r = 0; r < runs; r++) des.update(data);
  });
  const nativeNs = (ms * 1e6) / (blocks * runs);
  const ea07 = new Ea07Cipher(key);
  const block = bytesToBlock(key);
  const ea07Ns = 1e9 / opsPerSecond(() => ea07.encryptBlock(block));
  const hmacKey = Buffer.alloc(20, 0xab);
  const msg = Buffer.alloc(49, 1);
  const hmac = opsPerSecond(() => createHmac('sha256', hmacKey).update(msg).digest());
  return {
    nativeNs,
    rows: [
      ['node:crypto bulk DES-ECB ns per 8-byte block (8 MiB update)', fmt(nativeNs, 1)],
      [
        'EA07 ns per block (one block at a time)',
        fmt(ea07Ns, 1),
        `ratio ${fmt(ea07Ns / nativeNs, 2)}x, target <= 10x: ${ea07Ns / nativeNs <= 10 ? 'met' : 'NOT MET'}`,
      ],
      ['node:crypto HMAC-SHA-256 ops/s (49-byte message)', fmt(hmac)],
    ],
  };
}

/** The batch input: the conformance requests, cycled, with unique ids. */
async function writeBatchInput(dir: string): Promise<{ file: string; lines: string[] }> {
  const requests = readFileSync(join(ROOT, 'test', 'vectors', 'sts-vectors.jsonl'), 'utf8')
    .split('\n')
    .filter((l) => l.trim())
    .map((l) => (JSON.parse(l) as { request: Record<string, unknown> }).request);
  const file = join(dir, 'batch.jsonl');
  const lines = requests.map((r) => JSON.stringify(r));
  const out = createWriteStream(file);
  let chunk = '';
  for (let i = 0; i < BATCH_LINES; i++) {
    const r = requests[i % requests.length];
    chunk += `${JSON.stringify({ ...r, id: `${String(r.id)}#${i}` })}\n`;
    if (chunk.length > 1 << 20) {
      out.write(chunk);
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return { file, lines };
}

/** Runs `node <args>` with stdin from `input`, stdout discarded; wall time and peak RSS. */
async function runChild(
  args: string[],
  input: string,
  preload: string,
): Promise<{ ms: number; rssMb: number; code: number | null }> {
  const start = process.hrtime.bigint();
  const child = spawn(process.execPath, ['-r', preload, ...args], {
    stdio: ['pipe', 'ignore', 'pipe'],
  });
  createReadStream(input).pipe(child.stdin);
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  const [code] = (await once(child, 'close')) as [number | null];
  const ms = Number(process.hrtime.bigint() - start) / 1e6;
  const match = /MAXRSS_KB (\d+)/.exec(stderr);
  return { ms, rssMb: match ? Number(match[1]) / 1024 : NaN, code };
}

async function batchRates(): Promise<[string, string, string?][]> {
  const dir = mkdtempSync(join(tmpdir(), 'sts-bench-'));
  try {
    const preload = join(dir, 'maxrss.js');
    // Peak RSS of the child's own address space: VmHWM. (getrusage's maxrss also counts the
    // forked parent's pages on Linux, since the high-water mark survives execve.)
    writeFileSync(
      preload,
      `process.on('exit', () => {
  let kb = process.resourceUsage().maxRSS;
  try { kb = Number(/VmHWM:\\s+(\\d+)/.exec(require('fs').readFileSync('/proc/self/status', 'utf8'))[1]); } catch {}
  process.stderr.write('MAXRSS_KB ' + kb + '\\n');
});
`,
    );
    const echo = join(dir, 'json-echo.js');
    writeFileSync(
      echo,
      `// The floor: stream stdin lines, JSON.parse and JSON.stringify each, write them out.
let pending = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk) => {
  const lines = (pending + chunk).split('\\n');
  pending = lines.pop();
  let out = '';
  for (const line of lines) if (line) out += JSON.stringify(JSON.parse(line)) + '\\n';
  if (!process.stdout.write(out)) { process.stdin.pause(); process.stdout.once('drain', () => process.stdin.resume()); }
});
`,
    );
    const { file, lines } = await writeBatchInput(dir);
    const inProcess = opsPerSecond((i) => JSON.stringify(JSON.parse(lines[i % lines.length])));
    const floor = await runChild([echo], file, preload);
    const batch = await runChild(
      [join(ROOT, 'apps', 'sts-cli', 'bin', 'sts.js'), 'batch'],
      file,
      preload,
    );
    const batchRate = (BATCH_LINES / batch.ms) * 1000;
    const floorRate = (BATCH_LINES / floor.ms) * 1000;
    const ratio = batch.ms / floor.ms;
    return [
      [
        `sts batch lines/s (${fmt(BATCH_LINES)} conformance lines, child process)`,
        fmt(batchRate),
        `exit ${batch.code}`,
      ],
      [
        'sts batch peak RSS (MB)',
        fmt(batch.rssMb, 1),
        `target < 150 MB: ${batch.rssMb < 150 ? 'met' : 'NOT MET'}`,
      ],
      [
        'JSON round-trip floor lines/s (same lines, same streaming I/O)',
        fmt(floorRate),
        `exit ${floor.code}, peak RSS ${fmt(floor.rssMb, 1)} MB`,
      ],
      [
        'sts batch time / JSON floor time',
        `${fmt(ratio, 2)}x`,
        `target <= 3x: ${ratio <= 3 ? 'met' : 'NOT MET'}`,
      ],
      ['JSON parse+stringify of the same lines, in process, lines/s', fmt(inProcess)],
    ];
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  console.log(
    `STS core benchmark — node ${process.version}, single thread, ${new Date().toISOString()}`,
  );
  printRows('Tokens', tokenRates());
  printRows('Decoder key derivation (software)', derivationRates());
  printRows('Per-block cost and baselines', blockCosts().rows);
  printRows('Batch mode', await batchRates());
}

void main();
