import { createHash } from 'node:crypto';
import { auditChain } from '../../../../test/helpers/audit-chain';
import {
  type AuditCheckpoint,
  type AuditEventFields,
  type ChainedAuditEvent,
  type ExpectedEnd,
  ChainVerifier,
  canonicalJson,
  checkpointMessage,
  eventHash,
  eventTextAround,
  GENESIS_HASH,
  verifyCheckpointSignature,
} from './audit-chain';

// Fixed vectors of the export format (sts-audit-checkpoint/v1). The expected hashes were
// computed outside this code base (`printf '%s\n%s' "$prev" "$text" | sha256sum`) and the
// checkpoint signature made with `openssl dgst -sha256 -sign` (ECDSA P-256, DER r and s written
// out as r || s). If one of these tests fails, exports made before the change stop verifying:
// a new format needs a new version, and the verifier keeps accepting this one.

const EVENT_1: AuditEventFields = {
  seq: 1,
  at: '2026-03-01T08:15:30.123Z',
  actorId: '9f1c2e4a-0000-4000-8000-000000000001',
  actorName: 'Zoë Officer',
  action: 'vending-key.activate',
  subjectType: 'vending-key',
  subjectId: 'k-600727-2',
  outcome: 'success',
  requestId: 'req-1',
  details: '{"approvalId":"a-1","krn":2,"sgc":"600727"}',
};
const TEXT_1 =
  '{"action":"vending-key.activate","actorId":"9f1c2e4a-0000-4000-8000-000000000001",' +
  '"actorName":"Zoë Officer","at":"2026-03-01T08:15:30.123Z",' +
  '"details":"{\\"approvalId\\":\\"a-1\\",\\"krn\\":2,\\"sgc\\":\\"600727\\"}",' +
  '"outcome":"success","requestId":"req-1","seq":1,"subjectId":"k-600727-2",' +
  '"subjectType":"vending-key"}';
const HASH_1 = '44794cc23d81c4e83bc4bb59085f11c34442622c1e15c5e543f48862be75e59c';

const EVENT_2: AuditEventFields = {
  seq: 2,
  at: '2026-03-01T08:16:00.000Z',
  actorId: 'client-7',
  actorName: 'vendor "north"',
  action: 'token.issue',
  subjectType: 'meter',
  subjectId: 'meter-01',
  outcome: 'refused',
  requestId: 'req-2',
  details: '{}',
};
const HASH_2 = '8ba29ab75b2fdee157a69d2bd1f897041060ec686e04e35a7d7b864899f3a57c';

const CHECKPOINT_AT = '2026-03-01T08:20:00.000Z';
const AUDIT_PUBLIC_KEY = [
  '-----BEGIN PUBLIC KEY-----',
  'MFkwEwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAETclytRHPmkaAhNYrJR8rIYESVqbg',
  'ALuY6wtuEE4xMzfDC+9s0h5zbNl0zGcvySMqcBGvzRHHqZYfPIlQ+FUIdQ==',
  '-----END PUBLIC KEY-----',
].join('\n');
const SIGNATURE =
  '2e33e52c43e6e8368e971459b5556c37e03bed20fdd7c9f89601250b185ad3ca' +
  '688a372aa8c2bdc032ac10ef27d001bb50b971fd3e5af1f128ff6030be0106f2';
const CHECKPOINT: AuditCheckpoint = {
  seq: 2,
  hash: HASH_2,
  at: CHECKPOINT_AT,
  keyLabel: 'audit-key',
  signature: SIGNATURE,
};

describe('audit export format v1: fixed vectors', () => {
  it('hashes the first event as SHA-256(64 zeros, newline, canonical JSON of its fields)', () => {
    const { before, after } = eventTextAround(EVENT_1);
    expect(`${before}${EVENT_1.seq}${after}`).toBe(TEXT_1);
    expect(eventHash(GENESIS_HASH, EVENT_1)).toBe(HASH_1);
  });

  it('chains the second event on the first event’s hash', () => {
    expect(eventHash(HASH_1, EVENT_2)).toBe(HASH_2);
    expect(eventHash(GENESIS_HASH, EVENT_2)).not.toBe(HASH_2);
  });

  it('hashes the fields under the names the canonical JSON of the event gives them', () => {
    const { seq, ...rest } = EVENT_2;
    const text = canonicalJson({ ...rest, seq });
    const { before, after } = eventTextAround(EVENT_2);
    expect(`${before}${seq}${after}`).toBe(text);
  });

  it('signs "sts-audit-checkpoint/v1", the sequence, the hash and the time, one per line', () => {
    expect(checkpointMessage(2, HASH_2, CHECKPOINT_AT).toString('utf8')).toBe(
      `sts-audit-checkpoint/v1\n2\n${HASH_2}\n${CHECKPOINT_AT}`,
    );
    expect(
      createHash('sha256')
        .update(checkpointMessage(2, HASH_2, CHECKPOINT_AT))
        .digest('hex'),
    ).toBe('02e84f8ee9314c67f2edb066cc7960acaf3a49731a44129f510df5ea30a09c75');
  });

  it('verifies the committed checkpoint signature, and nothing else under it', () => {
    expect(verifyCheckpointSignature(AUDIT_PUBLIC_KEY, CHECKPOINT)).toBe(true);
    expect(verifyCheckpointSignature(AUDIT_PUBLIC_KEY, { ...CHECKPOINT, seq: 3 })).toBe(false);
    expect(verifyCheckpointSignature(AUDIT_PUBLIC_KEY, { ...CHECKPOINT, hash: HASH_1 })).toBe(
      false,
    );
    expect(
      verifyCheckpointSignature(AUDIT_PUBLIC_KEY, {
        ...CHECKPOINT,
        at: '2026-03-01T08:20:00.001Z',
      }),
    ).toBe(false);
  });

  it('verifies the two-event export with its checkpoint end to end', () => {
    const v = new ChainVerifier((cp) => verifyCheckpointSignature(AUDIT_PUBLIC_KEY, cp));
    v.addCheckpoint(CHECKPOINT);
    expect(v.push({ ...EVENT_1, prevHash: GENESIS_HASH, hash: HASH_1 })).toBe(true);
    expect(v.push({ ...EVENT_2, prevHash: HASH_1, hash: HASH_2 })).toBe(true);
    expect(v.finish({ source: 'the export trailer', seq: 2, hash: HASH_2 })).toEqual({
      ok: true,
      eventsChecked: 2,
      checkpointsChecked: 1,
      lastSeq: 2,
      lastSignedSeq: 2,
      lastCheckpoint: CHECKPOINT,
    });
  });
});

describe('checkpoint signatures that are not hex', () => {
  it.each([
    ['upper-case hex', SIGNATURE.toUpperCase()],
    ['a non-hex character appended', `${SIGNATURE}z`],
    ['a non-hex character prepended', `z${SIGNATURE}`],
    ['blank', ''],
    ['base64 of the same bytes', Buffer.from(SIGNATURE, 'hex').toString('base64')],
  ])('refuses %s', (_what, signature) => {
    expect(verifyCheckpointSignature(AUDIT_PUBLIC_KEY, { ...CHECKPOINT, signature })).toBe(false);
  });
});

describe('canonical JSON', () => {
  it.each([Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY])(
    'refuses %s at any depth instead of writing it as null',
    (n) => {
      expect(() => canonicalJson(n)).toThrow('non-finite number');
      expect(() => canonicalJson({ x: n })).toThrow('non-finite number');
      expect(() => canonicalJson({ a: [1, { b: n }] })).toThrow('non-finite number');
    },
  );

  it('writes null, missing values in arrays and scalars as JSON does', () => {
    expect(canonicalJson(null)).toBe('null');
    expect(canonicalJson(undefined)).toBe('null');
    expect(canonicalJson([1, undefined, 'a'])).toBe('[1,null,"a"]');
    expect(canonicalJson({ x: null })).toBe('{"x":null}');
    expect(canonicalJson({})).toBe('{}');
    expect(canonicalJson([])).toBe('[]');
    expect(canonicalJson({ 'key "q"': -0.5, b: true })).toBe('{"b":true,"key \\"q\\"":-0.5}');
  });
});

describe('stored events beyond the recorded end', () => {
  const events = [
    { ...EVENT_1, prevHash: GENESIS_HASH, hash: HASH_1 },
    { ...EVENT_2, prevHash: HASH_1, hash: HASH_2 },
  ];
  const verifyUpTo2 = (highestStoredSeq: number) => {
    const v = new ChainVerifier(() => true);
    events.forEach((e) => v.push(e));
    return v.finish({ source: 'the audit head', seq: 2, hash: HASH_2, highestStoredSeq });
  };

  it('accepts a store whose highest sequence is the head', () => {
    expect(verifyUpTo2(2).ok).toBe(true);
  });

  it('names one stored event past the head', () => {
    expect(verifyUpTo2(3).firstBroken).toEqual({
      seq: 3,
      reason: 'EVENTS_BEYOND_HEAD',
      message: expect.any(String),
      expectedLastSeq: 2,
      foundLastSeq: 3,
    });
  });
});

describe('what the verifier reports', () => {
  const signedBy = (valid: boolean) => new ChainVerifier(() => valid);
  const chain = (n: number) => auditChain(n);
  const cp = (e: ChainedAuditEvent): AuditCheckpoint => ({
    seq: e.seq,
    hash: e.hash,
    at: '2025-01-01T00:01:00.000Z',
    keyLabel: 'k',
    signature: '00',
  });
  function run(
    events: readonly ChainedAuditEvent[],
    options: { checkpoints?: AuditCheckpoint[]; valid?: boolean; end?: ExpectedEnd } = {},
  ) {
    const v = signedBy(options.valid ?? true);
    (options.checkpoints ?? []).forEach((c) => v.addCheckpoint(c));
    const pushed = events.map((e) => v.push(e));
    return { pushed, broken: v.isBroken, result: v.finish(options.end) };
  }
  const end = (seq: number, hash: string, highestStoredSeq?: number): ExpectedEnd => ({
    source: 'the audit head',
    seq,
    hash,
    ...(highestStoredSeq === undefined ? {} : { highestStoredSeq }),
  });

  it('counts events and checkpoints, and the last signed sequence', () => {
    const events = chain(4);
    const { pushed, broken, result } = run(events, { checkpoints: [cp(events[1])] });
    expect(pushed).toEqual([true, true, true, true]);
    expect(broken).toBe(false);
    expect(result).toEqual({
      ok: true,
      eventsChecked: 4,
      checkpointsChecked: 1,
      lastSeq: 4,
      lastSignedSeq: 2,
      lastCheckpoint: cp(events[1]),
    });
  });

  it('names a missing event, and stops reading after it', () => {
    const events = chain(5);
    const { pushed, broken, result } = run([events[0], events[2], events[3]]);
    expect(pushed).toEqual([true, false, false]);
    expect(broken).toBe(true);
    expect(result).toMatchObject({ ok: false, eventsChecked: 1, lastSeq: 1 });
    expect(result.firstBroken).toEqual({
      seq: 2,
      reason: 'SEQUENCE_GAP',
      message: 'event 2 is missing (next present is 3)',
    });
  });

  it('names an event repeated or out of order', () => {
    const events = chain(3);
    const { result } = run([events[0], events[1], events[1]]);
    expect(result.firstBroken).toEqual({
      seq: 2,
      reason: 'SEQUENCE_GAP',
      message: 'event 2 appears out of order after 2',
    });
  });

  it('names a broken link, a changed event, a checkpoint off the chain and a bad signature', () => {
    const events = chain(3);
    expect(run([events[0], { ...events[1], prevHash: events[2].hash }]).result.firstBroken).toEqual(
      { seq: 2, reason: 'PREV_HASH_MISMATCH', message: 'event 2 does not link to event 1' },
    );
    expect(run([events[0], { ...events[1], outcome: 'failure' }]).result.firstBroken).toEqual({
      seq: 2,
      reason: 'HASH_MISMATCH',
      message: 'event 2 was changed after it was written',
    });
    const offChain = { ...cp(events[1]), hash: events[2].hash };
    expect(run(events, { checkpoints: [offChain] }).result.firstBroken).toEqual({
      seq: 2,
      reason: 'CHECKPOINT_MISMATCH',
      message: 'checkpoint at 2 does not match the chain',
    });
    const unsigned = run(events, { checkpoints: [cp(events[1])], valid: false }).result;
    expect(unsigned).toMatchObject({ ok: false, checkpointsChecked: 1, lastSignedSeq: 0 });
    expect(unsigned.firstBroken).toEqual({
      seq: 2,
      reason: 'CHECKPOINT_SIGNATURE_INVALID',
      message: 'checkpoint at 2 has an invalid signature',
    });
  });

  it('names events missing at the end, by the recorded end or by a checkpoint', () => {
    const events = chain(6);
    expect(run(events.slice(0, 3), { end: end(6, events[5].hash) }).result.firstBroken).toEqual({
      seq: 4,
      reason: 'EVENTS_MISSING_AFTER_LAST',
      message:
        'events 4 to 6 are missing: the audit head ends the chain at 6, the last event present is 3',
      expectedLastSeq: 6,
      foundLastSeq: 3,
    });
    const checkpoints = [cp(events[3]), cp(events[5]), cp(events[4])];
    expect(run(events.slice(0, 3), { checkpoints }).result.firstBroken).toEqual({
      seq: 4,
      reason: 'EVENTS_MISSING_AFTER_LAST',
      message: 'events 4 to 6 are missing: a checkpoint covers them',
      expectedLastSeq: 6,
      foundLastSeq: 3,
    });
  });

  it('names a rewritten end and events beyond it', () => {
    const events = chain(4);
    expect(run(events.slice(0, 3), { end: end(3, events[3].hash) }).result.firstBroken).toEqual({
      seq: 3,
      reason: 'HEAD_MISMATCH',
      message: 'event 3 does not match the audit head: the end of the chain was rewritten',
      expectedLastSeq: 3,
      foundLastSeq: 3,
    });
    expect(run(events, { end: end(2, events[1].hash) }).result.firstBroken).toEqual({
      seq: 3,
      reason: 'EVENTS_BEYOND_HEAD',
      message: 'events after 2 are present (up to 4) although the audit head ends the chain at 2',
      expectedLastSeq: 2,
      foundLastSeq: 4,
    });
  });

  it('reports events beyond the end first, even when they are also broken', () => {
    const events = chain(5);
    const tampered = [...events.slice(0, 3), { ...events[3], outcome: 'x' }, events[4]];
    expect(run(tampered, { end: end(2, events[1].hash) }).result.firstBroken).toEqual({
      seq: 3,
      reason: 'EVENTS_BEYOND_HEAD',
      message: 'events after 2 are present (up to 4) although the audit head ends the chain at 2',
      expectedLastSeq: 2,
      foundLastSeq: 4,
    });
    // A break at or before the end stays the first problem.
    const early = [events[0], { ...events[1], outcome: 'x' }, ...events.slice(2)];
    expect(run(early, { end: end(2, events[1].hash) }).result.firstBroken).toMatchObject({
      seq: 2,
      reason: 'HASH_MISMATCH',
    });
  });
});
