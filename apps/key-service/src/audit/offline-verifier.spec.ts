import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditChain, signedCheckpoint } from '../../../../test/helpers/audit-chain';
import {
  type AuditCheckpoint,
  type ChainedAuditEvent,
  canonicalJson,
  GENESIS_HASH,
} from './audit-chain';
import {
  checkpointLine,
  eventLine,
  exportTrailerMessage,
  headerLine,
  trailerLine,
} from './export-format';
import { verifyExportFile } from './offline-verifier';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const EXPORTED_AT = '2025-01-01T01:00:00.000Z';

const signHex = (message: Buffer, key = privateKey) =>
  sign('sha256', message, { key, dsaEncoding: 'ieee-p1363' }).toString('hex');

const chain = auditChain;
const checkpoint = (e: ChainedAuditEvent): AuditCheckpoint => signedCheckpoint(e, privateKey);

function trailer(
  events: ChainedAuditEvent[],
  checkpoints: number,
  overrides: { exportedAt?: string; key?: typeof privateKey } = {},
): string {
  const last = events[events.length - 1];
  const fields = {
    exportedAt: overrides.exportedAt ?? EXPORTED_AT,
    events: events.length,
    checkpoints,
    lastSeq: last?.seq ?? 0,
    lastHash: last?.hash ?? GENESIS_HASH,
  };
  return trailerLine({
    ...fields,
    keyLabel: 'k',
    signature: signHex(exportTrailerMessage(fields), overrides.key),
  });
}

/** The lines the service writes: header, events with checkpoints at `every`, signed trailer. */
function exportOf(events: ChainedAuditEvent[], every = 4): string[] {
  const lines = [headerLine({ exportedAt: EXPORTED_AT, keyLabel: 'k' })];
  let checkpoints = 0;
  for (const e of events) {
    lines.push(eventLine(e));
    // Like the service: a checkpoint at every `every` events and one at the exported head.
    if (e.seq % every === 0 || e.seq === events.length) {
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
  const check = (lines: string[], key = pem) => {
    const file = join(dir, `export-${n++}.jsonl`);
    writeFileSync(file, lines.length ? lines.join('\n') + '\n' : '');
    return verifyExportFile(file, key);
  };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const events = chain(10);
  const intact = exportOf(events);

  it('accepts an untouched export: every event signed, the trailer proving the end', async () => {
    expect(await check(intact)).toEqual({
      ok: true,
      eventsChecked: 10,
      checkpointsChecked: 3,
      lastSeq: 10,
      lastSignedSeq: 10,
      exportedAt: EXPORTED_AT,
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
});
