import {
  createHash,
  createPublicKey,
  verify as verifySignature,
  type KeyObject,
} from 'node:crypto';

/**
 * The audit chain, shared by the service and the offline verifier (no Nest, no database).
 *
 * hash(n) = SHA-256( hash(n-1) || "\n" || canonicalJson(fields of event n) ), hash(0) = 64 zeros.
 * A checkpoint signs `sts-audit-checkpoint/v1\n<seq>\n<hash(seq)>\n<at>` with the audit key
 * (ECDSA P-256 over SHA-256, IEEE P1363 r||s). See docs/adr/0005-audit-chain.md.
 */
export const GENESIS_HASH = '0'.repeat(64);

/** The fields of an event that the hash covers. */
export interface AuditEventFields {
  readonly seq: number;
  readonly at: string;
  readonly actorId: string;
  readonly actorName: string;
  readonly action: string;
  readonly subjectType: string;
  readonly subjectId: string;
  readonly outcome: string;
  readonly requestId: string;
  /** Canonical JSON text of the details. */
  readonly details: string;
}

/** The last event of the chain (its sequence number and hash), as the head row holds it. */
export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

export interface ChainedAuditEvent extends AuditEventFields {
  readonly prevHash: string;
  readonly hash: string;
}

export interface AuditCheckpoint {
  readonly seq: number;
  readonly hash: string;
  readonly at: string;
  readonly keyLabel: string;
  readonly signature: string;
}

/** JSON with object keys sorted at every level and no whitespace. */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('non-finite number');
    return JSON.stringify(value ?? null);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/**
 * The text an event's hash covers, split around its sequence number: the canonical JSON of the
 * event is `before + seq + after`. (The database chains a batch of events from these two parts
 * when it gives them their sequence numbers: audit-sql.ts.)
 */
export function eventTextAround(e: Omit<AuditEventFields, 'seq'>): {
  before: string;
  after: string;
} {
  return {
    before:
      `{"action":${JSON.stringify(e.action)},"actorId":${JSON.stringify(e.actorId)},` +
      `"actorName":${JSON.stringify(e.actorName)},"at":${JSON.stringify(e.at)},` +
      `"details":${JSON.stringify(e.details)},"outcome":${JSON.stringify(e.outcome)},` +
      `"requestId":${JSON.stringify(e.requestId)},"seq":`,
    after: `,"subjectId":${JSON.stringify(e.subjectId)},"subjectType":${JSON.stringify(e.subjectType)}}`,
  };
}

/** The hash of an event given its predecessor's hash. */
export function eventHash(prevHash: string, e: AuditEventFields): string {
  const { before, after } = eventTextAround(e);
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(`${before}${e.seq}${after}`)
    .digest('hex');
}

/** The bytes a checkpoint signature covers. */
export function checkpointMessage(seq: number, hash: string, at: string): Buffer {
  return Buffer.from(`sts-audit-checkpoint/v1\n${seq}\n${hash}\n${at}`, 'utf8');
}

/** Verifies a checkpoint signature with the audit public key (SPKI PEM or a KeyObject). */
export function verifyCheckpointSignature(
  publicKey: string | KeyObject,
  cp: Pick<AuditCheckpoint, 'seq' | 'hash' | 'at' | 'signature'>,
): boolean {
  const key = typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
  if (!/^[0-9a-f]+$/.test(cp.signature)) return false;
  return verifySignature(
    'sha256',
    checkpointMessage(cp.seq, cp.hash, cp.at),
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(cp.signature, 'hex'),
  );
}

export type BreakReason =
  /** An event is missing: the sequence jumps (a deleted row). */
  | 'SEQUENCE_GAP'
  /** An event does not link to its predecessor (rows swapped, reordered, or re-hashed). */
  | 'PREV_HASH_MISMATCH'
  /** An event's content does not match its hash (a changed row). */
  | 'HASH_MISMATCH'
  /** A checkpoint's hash differs from the chain at its sequence. */
  | 'CHECKPOINT_MISMATCH'
  /** A checkpoint's signature does not verify with the audit public key. */
  | 'CHECKPOINT_SIGNATURE_INVALID'
  /**
   * Events at the end are gone: the chain ends before the recorded end (the audit head online,
   * the signed trailer in an export), or a checkpoint covers events that are no longer there.
   */
  | 'EVENTS_MISSING_AFTER_LAST'
  /** The chain's last event does not have the hash its recorded end states (a rewritten end). */
  | 'HEAD_MISMATCH'
  /** Events exist after the recorded end (written around the service). */
  | 'EVENTS_BEYOND_HEAD';

export interface BrokenLink {
  /** The first sequence number at which the chain is broken. */
  readonly seq: number;
  readonly reason: BreakReason;
  readonly message: string;
  /** For a wrong end: the last sequence the recorded end (or a checkpoint) states. */
  readonly expectedLastSeq?: number;
  /** For a wrong end: the last sequence actually present. */
  readonly foundLastSeq?: number;
}

/**
 * Where the chain must end, as recorded apart from the events: the `audit_head` row online, the
 * signed trailer of an export offline.
 */
export interface ExpectedEnd {
  /** Names the record in messages, e.g. "the audit head". */
  readonly source: string;
  readonly seq: number;
  readonly hash: string;
  /** The highest sequence stored (online), when the caller verified only up to `seq`. */
  readonly highestStoredSeq?: number;
}

export interface VerificationResult {
  readonly ok: boolean;
  readonly eventsChecked: number;
  readonly checkpointsChecked: number;
  /** Last event sequence seen. */
  readonly lastSeq: number;
  /** Last sequence covered by a valid signed checkpoint (0 when none). */
  readonly lastSignedSeq: number;
  readonly firstBroken?: BrokenLink;
}

/**
 * Incremental chain verifier: feed events in sequence order (and the checkpoints, any order),
 * then `finish()`. Stops at the first broken link and names it. Memory is O(checkpoints).
 */
export class ChainVerifier {
  private prevHash = GENESIS_HASH;
  private expectedSeq: number;
  private events = 0;
  private checkpointsChecked = 0;
  private lastSignedSeq = 0;
  private broken?: BrokenLink;
  private readonly checkpoints = new Map<number, AuditCheckpoint>();

  /**
   * @param verifySig - checks a checkpoint signature (offline: the public key; service: same)
   * @param start - where the slice begins: the first seq and the hash before it (default: genesis)
   */
  constructor(
    private readonly verifySig: (cp: AuditCheckpoint) => boolean,
    start: { seq: number; prevHash: string } = { seq: 1, prevHash: GENESIS_HASH },
  ) {
    this.expectedSeq = start.seq;
    this.prevHash = start.prevHash;
  }

  get isBroken(): boolean {
    return this.broken !== undefined;
  }

  addCheckpoint(cp: AuditCheckpoint): void {
    this.checkpoints.set(cp.seq, cp);
  }

  /** Returns false once the chain is broken (callers may stop reading). */
  push(e: ChainedAuditEvent): boolean {
    if (this.broken) return false;
    if (e.seq !== this.expectedSeq) {
      const missing = this.expectedSeq;
      return this.fail(
        e.seq > missing ? missing : e.seq,
        'SEQUENCE_GAP',
        e.seq > missing
          ? `event ${missing} is missing (next present is ${e.seq})`
          : `event ${e.seq} appears out of order after ${missing - 1}`,
      );
    }
    if (e.prevHash !== this.prevHash) {
      return this.fail(
        e.seq,
        'PREV_HASH_MISMATCH',
        `event ${e.seq} does not link to event ${e.seq - 1}`,
      );
    }
    if (eventHash(e.prevHash, e) !== e.hash) {
      return this.fail(e.seq, 'HASH_MISMATCH', `event ${e.seq} was changed after it was written`);
    }
    this.prevHash = e.hash;
    this.expectedSeq = e.seq + 1;
    this.events += 1;
    const cp = this.checkpoints.get(e.seq);
    if (cp) {
      this.checkpointsChecked += 1;
      if (cp.hash !== e.hash) {
        return this.fail(
          e.seq,
          'CHECKPOINT_MISMATCH',
          `checkpoint at ${e.seq} does not match the chain`,
        );
      }
      if (!this.verifySig(cp)) {
        return this.fail(
          e.seq,
          'CHECKPOINT_SIGNATURE_INVALID',
          `checkpoint at ${e.seq} has an invalid signature`,
        );
      }
      this.lastSignedSeq = e.seq;
    }
    return true;
  }

  /**
   * Ends the verification. With `end`, the chain must end exactly there: same last sequence,
   * same hash, nothing stored beyond it. Without it, only checkpoints bound the end.
   */
  finish(end?: ExpectedEnd): VerificationResult {
    const lastSeq = this.expectedSeq - 1;
    if (end && this.broken && this.broken.seq > end.seq) {
      // Whatever is wrong beyond the recorded end, the first problem is that it exists.
      const found = Math.max(lastSeq, this.broken.seq);
      this.broken = undefined;
      this.beyond(end, found);
    }
    if (!this.broken && end) this.checkEnd(end, lastSeq);
    if (!this.broken) {
      const beyond = [...this.checkpoints.keys()].filter((s) => s > lastSeq).sort((a, b) => a - b);
      if (beyond.length > 0) {
        const last = beyond[beyond.length - 1];
        this.fail(
          lastSeq + 1,
          'EVENTS_MISSING_AFTER_LAST',
          `events ${lastSeq + 1} to ${last} are missing: a checkpoint covers them`,
          { expectedLastSeq: last, foundLastSeq: lastSeq },
        );
      }
    }
    return {
      ok: this.broken === undefined,
      eventsChecked: this.events,
      checkpointsChecked: this.checkpointsChecked,
      lastSeq,
      lastSignedSeq: this.lastSignedSeq,
      ...(this.broken ? { firstBroken: this.broken } : {}),
    };
  }

  private checkEnd(end: ExpectedEnd, lastSeq: number): void {
    if (lastSeq < end.seq) {
      this.fail(
        lastSeq + 1,
        'EVENTS_MISSING_AFTER_LAST',
        `events ${lastSeq + 1} to ${end.seq} are missing: ${end.source} ends the chain at ` +
          `${end.seq}, the last event present is ${lastSeq}`,
        { expectedLastSeq: end.seq, foundLastSeq: lastSeq },
      );
    } else if (lastSeq > end.seq) {
      this.beyond(end, lastSeq);
    } else if (this.prevHash !== end.hash) {
      this.fail(
        end.seq,
        'HEAD_MISMATCH',
        `event ${end.seq} does not match ${end.source}: the end of the chain was rewritten`,
        { expectedLastSeq: end.seq, foundLastSeq: lastSeq },
      );
    } else if (end.highestStoredSeq !== undefined && end.highestStoredSeq > end.seq) {
      this.beyond(end, end.highestStoredSeq);
    }
  }

  private beyond(end: ExpectedEnd, found: number): void {
    this.fail(
      end.seq + 1,
      'EVENTS_BEYOND_HEAD',
      `events after ${end.seq} are present (up to ${found}) although ${end.source} ends the ` +
        `chain at ${end.seq}`,
      { expectedLastSeq: end.seq, foundLastSeq: found },
    );
  }

  private fail(
    seq: number,
    reason: BreakReason,
    message: string,
    end?: Pick<BrokenLink, 'expectedLastSeq' | 'foundLastSeq'>,
  ): false {
    this.broken = { seq, reason, message, ...end };
    return false;
  }
}
