import { generateKeyPairSync } from 'node:crypto';
import { auditChain, signedCheckpoint } from '../../../../test/helpers/audit-chain';
import {
  type AuditCheckpoint,
  type ChainedAuditEvent,
  ChainVerifier,
  canonicalJson,
  eventHash,
  type ExpectedEnd,
  GENESIS_HASH,
  verifyCheckpointSignature,
} from './audit-chain';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });

const chain = (n: number): ChainedAuditEvent[] => auditChain(n);
const checkpoint = (e: ChainedAuditEvent): AuditCheckpoint => signedCheckpoint(e, privateKey);

function verify(events: ChainedAuditEvent[], cps: AuditCheckpoint[] = [], end?: ExpectedEnd) {
  const v = new ChainVerifier((cp) => verifyCheckpointSignature(publicKey, cp));
  cps.forEach((cp) => v.addCheckpoint(cp));
  events.forEach((e) => v.push(e));
  return v.finish(end);
}

const headOf = (e: ChainedAuditEvent, highestStoredSeq?: number): ExpectedEnd => ({
  source: 'the audit head',
  seq: e.seq,
  hash: e.hash,
  ...(highestStoredSeq !== undefined ? { highestStoredSeq } : {}),
});

describe('audit chain', () => {
  it('canonical JSON sorts keys at every level and drops undefined', () => {
    expect(canonicalJson({ b: 1, a: { d: [2, { z: 1, y: 2 }], c: undefined } })).toBe(
      '{"a":{"d":[2,{"y":2,"z":1}]},"b":1}',
    );
  });

  it('accepts an intact chain with valid checkpoints', () => {
    const events = chain(10);
    expect(verify(events, [checkpoint(events[4]), checkpoint(events[9])])).toEqual({
      ok: true,
      eventsChecked: 10,
      checkpointsChecked: 2,
      lastSeq: 10,
      lastSignedSeq: 10,
    });
  });

  it('names a changed, a missing and a swapped event', () => {
    const changed = chain(5);
    changed[2] = { ...changed[2], actorName: 'mallory' };
    expect(verify(changed).firstBroken).toMatchObject({ seq: 3, reason: 'HASH_MISMATCH' });

    const missing = chain(5).filter((e) => e.seq !== 4);
    expect(verify(missing).firstBroken).toMatchObject({ seq: 4, reason: 'SEQUENCE_GAP' });

    const swapped = chain(5);
    [swapped[1], swapped[2]] = [
      { ...swapped[2], seq: 2 },
      { ...swapped[1], seq: 3 },
    ];
    expect(verify(swapped).firstBroken).toMatchObject({ seq: 2, reason: 'PREV_HASH_MISMATCH' });
  });

  it('names a bad signature, a checkpoint off the chain and a removed tail', () => {
    const events = chain(6);
    const forged = { ...checkpoint(events[2]), signature: checkpoint(events[3]).signature };
    expect(verify(events, [forged]).firstBroken).toMatchObject({
      seq: 3,
      reason: 'CHECKPOINT_SIGNATURE_INVALID',
    });
    const offChain = { ...checkpoint(events[2]), hash: events[3].hash };
    expect(verify(events, [offChain]).firstBroken).toMatchObject({
      seq: 3,
      reason: 'CHECKPOINT_MISMATCH',
    });
    expect(verify(events.slice(0, 4), [checkpoint(events[5])]).firstBroken).toMatchObject({
      seq: 5,
      reason: 'EVENTS_MISSING_AFTER_LAST',
    });
  });

  describe('against the recorded end (audit head or signed export trailer)', () => {
    it('accepts a chain that ends exactly at its head, signed or not', () => {
      const events = chain(8);
      expect(verify(events, [checkpoint(events[4])], headOf(events[7]))).toEqual({
        ok: true,
        eventsChecked: 8,
        checkpointsChecked: 1,
        lastSeq: 8,
        lastSignedSeq: 5,
      });
      expect(verify([], [], { source: 'the audit head', seq: 0, hash: GENESIS_HASH }).ok).toBe(
        true,
      );
    });

    it('names the newest events deleted after the last checkpoint', () => {
      const events = chain(8);
      const result = verify(events.slice(0, 5), [checkpoint(events[4])], headOf(events[7]));
      expect(result).toMatchObject({ ok: false, lastSeq: 5, lastSignedSeq: 5 });
      expect(result.firstBroken).toEqual({
        seq: 6,
        reason: 'EVENTS_MISSING_AFTER_LAST',
        expectedLastSeq: 8,
        foundLastSeq: 5,
        message: expect.stringMatching(
          /events 6 to 8 are missing: the audit head ends the chain at 8/,
        ),
      });
      // Without the head, the same deletion is invisible: that is the defect the head closes.
      expect(verify(events.slice(0, 5), [checkpoint(events[4])]).ok).toBe(true);
    });

    it('names every event deleted, down to none left', () => {
      const events = chain(3);
      expect(verify([], [], headOf(events[2])).firstBroken).toMatchObject({
        seq: 1,
        reason: 'EVENTS_MISSING_AFTER_LAST',
        expectedLastSeq: 3,
        foundLastSeq: 0,
      });
    });

    it('names a rewritten (re-hashed) last event that the head does not match', () => {
      const events = chain(4);
      const forged = chain(4);
      const fields = { ...events[3], actorName: 'mallory' };
      forged[3] = { ...fields, hash: eventHash(fields.prevHash, fields) };
      expect(verify(forged, [], headOf(events[3])).firstBroken).toMatchObject({
        seq: 4,
        reason: 'HEAD_MISMATCH',
      });
    });

    it('names events beyond the head, present or merely stored', () => {
      const events = chain(6);
      expect(verify(events, [], headOf(events[3])).firstBroken).toMatchObject({
        seq: 5,
        reason: 'EVENTS_BEYOND_HEAD',
        expectedLastSeq: 4,
        foundLastSeq: 6,
      });
      // A broken link beyond the end is still, first, an event beyond the end.
      const broken = [...events];
      broken[5] = { ...broken[5], actorName: 'mallory' };
      expect(verify(broken, [], headOf(events[3])).firstBroken).toMatchObject({
        seq: 5,
        reason: 'EVENTS_BEYOND_HEAD',
      });
      expect(verify(events.slice(0, 4), [], headOf(events[3], 6)).firstBroken).toMatchObject({
        seq: 5,
        reason: 'EVENTS_BEYOND_HEAD',
        foundLastSeq: 6,
      });
    });

    it('names a head moved back behind a checkpoint', () => {
      const events = chain(6);
      expect(
        verify(events.slice(0, 4), [checkpoint(events[5])], headOf(events[3])).firstBroken,
      ).toMatchObject({ seq: 5, reason: 'EVENTS_MISSING_AFTER_LAST', expectedLastSeq: 6 });
    });

    it('still names an earlier broken link first', () => {
      const events = chain(6).filter((e) => e.seq !== 2);
      expect(verify(events.slice(0, 3), [], headOf(chain(6)[5])).firstBroken).toMatchObject({
        seq: 2,
        reason: 'SEQUENCE_GAP',
      });
    });
  });
});
