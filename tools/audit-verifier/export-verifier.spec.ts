import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditChain, signedCheckpoint } from '../../test/helpers/audit-chain';
import {
  type AuditCheckpoint,
  type ChainedAuditEvent,
  canonicalJson,
  checkpointLine,
  eventHash,
  eventLine,
  exportTrailerMessage,
  GENESIS_HASH,
  headerLine,
  keyFingerprint,
  trailerLine,
  verifyExportFile,
  type Witness,
  witnessOf,
} from './audit-verifier';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const EXPORTED_AT = '2025-01-01T01:00:00.000Z';
/** The cadence the exports below are made under: a checkpoint every 4 events, no timer. */
const EVERY = 4;

const signHex = (message: Buffer, key = privateKey) =>
  sign('sha256', message, { key, dsaEncoding: 'ieee-p1363' }).toString('hex');

const chain = auditChain;
const checkpoint = (e: ChainedAuditEvent): AuditCheckpoint => signedCheckpoint(e, privateKey);

function trailer(
  events: ChainedAuditEvent[],
  checkpoints: number,
  overrides: { exportedAt?: string; key?: typeof privateKey; every?: number } = {},
): string {
  const last = events[events.length - 1];
  const fields = {
    exportedAt: overrides.exportedAt ?? EXPORTED_AT,
    events: events.length,
    checkpoints,
    lastSeq: last?.seq ?? 0,
    lastHash: last?.hash ?? GENESIS_HASH,
    checkpointEvery: overrides.every ?? EVERY,
    checkpointSeconds: 0,
  };
  return trailerLine({
    ...fields,
    keyLabel: 'k',
    signature: signHex(exportTrailerMessage(fields), overrides.key),
  });
}

const header = (every = EVERY) =>
  headerLine({
    exportedAt: EXPORTED_AT,
    keyLabel: 'k',
    checkpointEvery: every,
    checkpointSeconds: 0,
  });

/**
 * The lines the service writes: header, events with checkpoints every {@link EVERY} events and
 * one at the head, signed trailer. `absent`: checkpoints no longer in the database when the
 * service made the export (so the trailer does not list them either).
 */
function exportOf(events: ChainedAuditEvent[], absent: number[] = []): string[] {
  const lines = [header()];
  let checkpoints = 0;
  for (const e of events) {
    lines.push(eventLine(e));
    if ((e.seq % EVERY === 0 || e.seq === events.length) && !absent.includes(e.seq)) {
      lines.push(checkpointLine(checkpoint(e)));
      checkpoints += 1;
    }
  }
  lines.push(trailer(events, checkpoints));
  return lines;
}

const isEvent = (l: string) => l.includes('"type":"event"');
const isCheckpoint = (l: string) => l.includes('"type":"checkpoint"');
const isTrailer = (l: string) => l.includes('"type":"trailer"');
const seqOf = (l: string) => (JSON.parse(l) as { seq: number }).seq;

describe('verifyExportFile (offline, public key only)', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sts-offline-verifier-'));
  let n = 0;
  const check = (
    lines: string[],
    key = pem,
    pins: { fingerprint?: string; witness?: Witness } = {},
  ) => {
    const file = join(dir, `export-${n++}.jsonl`);
    writeFileSync(file, lines.length ? lines.join('\n') + '\n' : '');
    return verifyExportFile(file, key, pins);
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const events = chain(10);
  const intact = exportOf(events);

  it('accepts an untouched export: every event signed, the trailer proving the end', async () => {
    const { type: _type, ...last } = JSON.parse(
      intact.find((l) => isCheckpoint(l) && seqOf(l) === 10)!,
    ) as AuditCheckpoint & { type: string };
    expect(await check(intact)).toEqual({
      ok: true,
      eventsChecked: 10,
      checkpointsChecked: 3,
      lastSeq: 10,
      lastSignedSeq: 10,
      lastCheckpoint: last,
      format: 'sts-audit-export/v2',
      exportedAt: EXPORTED_AT,
      cadence: { every: EVERY, seconds: 0 },
      keyFingerprint: keyFingerprint(pem),
      witness: witnessOf(last, keyFingerprint(pem)),
    });
  });

  it('accepts an export of an empty trail', async () => {
    expect(await check(exportOf([]))).toMatchObject({ ok: true, eventsChecked: 0, lastSeq: 0 });
  });

  it('refuses an untouched export under another public key', async () => {
    const pemOther = other.publicKey.export({ type: 'spki', format: 'pem' }).toString();
    expect((await check(intact, pemOther)).firstBroken).toMatchObject({
      seq: 4,
      reason: 'CHECKPOINT_SIGNATURE_INVALID',
    });
  });

  describe('a cut or thinned tail', () => {
    it('names the last N event lines dropped (checkpoints and trailer kept)', async () => {
      const cut = intact.filter((l) => !(isEvent(l) && seqOf(l) > 7));
      expect((await check(cut)).firstBroken).toMatchObject({
        seq: 8,
        reason: 'EVENTS_MISSING_AFTER_LAST',
        expectedLastSeq: 10,
        foundLastSeq: 7,
      });
    });

    it('names the last N events dropped with their checkpoint, the trailer kept', async () => {
      const cut = intact.filter((l) => !((isEvent(l) || isCheckpoint(l)) && seqOf(l) > 7));
      const result = await check(cut);
      expect(result.ok).toBe(false);
      expect(result.firstBroken).toMatchObject({
        seq: 8,
        reason: 'EVENTS_MISSING_AFTER_LAST',
        expectedLastSeq: 10,
        foundLastSeq: 7,
      });
      expect(result.firstBroken?.message).toContain('the signed export trailer');
    });

    it('names a file cut off after event N (events, final checkpoint and trailer gone)', async () => {
      const cut = intact.slice(0, intact.findIndex((l) => isEvent(l) && seqOf(l) === 7) + 1);
      expect(await check(cut)).toMatchObject({
        ok: false,
        lastSeq: 7,
        lastSignedSeq: 4,
        firstBroken: { seq: 5, reason: 'EXPORT_TRAILER_MISSING' },
      });
    });

    it('names a file cut off right after a checkpoint, where it looks complete', async () => {
      const cut = intact.slice(0, intact.findIndex((l) => isCheckpoint(l) && seqOf(l) === 8) + 1);
      expect((await check(cut)).firstBroken).toMatchObject({
        seq: 9,
        reason: 'EXPORT_TRAILER_MISSING',
      });
    });

    it('names a dropped trailer', async () => {
      const result = await check(intact.filter((l) => !isTrailer(l)));
      expect(result).toMatchObject({ ok: false, lastSeq: 10, lastSignedSeq: 10 });
      expect(result.firstBroken).toMatchObject({ seq: 11, reason: 'EXPORT_TRAILER_MISSING' });
      expect(result.firstBroken?.message).toMatch(/ends after event 10 without its signed trailer/);
    });

    it('names a cut export with a trailer rewritten to match (its signature fails)', async () => {
      const cut = intact.filter((l) => !((isEvent(l) || isCheckpoint(l)) && seqOf(l) > 7));
      const t = JSON.parse(cut.pop()!) as Record<string, unknown>;
      cut.push(
        canonicalJson({ ...t, events: 7, checkpoints: 1, lastSeq: 7, lastHash: events[6].hash }),
      );
      expect((await check(cut)).firstBroken).toMatchObject({
        seq: 5,
        reason: 'EXPORT_TRAILER_INVALID',
      });
    });

    it('names a trailer signed with another key or taken from another export', async () => {
      const foreign = [...intact.slice(0, -1), trailer(events, 3, { key: other.privateKey })];
      expect((await check(foreign)).firstBroken).toMatchObject({
        reason: 'EXPORT_TRAILER_INVALID',
      });
      const older = [...intact.slice(0, -1), trailer(events, 3, { exportedAt: '2024-01-01' })];
      expect((await check(older)).firstBroken).toMatchObject({
        reason: 'EXPORT_TRAILER_INVALID',
      });
    });

    it('names forged events appended before the trailer', async () => {
      const extra = chain(2, { seq: 11, prev: events[9].hash }).map(eventLine);
      const longer = [...intact.slice(0, -1), ...extra, intact[intact.length - 1]];
      expect((await check(longer)).firstBroken).toMatchObject({
        seq: 11,
        reason: 'EVENTS_BEYOND_HEAD',
        expectedLastSeq: 10,
        foundLastSeq: 12,
      });
    });
  });

  describe('stripped checkpoints', () => {
    it('names all checkpoints stripped', async () => {
      const result = await check(intact.filter((l) => !isCheckpoint(l)));
      expect(result).toMatchObject({ ok: false, lastSignedSeq: 0, checkpointsChecked: 0 });
      expect(result.firstBroken).toMatchObject({ seq: 1, reason: 'CHECKPOINTS_MISSING' });
      expect(result.firstBroken?.message).toMatch(/3 of the 3 checkpoints the trailer lists/);
    });

    it('names one checkpoint stripped from the middle', async () => {
      const result = await check(intact.filter((l) => !(isCheckpoint(l) && seqOf(l) === 4)));
      expect(result.firstBroken).toMatchObject({ reason: 'CHECKPOINTS_MISSING' });
    });

    it('names the final checkpoint stripped', async () => {
      const result = await check(intact.filter((l) => !(isCheckpoint(l) && seqOf(l) === 10)));
      expect(result.firstBroken).toMatchObject({ seq: 9, reason: 'CHECKPOINTS_MISSING' });
    });

    it('names a duplicated checkpoint line', async () => {
      const i = intact.findIndex((l) => isCheckpoint(l));
      const doubled = [...intact.slice(0, i + 1), intact[i], ...intact.slice(i + 1)];
      expect((await check(doubled)).firstBroken).toMatchObject({ reason: 'EXPORT_MALFORMED' });
    });
  });

  describe('the structure', () => {
    it('names a missing header and an empty file', async () => {
      expect((await check(intact.slice(1))).firstBroken).toMatchObject({
        seq: 1,
        reason: 'EXPORT_HEADER_MISSING',
        line: 1,
      });
      expect((await check([])).firstBroken).toMatchObject({ reason: 'EXPORT_HEADER_MISSING' });
    });

    it('names anything after the trailer', async () => {
      const after = [...intact, eventLine(chain(1, { seq: 11, prev: events[9].hash })[0])];
      expect((await check(after)).firstBroken).toMatchObject({
        seq: 11,
        reason: 'EXPORT_MALFORMED',
        line: intact.length + 1,
      });
    });

    it('names a line that is not JSON, and an unknown record', async () => {
      const garbled = [...intact];
      garbled[3] = garbled[3].slice(0, 20);
      expect((await check(garbled)).firstBroken).toMatchObject({
        reason: 'EXPORT_MALFORMED',
        line: 4,
      });
      const unknown = [...intact];
      unknown.splice(2, 0, '{"type":"note"}');
      expect((await check(unknown)).firstBroken).toMatchObject({
        reason: 'EXPORT_MALFORMED',
        line: 3,
      });
    });

    it('names a changed event before any problem of the structure', async () => {
      const changed = intact
        .filter((l) => !isTrailer(l))
        .map((l) => (isEvent(l) && seqOf(l) === 3 ? l.replace('alice', 'mallory') : l));
      expect((await check(changed)).firstBroken).toMatchObject({
        seq: 3,
        reason: 'HASH_MISMATCH',
      });
    });
  });

  describe('the checkpoint cadence the trailer signs', () => {
    const twenty = chain(20);

    it('tolerates one checkpoint missing: a span of twice the cadence', async () => {
      expect(await check(exportOf(twenty, [8]))).toMatchObject({ ok: true, lastSignedSeq: 20 });
    });

    it('names a longer span without a checkpoint, where the service exported what was left', async () => {
      expect((await check(exportOf(twenty, [8, 12]))).firstBroken).toMatchObject({
        seq: 5,
        reason: 'CHECKPOINT_GAP',
      });
      const result = await check(exportOf(twenty, [4, 8, 12, 16]));
      expect(result.firstBroken).toMatchObject({ seq: 1, reason: 'CHECKPOINT_GAP' });
      expect(result.firstBroken?.message).toContain('events 1 to 20 (20)');
    });

    it('names a header whose cadence was raised to hide the gap (the trailer signs the real one)', async () => {
      const lines = exportOf(twenty, [4, 8, 12, 16]);
      lines[0] = header(1000);
      expect((await check(lines)).firstBroken).toMatchObject({ reason: 'EXPORT_TRAILER_INVALID' });
      const t = JSON.parse(lines[lines.length - 1]) as Record<string, unknown>;
      lines[lines.length - 1] = canonicalJson({ ...t, checkpointEvery: 1000 });
      expect((await check(lines)).firstBroken).toMatchObject({ reason: 'EXPORT_TRAILER_INVALID' });
    });
  });

  describe('the key the auditor pinned and the witness the auditor holds', () => {
    const fingerprint = keyFingerprint(pem);
    const witnessAt = (e: ChainedAuditEvent, fp = fingerprint): Witness =>
      witnessOf(checkpoint(e), fp);

    it('accepts the pinned key and names another one, before reading the export', async () => {
      expect(await check(intact, pem, { fingerprint: fingerprint.toUpperCase() })).toMatchObject({
        ok: true,
      });
      const pemOther = other.publicKey.export({ type: 'spki', format: 'pem' }).toString();
      const result = await check(intact, pemOther, { fingerprint });
      expect(result).toMatchObject({ ok: false, eventsChecked: 0 });
      expect(result.firstBroken).toMatchObject({ seq: 1, reason: 'KEY_FINGERPRINT_MISMATCH' });
      expect(result.firstBroken?.message).toContain(fingerprint);
    });

    it('proves the export extends the witness and hands over the next one', async () => {
      const result = await check(intact, pem, { witness: witnessAt(events[7]) });
      expect(result).toMatchObject({ ok: true, lastSeq: 10 });
      expect(result.witness).toMatchObject({
        seq: 10,
        hash: events[9].hash,
        keyFingerprint: fingerprint,
      });
    });

    it('names a history rewritten and re-signed with the audit key (the token)', async () => {
      // The attacker changes event 3, recomputes every hash and signs every checkpoint and the
      // trailer again: without a witness the export is indistinguishable from an honest one.
      const rechained: ChainedAuditEvent[] = [];
      let prevHash = GENESIS_HASH;
      for (const e of events) {
        const fields = e.seq === 3 ? { ...e, actorName: 'mallory' } : e;
        const hash = eventHash(prevHash, fields);
        rechained.push({ ...fields, prevHash, hash });
        prevHash = hash;
      }
      const lines = exportOf(rechained);
      expect(await check(lines)).toMatchObject({ ok: true });
      expect(await check(lines, pem, { witness: witnessAt(events[7]) })).toMatchObject({
        ok: false,
        firstBroken: { seq: 8, reason: 'WITNESS_MISMATCH' },
      });
    });

    it('names a history cut back before the witness', async () => {
      const longer = chain(12);
      expect(
        (await check(intact, pem, { witness: witnessAt(longer[11]) })).firstBroken,
      ).toMatchObject({
        seq: 11,
        reason: 'WITNESS_BEYOND_END',
        expectedLastSeq: 12,
        foundLastSeq: 10,
      });
    });

    it('names a witness whose signature or key does not hold', async () => {
      const forgedSignature = { ...witnessAt(events[7]), hash: events[6].hash };
      expect((await check(intact, pem, { witness: forgedSignature })).firstBroken).toMatchObject({
        seq: 8,
        reason: 'WITNESS_INVALID',
      });
      const otherKey = witnessAt(events[7], 'ab'.repeat(32));
      expect((await check(intact, pem, { witness: otherKey })).firstBroken).toMatchObject({
        reason: 'KEY_FINGERPRINT_MISMATCH',
      });
    });
  });
});
