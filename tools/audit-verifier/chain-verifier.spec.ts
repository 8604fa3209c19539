import { generateKeyPairSync } from 'node:crypto';
import { auditChain, signedCheckpoint } from '../../test/helpers/audit-chain';
import {
  type AuditCheckpoint,
  type ChainedAuditEvent,
  ChainVerifier,
  canonicalJson,
  eventHash,
  type ExpectedEnd,
  GENESIS_HASH,
  verifyCheckpointSignature,
} from './audit-verifier';

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
    const last = checkpoint(events[9]);
    expect(verify(events, [checkpoint(events[4]), last])).toEqual({
      ok: true,
      eventsChecked: 10,
      checkpointsChecked: 2,
      lastSeq: 10,
      lastSignedSeq: 10,
      lastCheckpoint: last,
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
      const signed = checkpoint(events[4]);
      expect(verify(events, [signed], headOf(events[7]))).toEqual({
        ok: true,
        eventsChecked: 8,
        checkpointsChecked: 1,
        lastSeq: 8,
        lastSignedSeq: 5,
        lastCheckpoint: signed,
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

  describe('the checkpoint cadence', () => {
    const cadence = { every: 4, seconds: 0 };
    const T0 = Date.parse('2025-01-01T00:00:00.000Z');
    /** `n` events written one second apart from T0. */
    const timed = (n: number): ChainedAuditEvent[] => {
      const out: ChainedAuditEvent[] = [];
      let prevHash = GENESIS_HASH;
      for (const e of chain(n)) {
        const fields = { ...e, at: new Date(T0 + (e.seq - 1) * 1000).toISOString() };
        const hash = eventHash(prevHash, fields);
        out.push({ ...fields, prevHash, hash });
        prevHash = hash;
      }
      return out;
    };
    const run = (
      events: ChainedAuditEvent[],
      signedAt: number[],
      options: { cadence?: { every: number; seconds: number }; now?: number } = {},
    ) => {
      const v = new ChainVerifier((cp) => verifyCheckpointSignature(publicKey, cp), {
        cadence,
        ...options,
      });
      signedAt.forEach((seq) => v.addCheckpoint(checkpoint(events[seq - 1])));
      events.forEach((e) => v.push(e));
      return v.finish(headOf(events[events.length - 1]));
    };

    it('accepts spans up to twice the cadence between checkpoints', () => {
      const events = timed(20);
      expect(run(events, [4, 12, 20])).toMatchObject({ ok: true, lastSignedSeq: 20 });
    });

    it('names the first span longer than twice the cadence', () => {
      const events = timed(20);
      const result = run(events, [4, 13, 20]);
      expect(result).toMatchObject({ ok: false, lastSignedSeq: 20 });
      expect(result.firstBroken).toMatchObject({ seq: 5, reason: 'CHECKPOINT_GAP' });
      expect(result.firstBroken?.message).toContain('events 5 to 13 (9)');
    });

    it('names every checkpoint deleted (the head re-signed), and no checkpoint at all', () => {
      const events = timed(20);
      expect(run(events, [20]).firstBroken).toMatchObject({ seq: 1, reason: 'CHECKPOINT_GAP' });
      // An export (no `now`) ends at a checkpoint: a longer unsigned tail is a gap.
      expect(run(events, []).firstBroken).toMatchObject({ seq: 1, reason: 'CHECKPOINT_GAP' });
      expect(run(events.slice(0, 8), [])).toMatchObject({ ok: true });
    });

    it('leaves the live tail unsigned while the checkpoint it triggered may still be on its way', () => {
      const events = timed(20);
      // Event 8 (the 4th after the checkpoint at 4) triggered a checkpoint; 60 s of grace.
      const at8 = T0 + 7000;
      expect(run(events, [4], { now: at8 + 60_000 })).toMatchObject({ ok: true });
      expect(run(events, [4], { now: at8 + 61_000 }).firstBroken).toMatchObject({
        seq: 5,
        reason: 'CHECKPOINT_GAP',
      });
      expect(run(events.slice(0, 7), [4], { now: at8 + 3_600_000 })).toMatchObject({ ok: true });
    });

    it('names a live tail older than the timer allows', () => {
      const events = timed(6);
      const timer = { cadence: { every: 1000, seconds: 300 } };
      const at5 = T0 + 4000;
      expect(run(events, [4], { ...timer, now: at5 + 360_000 })).toMatchObject({ ok: true });
      const late = run(events, [4], { ...timer, now: at5 + 361_000 });
      expect(late.firstBroken).toMatchObject({ seq: 5, reason: 'CHECKPOINT_GAP' });
      expect(late.firstBroken?.message).toContain('more than 300 s ago');
    });

    it('reports a changed event before a gap', () => {
      const events = timed(20);
      events[15] = { ...events[15], actorName: 'mallory' };
      expect(run(events, [20]).firstBroken).toMatchObject({ seq: 16, reason: 'HASH_MISMATCH' });
    });
  });

  describe("the auditor's witness", () => {
    const run = (events: ChainedAuditEvent[], witness: { seq: number; hash: string }) => {
      const v = new ChainVerifier((cp) => verifyCheckpointSignature(publicKey, cp), { witness });
      events.forEach((e) => v.push(e));
      return v.finish(headOf(events[events.length - 1]));
    };

    it('accepts a chain that holds the witness and names one that does not', () => {
      const events = chain(8);
      expect(run(events, { seq: 5, hash: events[4].hash }).ok).toBe(true);
      expect(run(events, { seq: 5, hash: events[3].hash }).firstBroken).toMatchObject({
        seq: 5,
        reason: 'WITNESS_MISMATCH',
      });
      expect(run(events.slice(0, 4), { seq: 5, hash: events[4].hash }).firstBroken).toMatchObject({
        seq: 5,
        reason: 'WITNESS_BEYOND_END',
        expectedLastSeq: 5,
        foundLastSeq: 4,
      });
    });
  });
});
