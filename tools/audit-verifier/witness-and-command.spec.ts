import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { WITNESS_FORMAT, parseWitness, verifyAuditCommand } from './audit-verifier';

const FIXTURES = join(__dirname, 'fixtures');
const V1_EXPORT = join(FIXTURES, 'export-v1.jsonl');
const V1_KEY = join(FIXTURES, 'export-v1.pub.pem');

const WITNESS = {
  format: WITNESS_FORMAT,
  seq: 5,
  hash: 'ab'.repeat(32),
  at: '2025-06-05T10:00:01.000Z',
  signature: 'cd'.repeat(64),
  keyFingerprint: 'ef'.repeat(32),
};

describe('parseWitness', () => {
  it('takes a well-formed witness as it is', () => {
    expect(parseWitness(WITNESS)).toEqual({ witness: WITNESS });
    expect(parseWitness({ ...WITNESS, seq: 1 })).toEqual({ witness: { ...WITNESS, seq: 1 } });
  });

  it.each([null, 'text', 5, [WITNESS]])('refuses %p as not an object', (value) => {
    expect(parseWitness(value)).toEqual({ problem: 'is not a JSON object' });
  });

  it.each([
    ['format', { format: 'sts-audit-witness/v0' }],
    ['format', { format: undefined }],
    ['seq', { seq: 0 }],
    ['seq', { seq: 1.5 }],
    ['seq', { seq: '5' }],
    ['seq', { seq: 2 ** 53 }],
    ['hash', { hash: 'AB'.repeat(32) }],
    ['hash', { hash: 'ab'.repeat(31) }],
    ['hash', { hash: `x${'ab'.repeat(32)}` }],
    ['hash', { hash: 5 }],
    ['at', { at: '' }],
    ['at', { at: 5 }],
    ['signature', { signature: 'cd'.repeat(63) }],
    ['signature', { signature: `${'cd'.repeat(64)}0` }],
    ['signature', { signature: null }],
    ['keyFingerprint', { keyFingerprint: 'ef'.repeat(31) }],
    ['keyFingerprint', { keyFingerprint: `${'ef'.repeat(32)} ` }],
    ['keyFingerprint', { keyFingerprint: undefined }],
    ['keyFingerprint', { keyFingerprint: `x${'ef'.repeat(32)}` }],
    ['keyFingerprint', { keyFingerprint: ['ef'.repeat(32)] }],
    ['hash', { hash: `${'ab'.repeat(32)}0` }],
    ['hash', { hash: ['ab'.repeat(32)] }],
    ['at', { at: ['x'] }],
    ['signature', { signature: ['cd'.repeat(64)] }],
  ])('names %s when it is %p', (field, change) => {
    expect(parseWitness({ ...WITNESS, ...change })).toEqual({
      problem: `field ${field} is missing or malformed`,
    });
  });

  it('names the first malformed field in the order of the format', () => {
    expect(parseWitness({ ...WITNESS, seq: 0, hash: '' })).toEqual({
      problem: 'field seq is missing or malformed',
    });
  });
});

describe('verify-audit, as an auditor runs it', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'verify-audit-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  async function run(argv: string[]): Promise<{ code: number; out: string; err: string }> {
    const out: string[] = [];
    const err: string[] = [];
    const code = await verifyAuditCommand(argv, {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
    });
    return { code, out: out.join(''), err: err.join('') };
  }

  it.each([
    [[]],
    [[V1_EXPORT]],
    [['--public-key', V1_KEY]],
    [['--public-key', V1_KEY, V1_EXPORT, V1_EXPORT]],
    [['--public-key', V1_KEY, '--verbose', V1_EXPORT]],
    [['--public-key']],
  ])('answers usage (exit 2) for %p', async (argv) => {
    const result = await run(argv);
    expect(result.code).toBe(2);
    expect(result.out).toBe('');
    expect(result.err).toMatch(/^verify-audit --public-key PEM/);
  });

  it('refuses a fingerprint that is not 64 hex digits (exit 2)', async () => {
    for (const fingerprint of ['ab'.repeat(31), `${'ab'.repeat(32)}0`, 'zz'.repeat(32)]) {
      const result = await run(['--public-key', V1_KEY, '--fingerprint', fingerprint, V1_EXPORT]);
      expect(result.code).toBe(2);
      expect(result.err).toMatch(/--fingerprint must be 64 hex digits/);
    }
  });

  it('refuses a witness file that is not JSON or not a witness (exit 2), and leaves it', async () => {
    const notJson = join(dir, 'not-json.json');
    writeFileSync(notJson, '{');
    const notWitness = join(dir, 'not-witness.json');
    writeFileSync(notWitness, JSON.stringify({ ...WITNESS, seq: 0 }));
    for (const [file, problem] of [
      [notJson, 'is not a JSON object'],
      [notWitness, 'field seq is missing or malformed'],
    ]) {
      const result = await run(['--public-key', V1_KEY, '--witness', file, V1_EXPORT]);
      expect(result.code).toBe(2);
      expect(result.err).toBe(`verify-audit: witness ${file}: ${problem}\n`);
    }
    expect(readFileSync(notJson, 'utf8')).toBe('{');
  });

  it('accepts a pinned fingerprint in either case and warns when nothing pins the key', async () => {
    const pinned = await run(['--public-key', V1_KEY, V1_EXPORT]);
    expect(pinned.code).toBe(0);
    expect(pinned.err).toMatch(/warning: the key is not pinned/);
    const fingerprint = (JSON.parse(pinned.out) as { keyFingerprint: string }).keyFingerprint;
    for (const given of [fingerprint, fingerprint.toUpperCase()]) {
      const result = await run(['--public-key', V1_KEY, '--fingerprint', given, V1_EXPORT]);
      expect(result.code).toBe(0);
      expect(result.err).not.toMatch(/warning/);
      expect(result.err).toMatch(/^audit export intact: events 1 to 5, 2 checkpoints/);
    }
  });

  it('fails (exit 1) for another key, naming the reason, and writes no witness', async () => {
    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const otherPem = join(dir, 'other.pem');
    writeFileSync(otherPem, other.publicKey.export({ type: 'spki', format: 'pem' }).toString());
    const witness = join(dir, 'never.json');
    const result = await run(['--public-key', otherPem, '--witness', witness, V1_EXPORT]);
    expect(result.code).toBe(1);
    expect(result.err).toMatch(/^audit export NOT intact: \w+ at event \d+: /);
    expect(existsSync(witness)).toBe(false);
  });

  it('creates the witness on a first run and says it extends it on the next', async () => {
    const witness = join(dir, 'witness.json');
    const first = await run(['--public-key', V1_KEY, '--witness', witness, V1_EXPORT]);
    expect(first.code).toBe(0);
    expect(first.err).toMatch(new RegExp(`witness ${witness} now holds event 5`));
    expect(JSON.parse(readFileSync(witness, 'utf8'))).toMatchObject({
      format: WITNESS_FORMAT,
      seq: 5,
    });
    const second = await run(['--public-key', V1_KEY, '--witness', witness, V1_EXPORT]);
    expect(second.code).toBe(0);
    expect(second.err).toMatch(/it extends the witness at event 5/);
    expect(second.err).not.toMatch(/warning/);
  });
});
