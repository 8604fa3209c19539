import { createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import { type AuditCheckpoint, type ChainedAuditEvent, canonicalJson } from './audit-chain';

/**
 * The JSON Lines audit export, shared by the service (writes it) and the offline verifier (reads
 * it); no Nest, no database. See docs/adr/0005-audit-chain.md.
 *
 * A header line, every event from 1 to the exported head with each checkpoint after the event
 * it covers, and a trailer line. The trailer states where the export ends (event count, last
 * sequence and hash, checkpoint count) and is signed with the audit key over
 * `sts-audit-export/v1\n<exportedAt>\n<events>\n<checkpoints>\n<lastSeq>\n<lastHash>`, so a
 * verifier holding only the public key can tell a complete export from a cut or thinned one.
 */
export const EXPORT_FORMAT = 'sts-audit-export/v1';

export interface ExportHeader {
  readonly type: 'header';
  readonly format: typeof EXPORT_FORMAT;
  readonly exportedAt: string;
  readonly keyLabel: string;
}

/** What the trailer signature covers. */
export interface ExportTrailerFields {
  readonly exportedAt: string;
  /** Events in the export (sequences 1 to `lastSeq`). */
  readonly events: number;
  /** Checkpoint lines in the export. */
  readonly checkpoints: number;
  readonly lastSeq: number;
  /** Hash of event `lastSeq` (the genesis hash for an empty trail). */
  readonly lastHash: string;
}

export interface ExportTrailer extends ExportTrailerFields {
  readonly type: 'trailer';
  readonly format: typeof EXPORT_FORMAT;
  readonly keyLabel: string;
  /** ECDSA P-256 / SHA-256, IEEE P1363 r||s, hex, over {@link exportTrailerMessage}. */
  readonly signature: string;
}

/** The bytes the trailer signature covers (distinct from a checkpoint's message). */
export function exportTrailerMessage(t: ExportTrailerFields): Buffer {
  return Buffer.from(
    `${EXPORT_FORMAT}\n${t.exportedAt}\n${t.events}\n${t.checkpoints}\n${t.lastSeq}\n${t.lastHash}`,
    'utf8',
  );
}

/** Verifies a trailer signature with the audit public key (SPKI PEM or a KeyObject). */
export function verifyExportTrailerSignature(
  publicKey: string | KeyObject,
  t: ExportTrailerFields & Pick<ExportTrailer, 'signature'>,
): boolean {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  if (!/^[0-9a-f]+$/.test(t.signature)) return false;
  return verifySignature(
    'sha256',
    exportTrailerMessage(t),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(t.signature, 'hex'),
  );
}

/** A parsed record is a well-formed trailer (types only; the signature is checked apart). */
export function isExportTrailer(r: Record<string, unknown>): r is ExportTrailer & {
  [k: string]: unknown;
} {
  const count = (v: unknown) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;
  return (
    r.type === 'trailer' &&
    r.format === EXPORT_FORMAT &&
    typeof r.exportedAt === 'string' &&
    typeof r.keyLabel === 'string' &&
    count(r.events) &&
    count(r.checkpoints) &&
    count(r.lastSeq) &&
    typeof r.lastHash === 'string' &&
    /^[0-9a-f]{64}$/.test(r.lastHash) &&
    typeof r.signature === 'string'
  );
}

export function headerLine(h: Omit<ExportHeader, 'type' | 'format'>): string {
  return canonicalJson({ type: 'header', format: EXPORT_FORMAT, ...h });
}

export function eventLine(e: ChainedAuditEvent): string {
  return canonicalJson({ type: 'event', ...e });
}

export function checkpointLine(cp: AuditCheckpoint): string {
  return canonicalJson({ type: 'checkpoint', ...cp });
}

export function trailerLine(t: Omit<ExportTrailer, 'type' | 'format'>): string {
  return canonicalJson({ type: 'trailer', format: EXPORT_FORMAT, ...t });
}
