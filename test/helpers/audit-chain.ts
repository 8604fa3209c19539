import { type KeyObject, sign } from 'node:crypto';
import {
  type AuditCheckpoint,
  type ChainedAuditEvent,
  canonicalJson,
  checkpointMessage,
  eventHash,
  GENESIS_HASH,
} from '../../apps/key-service/src/audit/audit-chain';

/** `n` chained audit events starting at `from` (the genesis by default), as the service writes them. */
export function auditChain(
  n: number,
  from: { seq: number; prev: string } = { seq: 1, prev: GENESIS_HASH },
): ChainedAuditEvent[] {
  const out: ChainedAuditEvent[] = [];
  let prev = from.prev;
  for (let seq = from.seq; seq < from.seq + n; seq++) {
    const fields = {
      seq,
      at: '2025-01-01T00:00:00.000Z',
      actorId: 'a',
      actorName: 'alice',
      action: 'x.y',
      subjectType: 's',
      subjectId: String(seq),
      outcome: 'success',
      requestId: 'r',
      details: canonicalJson({ n: seq }),
    };
    const hash = eventHash(prev, fields);
    out.push({ ...fields, prevHash: prev, hash });
    prev = hash;
  }
  return out;
}

/** A checkpoint over `e`, signed with `key` (P-256, IEEE P1363) as the token signs them. */
export function signedCheckpoint(e: ChainedAuditEvent, key: KeyObject): AuditCheckpoint {
  const at = '2025-01-01T00:01:00.000Z';
  const signature = sign('sha256', checkpointMessage(e.seq, e.hash, at), {
    key,
    dsaEncoding: 'ieee-p1363',
  });
  return { seq: e.seq, hash: e.hash, at, keyLabel: 'k', signature: signature.toString('hex') };
}
