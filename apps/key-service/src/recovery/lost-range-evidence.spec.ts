import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { auditChain, signedCheckpoint } from '../../../../test/helpers/audit-chain';
import { checkpointLine, keyFingerprint, witnessOf } from '../audit/audit-chain';
import { newestSinkCheckpoint, witnessEvidence } from './lost-range-evidence';

describe('evidence of how far lost audit events went', () => {
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const other = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const events = auditChain(12);
  const dir = mkdtempSync(join(tmpdir(), 'sts-lost-range-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const sink = (name: string, lines: string[]) => {
    const file = join(dir, name);
    writeFileSync(file, lines.join('\n'));
    return file;
  };

  it('takes the newest checkpoint of the sink whose signature verifies', () => {
    const file = sink('sink.jsonl', [
      checkpointLine(signedCheckpoint(events[4], privateKey)),
      checkpointLine(signedCheckpoint(events[9], privateKey)),
      checkpointLine(signedCheckpoint(events[11], other.privateKey)),
      '{"type":"checkpoint","seq":12,"hash":',
      '',
    ]);
    expect(newestSinkCheckpoint(file, publicKey)).toEqual({
      seq: 10,
      hash: events[9].hash,
      at: signedCheckpoint(events[9], privateKey).at,
      source: 'checkpoint-sink',
    });
  });

  it('has nothing to say about a missing or empty sink, or one of other records', () => {
    expect(newestSinkCheckpoint(join(dir, 'absent.jsonl'), publicKey)).toBeUndefined();
    expect(newestSinkCheckpoint(sink('empty.jsonl', []), publicKey)).toBeUndefined();
    expect(
      newestSinkCheckpoint(sink('other.jsonl', ['{"type":"event","seq":3}', 'null']), publicKey),
    ).toBeUndefined();
  });

  it("accepts an auditor's witness only under the audit key and with a valid signature", () => {
    const fingerprint = keyFingerprint(publicKey);
    const witness = witnessOf(signedCheckpoint(events[7], privateKey), fingerprint);
    expect(witnessEvidence(witness, publicKey)).toEqual({
      seq: 8,
      hash: events[7].hash,
      at: witness.at,
      source: 'witness',
    });
    expect(witnessEvidence({ ...witness, hash: events[6].hash }, publicKey)).toMatchObject({
      problem: expect.stringContaining('signature') as unknown,
    });
    expect(witnessEvidence(witness, other.publicKey)).toMatchObject({
      problem: expect.stringContaining('fingerprint') as unknown,
    });
  });
});
