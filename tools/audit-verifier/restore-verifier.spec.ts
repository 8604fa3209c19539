import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { generateKeyPairSync, sign } from 'node:crypto';
import { auditChain, signedCheckpoint } from '../../test/helpers/audit-chain';
import {
  type AuditCheckpoint,
  type ChainedAuditEvent,
  ChainVerifier,
  canonicalJson,
  checkpointLine,
  eventHash,
  eventLine,
  exportTrailerMessage,
  headerLine,
  keyFingerprint,
  RESTORE_ACTION,
  trailerLine,
  verifyAuditCommand,
  verifyCheckpointSignature,
  type Witness,
  witnessOf,
} from './audit-verifier';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
const fingerprint = keyFingerprint(pem);
const checkpoint = (e: ChainedAuditEvent): AuditCheckpoint => signedCheckpoint(e, privateKey);
const RESTORED_AT = '2025-01-02T00:00:00.000Z';

/** An event appended after `prev` (an action and details of the test's choosing). */
function next(
  prev: ChainedAuditEvent,
  action: string,
  details: string,
  at = RESTORED_AT,
): ChainedAuditEvent {
  const fields = {
    seq: prev.seq + 1,
    at,
    actorId: 'system',
    actorName: 'system',
    action,
    subjectType: 'database',
    subjectId: 'audit-chain',
    outcome: 'success',
    requestId: 'r',
    details,
  };
  return { ...fields, prevHash: prev.hash, hash: eventHash(prev.hash, fields) };
}

/** The restore event the service appends after restored head `head`. */
const restoreEvent = (head: ChainedAuditEvent, lostThroughSeq?: unknown) =>
  next(
    head,
    RESTORE_ACTION,
    canonicalJson({
      restoredHeadSeq: head.seq,
      ...(lostThroughSeq !== undefined ? { lostThroughSeq } : {}),
    }),
  );

/** Events 1..head, the restore event, then `after` more events. */
function restoredChain(head: number, after: number, lostThroughSeq?: unknown): ChainedAuditEvent[] {
  const before = auditChain(head);
  const restore = restoreEvent(before[head - 1], lostThroughSeq);
  return [...before, restore, ...auditChain(after, { seq: restore.seq + 1, prev: restore.hash })];
}

/** The history the auditor saw before the restore: events 1..n of the original timeline. */
const original = (n: number) => auditChain(n);

function verify(
  events: ChainedAuditEvent[],
  signedAt: number[],
  witness?: { seq: number; hash: string },
) {
  const v = new ChainVerifier((cp) => verifyCheckpointSignature(publicKey, cp), {
    ...(witness ? { witness } : {}),
  });
  for (const e of events) if (signedAt.includes(e.seq)) v.addCheckpoint(checkpoint(e));
  events.forEach((e) => v.push(e));
  const last = events[events.length - 1];
  return v.finish({ source: 'the audit head', seq: last.seq, hash: last.hash });
}

describe('restores recorded in the chain', () => {
  it('lists a restore event with the head it restored and the lost range it knows', () => {
    const events = restoredChain(5, 3, 9);
    expect(verify(events, [9])).toMatchObject({
      ok: true,
      restores: [
        { seq: 6, at: RESTORED_AT, restoredHeadSeq: 5, lostFromSeq: 6, lostThroughSeq: 9 },
      ],
    });
    expect(verify(auditChain(4), [4]).restores).toBeUndefined();
  });

  it.each([
    [undefined, null],
    [null, null],
    ['9', null],
    [6.5, null],
    [5, null],
    [6, 6],
  ])(
    'reads lost-through %p as %p (only a whole sequence from the restore event on)',
    (given, read) => {
      expect(verify(restoredChain(5, 1, given), [7]).restores?.[0].lostThroughSeq).toBe(read);
    },
  );

  it('ignores a restore event that does not follow the head it names, or whose details do not parse', () => {
    const head = auditChain(5);
    const wrongHead = next(head[4], RESTORE_ACTION, canonicalJson({ restoredHeadSeq: 4 }));
    const unparsable = next(head[4], RESTORE_ACTION, 'not json');
    const nullDetails = next(head[4], RESTORE_ACTION, 'null');
    const otherAction = next(head[4], 'x.restored', canonicalJson({ restoredHeadSeq: 5 }));
    for (const e of [wrongHead, unparsable, nullDetails, otherAction]) {
      const result = verify([...head, e], [6]);
      expect(result.ok).toBe(true);
      expect(result.restores).toBeUndefined();
    }
  });
});

describe("an auditor's witness and a restore", () => {
  const seen = original(8);
  const witnessAt8 = { seq: 8, hash: seen[7].hash };

  it('names the events lost when the witness is beyond the restored head, the chain intact', () => {
    expect(verify(restoredChain(5, 4), [10], witnessAt8)).toMatchObject({
      ok: true,
      witnessLost: {
        witnessSeq: 8,
        fromSeq: 6,
        throughSeq: 8,
        restoreSeq: 6,
        restoredAt: RESTORED_AT,
      },
    });
  });

  it('extends the lost range to what the restore event knows, never below the witness', () => {
    expect(verify(restoredChain(5, 4, 12), [10], witnessAt8).witnessLost?.throughSeq).toBe(12);
    expect(verify(restoredChain(5, 4, 7), [10], witnessAt8).witnessLost?.throughSeq).toBe(8);
  });

  it('names the lost events when the restored chain ends before the witness', () => {
    const result = verify(restoredChain(5, 1), [7], witnessAt8);
    expect(result).toMatchObject({ ok: true, lastSeq: 7 });
    expect(result.witnessLost).toMatchObject({ witnessSeq: 8, fromSeq: 6, throughSeq: 8 });
  });

  it('still names a rewritten history at or before the restored head', () => {
    const events = restoredChain(5, 4);
    expect(verify(events, [10], { seq: 5, hash: seen[3].hash }).firstBroken).toMatchObject({
      seq: 5,
      reason: 'WITNESS_MISMATCH',
    });
    expect(verify(events, [10], { seq: 5, hash: events[4].hash })).toMatchObject({ ok: true });
    expect(verify(events, [10], { seq: 5, hash: events[4].hash }).witnessLost).toBeUndefined();
  });

  it('reports nothing lost for a witness the restored chain holds at its very end', () => {
    const events = restoredChain(5, 2);
    const result = verify(events, [8], { seq: 8, hash: events[7].hash });
    expect(result).toMatchObject({ ok: true, lastSeq: 8 });
    expect(result.witnessLost).toBeUndefined();
  });

  it('does not accept a restore that no signed checkpoint covers yet', () => {
    const events = restoredChain(5, 0);
    const unsigned = verify(events, [5], witnessAt8);
    expect(unsigned).toMatchObject({
      ok: false,
      firstBroken: { seq: 6, reason: 'WITNESS_MISMATCH' },
    });
    expect(unsigned.firstBroken?.message).toContain(
      'the signed checkpoint the auditor holds for event 8',
    );
    expect(unsigned.firstBroken?.message).toContain('restore event 6');
    expect(unsigned.firstBroken?.message).toContain('not covered by a signed checkpoint');
    expect(verify(events, [6], witnessAt8)).toMatchObject({ ok: true });
  });

  it('accounts for the witness by the latest restore before it', () => {
    const first = restoredChain(5, 2);
    const second = restoreEvent(first[7]);
    const events = [...first, second, ...auditChain(1, { seq: 10, prev: second.hash })];
    expect(verify(events, [10], { seq: 10, hash: seen[7].hash }).witnessLost).toMatchObject({
      restoreSeq: 9,
      fromSeq: 9,
    });
    expect(verify(events, [10], { seq: 7, hash: seen[6].hash }).witnessLost).toMatchObject({
      restoreSeq: 6,
      fromSeq: 6,
    });
  });
});

describe('verify-audit on an export made after a restore', () => {
  const dir = mkdtempSync(join(tmpdir(), 'sts-restore-verifier-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const pemFile = join(dir, 'audit.pem');
  writeFileSync(pemFile, pem);
  const EXPORTED_AT = '2025-01-03T00:00:00.000Z';

  function exportFile(name: string, events: ChainedAuditEvent[]): string {
    const last = events[events.length - 1];
    const fields = {
      exportedAt: EXPORTED_AT,
      events: events.length,
      checkpoints: 1,
      lastSeq: last.seq,
      lastHash: last.hash,
      checkpointEvery: 100,
      checkpointSeconds: 0,
    };
    const signature = sign('sha256', exportTrailerMessage(fields), {
      key: privateKey,
      dsaEncoding: 'ieee-p1363',
    }).toString('hex');
    const lines = [
      headerLine({
        exportedAt: EXPORTED_AT,
        keyLabel: 'k',
        checkpointEvery: 100,
        checkpointSeconds: 0,
      }),
      ...events.map((e) => eventLine(e)),
      checkpointLine(checkpoint(last)),
      trailerLine({ ...fields, keyLabel: 'k', signature }),
    ];
    const file = join(dir, name);
    writeFileSync(file, `${lines.join('\n')}\n`);
    return file;
  }

  async function run(file: string, witnessFile: string) {
    const out: string[] = [];
    const err: string[] = [];
    const code = await verifyAuditCommand(
      ['--public-key', pemFile, '--witness', witnessFile, file],
      {
        out: (t) => out.push(t),
        err: (t) => err.push(t),
      },
    );
    return { code, out: JSON.parse(out.join('')) as Record<string, unknown>, err: err.join('') };
  }

  it('exits 3, names the lost range, keeps the old witness and advances to the restored chain', async () => {
    const seen = original(8);
    const old: Witness = witnessOf(checkpoint(seen[7]), fingerprint);
    const witnessFile = join(dir, 'witness-lost.json');
    writeFileSync(witnessFile, JSON.stringify(old));
    const restored = restoredChain(5, 1, 8);
    const result = await run(exportFile('restored.jsonl', restored), witnessFile);
    expect(result.code).toBe(3);
    expect(result.out).toMatchObject({
      ok: true,
      witnessLost: { witnessSeq: 8, fromSeq: 6, throughSeq: 8, restoreSeq: 6 },
      restores: [{ seq: 6, restoredHeadSeq: 5, lostThroughSeq: 8 }],
    });
    expect(result.err).toContain('the database was restored (restore event 6, ');
    expect(result.err).toContain('events 6 to 8 (at least; later ones unknown) of the history');
    expect(result.err).toContain('your witness at event 8 covered are lost\n');
    expect(result.err).toContain('restore at event 6');
    expect(result.err).toContain('events from 6 on of the earlier history are lost');
    expect(result.err).toContain(', through at least event 8\n');
    expect(result.err).toContain(
      `the witness of the lost history is kept as ${witnessFile}.lost-6`,
    );
    expect(result.err).not.toContain('it extends the witness');
    expect(JSON.parse(readFileSync(`${witnessFile}.lost-6`, 'utf8'))).toEqual(old);
    expect(JSON.parse(readFileSync(witnessFile, 'utf8'))).toMatchObject({
      seq: 7,
      hash: restored[6].hash,
    });
  });

  it('creates the witness on a first run and mentions no restore on a chain without one', async () => {
    const witnessFile = join(dir, 'witness-first.json');
    const plain = auditChain(4);
    const result = await run(exportFile('plain.jsonl', plain), witnessFile);
    expect(result.code).toBe(0);
    expect(result.out.restores).toBeUndefined();
    expect(result.err).not.toContain('database restore');
    expect(result.err).not.toContain('it extends the witness');
    expect(JSON.parse(readFileSync(witnessFile, 'utf8'))).toMatchObject({
      seq: 4,
      hash: plain[3].hash,
    });
  });

  it('exits 0 and reports the restore when the witness precedes it', async () => {
    const restored = restoredChain(5, 1);
    const witnessFile = join(dir, 'witness-before.json');
    writeFileSync(witnessFile, JSON.stringify(witnessOf(checkpoint(restored[3]), fingerprint)));
    const result = await run(exportFile('restored-2.jsonl', restored), witnessFile);
    expect(result.code).toBe(0);
    expect(result.out.witnessLost).toBeUndefined();
    expect(result.err).toContain('it extends the witness at event 4');
    expect(result.err).toContain('events from 6 on of the earlier history are lost\n');
    expect(existsSync(`${witnessFile}.lost-6`)).toBe(false);
    expect(JSON.parse(readFileSync(witnessFile, 'utf8'))).toMatchObject({ seq: 7 });
  });
});
