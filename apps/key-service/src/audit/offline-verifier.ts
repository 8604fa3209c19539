import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createPublicKey } from 'node:crypto';
import {
  type AuditCheckpoint,
  type BreakReason,
  type BrokenLink,
  ChainVerifier,
  type ChainedAuditEvent,
  type VerificationResult,
  verifyCheckpointSignature,
} from './audit-chain';
import {
  EXPORT_FORMAT,
  type ExportTrailer,
  isExportTrailer,
  verifyExportTrailerSignature,
} from './export-format';

export type ExportBreakReason =
  | BreakReason
  /** The first line is not an `sts-audit-export/v1` header (the start was cut or replaced). */
  | 'EXPORT_HEADER_MISSING'
  /** The export ends without its trailer: it was cut off, so later events may be missing. */
  | 'EXPORT_TRAILER_MISSING'
  /** The trailer is malformed, its signature does not verify, or it contradicts the export. */
  | 'EXPORT_TRAILER_INVALID'
  /** Fewer checkpoint lines than the signed trailer lists (checkpoints were stripped). */
  | 'CHECKPOINTS_MISSING'
  /** A line that is not JSON, an unknown record, a second header, or anything after the trailer. */
  | 'EXPORT_MALFORMED';

export interface ExportBrokenLink extends Omit<BrokenLink, 'reason'> {
  readonly reason: ExportBreakReason;
  /** The line of the file, for a problem with the export's structure. */
  readonly line?: number;
}

export interface ExportVerification extends Omit<VerificationResult, 'firstBroken'> {
  /** When the verified export was written (from its signed trailer). */
  readonly exportedAt?: string;
  readonly firstBroken?: ExportBrokenLink;
}

type ParsedRecord = { type?: unknown } & Record<string, unknown>;

/**
 * Verifies a JSON Lines export with only the audit public key. Intact means all of: a header
 * first; the hash chain from event 1 unbroken; every checkpoint signature valid and on the
 * chain; a trailer last whose signature verifies and whose last sequence and hash are the
 * chain's end, with as many checkpoint lines as it lists; nothing after it. So a cut tail, a
 * dropped trailer or stripped checkpoints fail and are named: an export has no legitimate
 * unsigned tail (the service signs its head and the trailer before it writes a line).
 *
 * Reports the first problem: a broken chain link first (by sequence), then the export's
 * structure. For structural problems `seq` is the first event the export cannot vouch for.
 * Streams the file; memory is O(checkpoints). A checkpoint line follows the event it covers,
 * so each event is held back by one line and checked once its checkpoint (if any) is known.
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
  let headerSeen = false;
  let headerExportedAt: unknown;
  let trailer: { record: ParsedRecord; line: number } | undefined;
  let checkpointLines = 0;
  let structural: { reason: ExportBreakReason; line: number; what: string } | undefined;
  for await (const line of lines) {
    lineNo += 1;
    if (line.trim() === '') continue;
    let record: ParsedRecord;
    try {
      const parsed: unknown = JSON.parse(line);
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error();
      record = parsed as ParsedRecord;
    } catch {
      structural = { reason: 'EXPORT_MALFORMED', line: lineNo, what: 'is not a JSON object' };
      break;
    }
    if (!headerSeen) {
      if (record.type !== 'header' || record.format !== EXPORT_FORMAT) {
        structural = {
          reason: 'EXPORT_HEADER_MISSING',
          line: lineNo,
          what: `is not the ${EXPORT_FORMAT} header`,
        };
        break;
      }
      headerSeen = true;
      headerExportedAt = record.exportedAt;
      continue;
    }
    if (trailer) {
      structural = { reason: 'EXPORT_MALFORMED', line: lineNo, what: 'follows the trailer' };
      break;
    }
    if (record.type === 'event') {
      // Hold the event until its checkpoint (which follows it) has been seen.
      flush(verifier, pendingEvents);
      pendingEvents.push(record as unknown as ChainedAuditEvent);
    } else if (record.type === 'checkpoint') {
      checkpointLines += 1;
      verifier.addCheckpoint(record as unknown as AuditCheckpoint);
    } else if (record.type === 'trailer') {
      trailer = { record, line: lineNo };
    } else {
      structural = { reason: 'EXPORT_MALFORMED', line: lineNo, what: 'is not an export record' };
      break;
    }
  }
  if (!structural && !headerSeen) {
    structural = {
      reason: 'EXPORT_HEADER_MISSING',
      line: 1,
      what: 'is missing: the file is empty',
    };
  }
  flush(verifier, pendingEvents);

  const t = trailer?.record;
  const signed: ExportTrailer | undefined =
    !structural &&
    t !== undefined &&
    isExportTrailer(t) &&
    t.exportedAt === headerExportedAt &&
    verifyExportTrailerSignature(key, t)
      ? t
      : undefined;
  const chain = verifier.finish(
    signed
      ? { source: 'the signed export trailer', seq: signed.lastSeq, hash: signed.lastHash }
      : undefined,
  );
  const result: ExportVerification = {
    ...chain,
    ...(signed ? { exportedAt: signed.exportedAt } : {}),
  };
  if (!chain.ok) return result;

  const unvouched = chain.lastSignedSeq + 1;
  const fail = (firstBroken: ExportBrokenLink): ExportVerification => ({
    ...result,
    ok: false,
    firstBroken,
  });
  if (structural) {
    return fail({
      seq: chain.lastSeq + 1,
      reason: structural.reason,
      message: `line ${structural.line} ${structural.what}; verification stopped after event ${chain.lastSeq}`,
      line: structural.line,
    });
  }
  if (!trailer) {
    return fail({
      seq: unvouched,
      reason: 'EXPORT_TRAILER_MISSING',
      message:
        `the export ends after event ${chain.lastSeq} without its signed trailer: it was cut ` +
        'off, so later events and checkpoints may be missing',
      line: lineNo + 1,
    });
  }
  if (!signed) {
    return fail({
      seq: unvouched,
      reason: 'EXPORT_TRAILER_INVALID',
      message:
        'the trailer is malformed, its signature does not verify with the audit public key, or ' +
        'its export time differs from the header: the end of the export is not proven',
      line: trailer.line,
    });
  }
  if (chain.eventsChecked !== signed.events) {
    return fail({
      seq: unvouched,
      reason: 'EXPORT_TRAILER_INVALID',
      message: `the trailer lists ${signed.events} events, the export holds ${chain.eventsChecked}`,
      line: trailer.line,
    });
  }
  if (checkpointLines < signed.checkpoints) {
    return fail({
      seq: unvouched,
      reason: 'CHECKPOINTS_MISSING',
      message:
        `${signed.checkpoints - checkpointLines} of the ${signed.checkpoints} checkpoints the ` +
        `trailer lists are missing (the export holds ${checkpointLines}); the last one present ` +
        `covers event ${chain.lastSignedSeq}`,
      line: trailer.line,
    });
  }
  if (checkpointLines > signed.checkpoints) {
    return fail({
      seq: unvouched,
      reason: 'EXPORT_MALFORMED',
      message: `the export holds ${checkpointLines} checkpoint lines, its trailer lists ${signed.checkpoints}`,
      line: trailer.line,
    });
  }
  return result;
}

function flush(verifier: ChainVerifier, pending: ChainedAuditEvent[]): void {
  for (const e of pending.splice(0)) verifier.push(e);
}
