import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createPublicKey } from 'node:crypto';
import {
  type AuditCheckpoint,
  ChainVerifier,
  type ChainedAuditEvent,
  type VerificationResult,
  verifyCheckpointSignature,
} from './audit-chain';

export interface ExportVerification extends VerificationResult {
  /** Events after the last signed checkpoint: chained, but not yet covered by a signature. */
  readonly unsignedTail: number;
  readonly malformedLine?: number;
}

/**
 * Verifies a JSON Lines export with only the audit public key: the hash chain, every checkpoint
 * signature, and that no checkpoint covers missing events. Streams the file; memory is
 * O(checkpoints). A checkpoint line follows the event it covers, so each event is held back by
 * one line and checked once its checkpoint (if any) is known.
 */
export async function verifyExportFile(
  path: string,
  publicKeyPem: string,
): Promise<ExportVerification> {
  const key = createPublicKey(publicKeyPem);
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  const verifier = new ChainVerifier((cp) => verifyCheckpointSignature(key, cp));
  const pendingEvents: ChainedAuditEvent[] = [];
  let lineNo = 0;
  let malformed: number | undefined;
  for await (const line of lines) {
    lineNo += 1;
    if (line.trim() === '') continue;
    let record: { type?: unknown } & Record<string, unknown>;
    try {
      record = JSON.parse(line) as typeof record;
    } catch {
      malformed = lineNo;
      break;
    }
    if (record.type === 'event') {
      // Hold the event until its checkpoint (which follows it) has been seen.
      flush(verifier, pendingEvents);
      pendingEvents.push(record as unknown as ChainedAuditEvent);
    } else if (record.type === 'checkpoint') {
      verifier.addCheckpoint(record as unknown as AuditCheckpoint);
    }
  }
  flush(verifier, pendingEvents);
  const result = verifier.finish();
  return {
    ...result,
    ...(malformed !== undefined ? { ok: false, malformedLine: malformed } : {}),
    unsignedTail: result.lastSeq - result.lastSignedSeq,
  };
}

function flush(verifier: ChainVerifier, pending: ChainedAuditEvent[]): void {
  for (const e of pending.splice(0)) verifier.push(e);
}
