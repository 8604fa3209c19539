import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EXPORT_FORMAT,
  EXPORT_FORMAT_V1,
  exportTrailerMessage,
  exportTrailerMessageV1,
  isExportTrailer,
  verifyAuditCommand,
  verifyExportFile,
} from './audit-verifier';

const FIXTURES = join(__dirname, 'fixtures');
const V1_EXPORT = readFileSync(join(FIXTURES, 'export-v1.jsonl'), 'utf8');
const V1_KEY = readFileSync(join(FIXTURES, 'export-v1.pub.pem'), 'utf8');
const V1_LAST_HASH = 'a6c20b1b46982309ce3d5522b680d6be54e5e0a416ee7621d6907d26bf4a5ed1';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'export-formats-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

let files = 0;
function file(text: string): string {
  const path = join(dir, `export-${(files += 1)}.jsonl`);
  writeFileSync(path, text);
  return path;
}
const lines = (text: string) => text.trimEnd().split('\n');
const records = () => lines(V1_EXPORT).map((l) => JSON.parse(l) as Record<string, unknown>);
const jsonl = (rs: readonly Record<string, unknown>[]) =>
  `${rs.map((r) => JSON.stringify(r)).join('\n')}\n`;

describe('the signed trailer message of each export format (fixed text)', () => {
  const fields = {
    exportedAt: '2026-01-02T03:04:05.678Z',
    events: 12,
    checkpoints: 3,
    lastSeq: 12,
    lastHash: 'ab'.repeat(32),
  };

  it('v2 signs the format, the export and the cadence, one per line', () => {
    expect(EXPORT_FORMAT).toBe('sts-audit-export/v2');
    expect(
      exportTrailerMessage({ ...fields, checkpointEvery: 1000, checkpointSeconds: 60 }).toString(
        'utf8',
      ),
    ).toBe(
      `sts-audit-export/v2\n2026-01-02T03:04:05.678Z\n12\n3\n12\n${'ab'.repeat(32)}\n1000\n60`,
    );
  });

  it('v1 signed the same without the cadence', () => {
    expect(EXPORT_FORMAT_V1).toBe('sts-audit-export/v1');
    expect(exportTrailerMessageV1(fields).toString('utf8')).toBe(
      `sts-audit-export/v1\n2026-01-02T03:04:05.678Z\n12\n3\n12\n${'ab'.repeat(32)}`,
    );
  });

  it('takes a v1 trailer without cadence and a v2 trailer only with one', () => {
    const trailer = records().at(-1)!;
    expect(isExportTrailer(trailer)).toBe(true);
    expect(isExportTrailer({ ...trailer, format: EXPORT_FORMAT })).toBe(false);
    expect(
      isExportTrailer({
        ...trailer,
        format: EXPORT_FORMAT,
        checkpointEvery: 4,
        checkpointSeconds: 0,
      }),
    ).toBe(true);
    expect(
      isExportTrailer({
        ...trailer,
        format: EXPORT_FORMAT,
        checkpointEvery: 4,
        checkpointSeconds: -1,
      }),
    ).toBe(false);
    expect(isExportTrailer({ ...trailer, format: 'sts-audit-export/v3' })).toBe(false);
  });
});

describe('an export in the first format (sts-audit-export/v1)', () => {
  it('still verifies intact, and says it states no cadence', async () => {
    const result = await verifyExportFile(file(V1_EXPORT), V1_KEY);
    expect(result).toMatchObject({
      ok: true,
      format: EXPORT_FORMAT_V1,
      exportedAt: '2025-06-06T00:00:00.000Z',
      eventsChecked: 5,
      checkpointsChecked: 2,
      lastSeq: 5,
      lastSignedSeq: 5,
      witness: { seq: 5, hash: V1_LAST_HASH },
    });
    expect(result.firstBroken).toBeUndefined();
    expect(result.cadence).toBeUndefined();
  });

  it('is not intact when cut, altered, or signed by another key', async () => {
    const cut = lines(V1_EXPORT).slice(0, -1).join('\n');
    expect((await verifyExportFile(file(cut), V1_KEY)).firstBroken).toMatchObject({
      reason: 'EXPORT_TRAILER_MISSING',
      seq: 6,
    });

    const altered = records();
    altered[2] = { ...altered[2], actorName: 'Mallory' };
    expect((await verifyExportFile(file(jsonl(altered)), V1_KEY)).firstBroken).toMatchObject({
      reason: 'HASH_MISMATCH',
      seq: 2,
    });

    const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const otherPem = other.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect((await verifyExportFile(file(V1_EXPORT), otherPem)).ok).toBe(false);
  });

  it('cannot be passed off as the current format, nor mixed with it', async () => {
    const relabelled = records().map((r) =>
      r.type === 'header' || r.type === 'trailer'
        ? { ...r, format: EXPORT_FORMAT, checkpointEvery: 1_000_000, checkpointSeconds: 0 }
        : r,
    );
    expect((await verifyExportFile(file(jsonl(relabelled)), V1_KEY)).firstBroken).toMatchObject({
      reason: 'EXPORT_TRAILER_INVALID',
    });

    const mixed = records();
    mixed[0] = { ...mixed[0], format: EXPORT_FORMAT, checkpointEvery: 4, checkpointSeconds: 0 };
    expect((await verifyExportFile(file(jsonl(mixed)), V1_KEY)).firstBroken).toMatchObject({
      reason: 'EXPORT_TRAILER_INVALID',
    });
  });

  it('applies no span rule to v1, where the cadence is unknown', async () => {
    // The same events and trailer re-signed as v1 without the checkpoint after event 4: an
    // export the v2 rule would need a cadence to judge.
    const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const rs = records();
    const resign = (message: Buffer) =>
      sign('sha256', message, { key: privateKey, dsaEncoding: 'ieee-p1363' }).toString('hex');
    const kept = rs.filter((r) => !(r.type === 'checkpoint' && r.seq === 4));
    const checkpoint = kept.find((r) => r.type === 'checkpoint')!;
    const at = checkpoint.at as string;
    checkpoint.signature = resign(
      Buffer.from(`sts-audit-checkpoint/v1\n5\n${V1_LAST_HASH}\n${at}`, 'utf8'),
    );
    const trailer = kept.at(-1)!;
    trailer.checkpoints = 1;
    trailer.signature = resign(
      exportTrailerMessageV1({
        exportedAt: trailer.exportedAt as string,
        events: 5,
        checkpoints: 1,
        lastSeq: 5,
        lastHash: V1_LAST_HASH,
      }),
    );
    expect(await verifyExportFile(file(jsonl(kept)), pem)).toMatchObject({
      ok: true,
      checkpointsChecked: 1,
      format: EXPORT_FORMAT_V1,
    });
  });

  it('verify-audit says what a v1 export cannot prove', async () => {
    const pemPath = join(dir, 'v1.pem');
    writeFileSync(pemPath, V1_KEY);
    const out: string[] = [];
    const err: string[] = [];
    const code = await verifyAuditCommand(['--public-key', pemPath, file(V1_EXPORT)], {
      out: (t) => out.push(t),
      err: (t) => err.push(t),
    });
    expect(code).toBe(0);
    expect(JSON.parse(out.join(''))).toMatchObject({ ok: true, format: EXPORT_FORMAT_V1 });
    expect(err.join('')).toMatch(/sts-audit-export\/v1 states no checkpoint cadence/);
  });
});

describe('the structure of an export, record by record', () => {
  const trailer = () => records().at(-1)!;

  it.each([
    ['a header', { type: 'header' }],
    ['a numeric export time', { exportedAt: 5 }],
    ['no key label', { keyLabel: undefined }],
    ['a fractional count', { events: 1.5 }],
    ['a count in text', { checkpoints: '2' }],
    ['a negative count', { lastSeq: -1 }],
    ['an upper-case hash', { lastHash: V1_LAST_HASH.toUpperCase() }],
    ['a hash with a suffix', { lastHash: `${V1_LAST_HASH}0` }],
    ['a hash with a prefix', { lastHash: `0${V1_LAST_HASH}` }],
    ['a hash that is not text', { lastHash: [V1_LAST_HASH] }],
    ['no signature', { signature: undefined }],
  ])('is not a trailer with %s', (_what, change) => {
    expect(isExportTrailer({ ...trailer(), ...change })).toBe(false);
  });

  it.each([
    ['a fractional cadence', { checkpointEvery: 1.5, checkpointSeconds: 0 }],
    ['a cadence in text', { checkpointEvery: '4', checkpointSeconds: 0 }],
    ['no timer', { checkpointEvery: 4 }],
    ['no cadence', {}],
  ])('is not a current-format trailer with %s', (_what, change) => {
    expect(isExportTrailer({ ...trailer(), format: EXPORT_FORMAT, ...change })).toBe(false);
  });

  it('skips blank lines anywhere', async () => {
    const spaced = lines(V1_EXPORT)
      .flatMap((l) => [l, '', '   '])
      .join('\n');
    expect(await verifyExportFile(file(spaced), V1_KEY)).toMatchObject({ ok: true });
  });

  it.each(['null', '[]', '5', '"text"', '{'])(
    'names a line that is %s as malformed',
    async (bad) => {
      const broken = lines(V1_EXPORT);
      broken.splice(3, 0, bad);
      expect((await verifyExportFile(file(broken.join('\n')), V1_KEY)).firstBroken).toMatchObject({
        reason: 'EXPORT_MALFORMED',
        line: 4,
      });
    },
  );

  it.each([
    ['an event first', (rs: Record<string, unknown>[]) => rs.slice(1)],
    [
      'a v1 header typed otherwise',
      (rs: Record<string, unknown>[]) => [{ ...rs[0], type: 'note' }, ...rs.slice(1)],
    ],
    [
      'an unknown format',
      (rs: Record<string, unknown>[]) => [
        { ...rs[0], format: 'sts-audit-export/v3' },
        ...rs.slice(1),
      ],
    ],
    [
      'a v2 header typed otherwise',
      (rs: Record<string, unknown>[]) => [
        { ...rs[0], type: 'note', format: EXPORT_FORMAT, checkpointEvery: 4, checkpointSeconds: 0 },
        ...rs.slice(1),
      ],
    ],
    [
      'a v2 header without cadence',
      (rs: Record<string, unknown>[]) => [{ ...rs[0], format: EXPORT_FORMAT }, ...rs.slice(1)],
    ],
    [
      'a v2 header with cadence 0',
      (rs: Record<string, unknown>[]) => [
        { ...rs[0], format: EXPORT_FORMAT, checkpointEvery: 0, checkpointSeconds: 0 },
        ...rs.slice(1),
      ],
    ],
    [
      'a v2 header with a negative timer',
      (rs: Record<string, unknown>[]) => [
        { ...rs[0], format: EXPORT_FORMAT, checkpointEvery: 4, checkpointSeconds: -1 },
        ...rs.slice(1),
      ],
    ],
  ])('wants the header first: not %s', async (_what, edit) => {
    expect(
      (await verifyExportFile(file(jsonl(edit(records()))), V1_KEY)).firstBroken,
    ).toMatchObject({
      reason: 'EXPORT_HEADER_MISSING',
      line: 1,
    });
  });

  it('names anything after the trailer', async () => {
    const after = `${V1_EXPORT}${lines(V1_EXPORT)[1]}\n`;
    expect((await verifyExportFile(file(after), V1_KEY)).firstBroken).toMatchObject({
      reason: 'EXPORT_MALFORMED',
      line: 10,
    });
  });
});
