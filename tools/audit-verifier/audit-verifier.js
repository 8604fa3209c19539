// @ts-check
'use strict';

/**
 * The STS key-service audit chain and its verification, shared by the service (which imports it)
 * and by auditors (who run `verify-audit.js` on their own machine). Plain Node >= 20, no
 * dependencies. See docs/adr/0005-audit-chain.md and docs/audit.md.
 *
 * hash(n) = SHA-256( hash(n-1) || "\n" || canonicalJson(fields of event n) ), hash(0) = 64 zeros.
 * A checkpoint signs `sts-audit-checkpoint/v1\n<seq>\n<hash(seq)>\n<at>` with the audit key
 * (ECDSA P-256 over SHA-256, IEEE P1363 r||s). An export is JSON Lines: a header, the events
 * with each checkpoint after the event it covers, and a signed trailer.
 */

const { createHash, createPublicKey, verify: verifySignature } = require('node:crypto');
const {
  copyFileSync,
  createReadStream,
  existsSync,
  readFileSync,
  renameSync,
  writeFileSync,
} = require('node:fs');
const { createInterface } = require('node:readline');

const GENESIS_HASH = '0'.repeat(64);

/**
 * How late a checkpoint the service owes may be before an online verification calls it missing:
 * the commit, the token's signature and the checkpoint insert of a busy service.
 */
const CHECKPOINT_GRACE_SECONDS = 60;

/**
 * @typedef {object} AuditEventFields The fields of an event that the hash covers.
 * @property {number} seq
 * @property {string} at
 * @property {string} actorId
 * @property {string} actorName
 * @property {string} action
 * @property {string} subjectType
 * @property {string} subjectId
 * @property {string} outcome
 * @property {string} requestId
 * @property {string} details Canonical JSON text of the details.
 */

/** @typedef {AuditEventFields & { prevHash: string, hash: string }} ChainedAuditEvent */

/**
 * @typedef {object} ChainHead The last event of the chain, as the head row holds it.
 * @property {number} seq
 * @property {string} hash
 */

/**
 * @typedef {object} AuditCheckpoint
 * @property {number} seq
 * @property {string} hash
 * @property {string} at
 * @property {string} keyLabel
 * @property {string} signature ECDSA P-256 / SHA-256, IEEE P1363 r||s, hex.
 */

/**
 * @typedef {object} Cadence How often the service signs a checkpoint.
 * @property {number} every After this many events (`STS_AUDIT_CHECKPOINT_EVERY`).
 * @property {number} seconds And this often while events wait (`STS_AUDIT_CHECKPOINT_SECONDS`,
 *   0: no timer).
 */

/**
 * @typedef {object} Witness A signed checkpoint an auditor verified and keeps.
 * @property {typeof WITNESS_FORMAT} format
 * @property {number} seq
 * @property {string} hash
 * @property {string} at
 * @property {string} signature
 * @property {string} keyFingerprint SHA-256 of the audit key's SPKI DER, hex.
 */

/**
 * Why a chain is not intact.
 * - `SEQUENCE_GAP`: an event is missing (a deleted row).
 * - `PREV_HASH_MISMATCH`: an event does not link to its predecessor (swapped or re-hashed rows).
 * - `HASH_MISMATCH`: an event's content does not match its hash (a changed row).
 * - `CHECKPOINT_MISMATCH`: a checkpoint's hash differs from the chain at its sequence.
 * - `CHECKPOINT_SIGNATURE_INVALID`: a checkpoint's signature does not verify.
 * - `CHECKPOINT_GAP`: a span of events is longer than the cadence allows without a signed
 *   checkpoint (checkpoints removed, or a checkpoint the service owes is overdue).
 * - `EVENTS_MISSING_AFTER_LAST`: events at the end are gone (the chain ends before its recorded
 *   end, or a checkpoint covers events that are no longer there).
 * - `HEAD_MISMATCH`: the last event does not have the hash its recorded end states.
 * - `EVENTS_BEYOND_HEAD`: events exist after the recorded end.
 * - `WITNESS_MISMATCH`: the event at the auditor's witness has another hash (history rewritten).
 * - `WITNESS_BEYOND_END`: the chain ends before the auditor's witness (history cut back).
 * - `WITNESS_INVALID`: the witness is malformed or its signature does not verify.
 * - `KEY_FINGERPRINT_MISMATCH`: the audit key is not the one the auditor pinned.
 * @typedef {'SEQUENCE_GAP' | 'PREV_HASH_MISMATCH' | 'HASH_MISMATCH' | 'CHECKPOINT_MISMATCH'
 *   | 'CHECKPOINT_SIGNATURE_INVALID' | 'CHECKPOINT_GAP' | 'EVENTS_MISSING_AFTER_LAST'
 *   | 'HEAD_MISMATCH' | 'EVENTS_BEYOND_HEAD' | 'WITNESS_MISMATCH' | 'WITNESS_BEYOND_END'
 *   | 'WITNESS_INVALID' | 'KEY_FINGERPRINT_MISMATCH'} BreakReason
 */

/** Every {@link BreakReason}, for schemas. */
const BREAK_REASONS = /** @type {const} */ ([
  'SEQUENCE_GAP',
  'PREV_HASH_MISMATCH',
  'HASH_MISMATCH',
  'CHECKPOINT_MISMATCH',
  'CHECKPOINT_SIGNATURE_INVALID',
  'CHECKPOINT_GAP',
  'EVENTS_MISSING_AFTER_LAST',
  'HEAD_MISMATCH',
  'EVENTS_BEYOND_HEAD',
  'WITNESS_MISMATCH',
  'WITNESS_BEYOND_END',
  'WITNESS_INVALID',
  'KEY_FINGERPRINT_MISMATCH',
]);

/**
 * @typedef {object} BrokenLink
 * @property {number} seq The first sequence number at which the chain is broken.
 * @property {BreakReason} reason
 * @property {string} message
 * @property {number} [expectedLastSeq] For a wrong end: the last sequence the recorded end (or
 *   a checkpoint) states.
 * @property {number} [foundLastSeq] For a wrong end: the last sequence actually present.
 */

/**
 * @typedef {object} ExpectedEnd Where the chain must end, as recorded apart from the events: the
 *   `audit_head` row online, the signed trailer of an export offline.
 * @property {string} source Names the record in messages, e.g. "the audit head".
 * @property {number} seq
 * @property {string} hash
 * @property {number} [highestStoredSeq] The highest sequence stored (online), when the caller
 *   verified only up to `seq`.
 */

/**
 * @typedef {object} VerificationResult
 * @property {boolean} ok
 * @property {number} eventsChecked
 * @property {number} checkpointsChecked
 * @property {number} lastSeq Last event sequence seen.
 * @property {number} lastSignedSeq Last sequence covered by a valid signed checkpoint (0: none).
 * @property {AuditCheckpoint} [lastCheckpoint] The valid checkpoint at `lastSignedSeq`.
 * @property {BrokenLink} [firstBroken]
 * @property {RecordedRestore[]} [restores] The database restores the chain records, oldest first.
 * @property {LostWitness} [witnessLost] The auditor's witness lies in events a restore lost.
 */

/** The action of the event the service appends when a database restore completes. */
const RESTORE_ACTION = 'recovery.restored';

/**
 * @typedef {object} RecordedRestore A database restore, as its `recovery.restored` event records
 *   it: the restored database ended at `restoredHeadSeq`, and the restore event took the next
 *   sequence. Events the old database held after `restoredHeadSeq` are lost; how far they went is
 *   known only from a signed checkpoint of theirs (`lostThroughSeq`, else null).
 * @property {number} seq The restore event.
 * @property {string} at
 * @property {number} restoredHeadSeq
 * @property {number} lostFromSeq
 * @property {number | null} lostThroughSeq
 */

/**
 * @typedef {object} LostWitness The auditor's witness is from events a recorded restore lost:
 *   events `fromSeq` to `throughSeq` (at least; later ones are unknown) of the timeline the
 *   witness saw are gone; the chain continues from the restored head instead.
 * @property {number} witnessSeq
 * @property {number} fromSeq
 * @property {number} throughSeq
 * @property {number} restoreSeq
 * @property {string} restoredAt
 */

/**
 * The restore `e` records, when it is a restore event that directly follows the head it names.
 * @param {ChainedAuditEvent} e
 * @returns {RecordedRestore | undefined}
 */
function restoreOf(e) {
  if (e.action !== RESTORE_ACTION) return undefined;
  /** @type {Record<string, unknown> | null | undefined} */
  let d;
  try {
    d = JSON.parse(e.details);
  } catch {
    // Details that are not JSON leave d undefined: not a restore.
  }
  if (d?.restoredHeadSeq !== e.seq - 1) return undefined;
  const through = /** @type {number} */ (d.lostThroughSeq);
  return {
    seq: e.seq,
    at: e.at,
    restoredHeadSeq: e.seq - 1,
    lostFromSeq: e.seq,
    lostThroughSeq: Number.isSafeInteger(through) && through >= e.seq ? through : null,
  };
}

/**
 * @typedef {object} ChainOptions
 * @property {Cadence} [cadence] Enforce the checkpoint cadence (see {@link ChainVerifier}).
 * @property {number} [now] Verification time (ms since the epoch): the chain is the live trail,
 *   whose newest events a checkpoint may not cover yet. Without it the chain is an export, which
 *   ends at a checkpoint.
 * @property {Pick<Witness, 'seq' | 'hash'>} [witness] A checkpoint the auditor verified before
 *   (its signature checked by the caller): the chain must hold that hash at that sequence.
 */

/**
 * JSON with object keys sorted at every level and no whitespace.
 * @param {unknown} value
 * @returns {string}
 */
function canonicalJson(value) {
  if (value === null || typeof value !== 'object') {
    if (typeof value === 'number' && !Number.isFinite(value)) throw new Error('non-finite number');
    return JSON.stringify(value ?? null);
  }
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  const obj = /** @type {Record<string, unknown>} */ (value);
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(',')}}`;
}

/**
 * The text an event's hash covers, split around its sequence number: the canonical JSON of the
 * event is `before + seq + after`. (The database chains a batch of events from these two parts
 * when it gives them their sequence numbers.)
 * @param {Omit<AuditEventFields, 'seq'>} e
 * @returns {{ before: string, after: string }}
 */
function eventTextAround(e) {
  return {
    before:
      `{"action":${JSON.stringify(e.action)},"actorId":${JSON.stringify(e.actorId)},` +
      `"actorName":${JSON.stringify(e.actorName)},"at":${JSON.stringify(e.at)},` +
      `"details":${JSON.stringify(e.details)},"outcome":${JSON.stringify(e.outcome)},` +
      `"requestId":${JSON.stringify(e.requestId)},"seq":`,
    after: `,"subjectId":${JSON.stringify(e.subjectId)},"subjectType":${JSON.stringify(e.subjectType)}}`,
  };
}

/**
 * The hash of an event given its predecessor's hash.
 * @param {string} prevHash
 * @param {AuditEventFields} e
 * @returns {string}
 */
function eventHash(prevHash, e) {
  const { before, after } = eventTextAround(e);
  return createHash('sha256')
    .update(prevHash)
    .update('\n')
    .update(`${before}${e.seq}${after}`)
    .digest('hex');
}

/**
 * The bytes a checkpoint signature covers.
 * @param {number} seq
 * @param {string} hash
 * @param {string} at
 * @returns {Buffer}
 */
function checkpointMessage(seq, hash, at) {
  return Buffer.from(`sts-audit-checkpoint/v1\n${seq}\n${hash}\n${at}`, 'utf8');
}

/**
 * @param {string | import('node:crypto').KeyObject} publicKey SPKI PEM or a KeyObject
 * @returns {import('node:crypto').KeyObject}
 */
function toKey(publicKey) {
  return typeof publicKey === 'string' ? createPublicKey(publicKey) : publicKey;
}

/**
 * ECDSA P-256 / SHA-256 (IEEE P1363 r||s, hex) verification of `message`.
 * @param {import('node:crypto').KeyObject} key
 * @param {Buffer} message
 * @param {string} signature
 */
function verifyP1363(key, message, signature) {
  if (!/^[0-9a-f]+$/.test(signature)) return false;
  return verifySignature(
    'sha256',
    message,
    { key, dsaEncoding: 'ieee-p1363' },
    Buffer.from(signature, 'hex'),
  );
}

/**
 * Verifies a checkpoint signature with the audit public key.
 * @param {string | import('node:crypto').KeyObject} publicKey SPKI PEM or a KeyObject
 * @param {Pick<AuditCheckpoint, 'seq' | 'hash' | 'at' | 'signature'>} cp
 * @returns {boolean}
 */
function verifyCheckpointSignature(publicKey, cp) {
  return verifyP1363(toKey(publicKey), checkpointMessage(cp.seq, cp.hash, cp.at), cp.signature);
}

/**
 * The fingerprint an auditor records at installation: SHA-256 of the public key's SPKI DER, hex.
 * (`openssl pkey -pubin -in audit.pem -outform DER | sha256sum` prints the same.)
 * @param {string | import('node:crypto').KeyObject} publicKey SPKI PEM or a KeyObject
 * @returns {string}
 */
function keyFingerprint(publicKey) {
  const der = toKey(publicKey).export({ type: 'spki', format: 'der' });
  return createHash('sha256').update(der).digest('hex');
}

/**
 * The longest span of events a checkpoint may cover after the previous one: `every` between the
 * multiples of `every` the service signs, `every` more of slack for a checkpoint signed late (at
 * the next append after a failure) and for trails signed before checkpoints fell on multiples.
 * @param {Cadence} cadence
 */
function maxSpan(cadence) {
  return 2 * cadence.every;
}

/**
 * Incremental chain verifier: feed events in sequence order (and the checkpoints, any order),
 * then `finish()`. Memory is O(checkpoints).
 *
 * With a cadence it also requires checkpoints as often as the service makes them: between two
 * consecutive valid checkpoints (the genesis counting as one) at most {@link maxSpan} events.
 * After the last checkpoint, in the live trail (`now` given), the checkpoint is overdue when the
 * `every`-th event after it (which crossed a multiple of `every`, so triggered one) is older than
 * {@link CHECKPOINT_GRACE_SECONDS}, or with a timer when the first event after it is older than
 * `seconds` plus that grace; in an export (no `now`) the same span limit applies to the tail.
 *
 * Reports one problem: a broken link (the first by sequence, which stops the verification), the
 * wrong end and the witness, and otherwise the first span without a checkpoint.
 */
class ChainVerifier {
  /**
   * @param {(cp: AuditCheckpoint) => boolean} verifySig checks a checkpoint's signature
   * @param {ChainOptions} [options]
   */
  constructor(verifySig, options = {}) {
    /** @private */
    this.verifySig = verifySig;
    /** @private */
    this.options = options;
    /** @private */
    this.prevHash = GENESIS_HASH;
    /** @private */
    this.expectedSeq = 1;
    /** @private */
    this.events = 0;
    /** @private */
    this.checkpointsChecked = 0;
    /** @private @type {AuditCheckpoint | undefined} */
    this.lastCheckpoint = undefined;
    /** @private @type {BrokenLink | undefined} */
    this.broken = undefined;
    /** @private @type {BrokenLink | undefined} */
    this.missingCheckpoint = undefined;
    /** @private @type {{ firstAt?: string, triggerAt?: string }} the events after the last checkpoint */
    this.tail = {};
    /** @private @type {Map<number, AuditCheckpoint>} */
    this.checkpoints = new Map();
    /** @private @type {RecordedRestore[]} */
    this.restores = [];
    /** @private @type {LostWitness | undefined} */
    this.witnessLost = undefined;
  }

  get isBroken() {
    return this.broken !== undefined;
  }

  /** @param {AuditCheckpoint} cp */
  addCheckpoint(cp) {
    this.checkpoints.set(cp.seq, cp);
  }

  /**
   * Returns false once the chain is broken (callers may stop reading).
   * @param {ChainedAuditEvent} e
   * @returns {boolean}
   */
  push(e) {
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
    const restore = restoreOf(e);
    if (restore) this.restores.push(restore);
    const witness = this.options.witness;
    if (witness && e.seq === witness.seq && e.hash !== witness.hash && !this.loseWitness(witness)) {
      return this.fail(
        e.seq,
        'WITNESS_MISMATCH',
        `event ${e.seq} differs from the signed checkpoint the auditor holds for it: the history ` +
          'up to it was rewritten',
      );
    }
    this.prevHash = e.hash;
    this.expectedSeq = e.seq + 1;
    this.events += 1;
    const unsigned = e.seq - this.lastSignedSeq;
    if (unsigned === 1) this.tail.firstAt = e.at;
    if (unsigned === this.options.cadence?.every) this.tail.triggerAt = e.at;
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
      this.checkSpan(e.seq);
      this.lastCheckpoint = cp;
      this.tail = {};
    }
    return true;
  }

  /**
   * Ends the verification. With `end`, the chain must end exactly there: same last sequence,
   * same hash, nothing stored beyond it. Without it, only checkpoints bound the end.
   * @param {ExpectedEnd} [end]
   * @returns {VerificationResult}
   */
  finish(end) {
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
    const witness = this.options.witness;
    if (!this.broken && witness && lastSeq < witness.seq && !this.loseWitness(witness)) {
      this.fail(
        lastSeq + 1,
        'WITNESS_BEYOND_END',
        `the chain ends at ${lastSeq}, before event ${witness.seq} of the signed checkpoint the ` +
          'auditor holds: events it covered are gone',
        { expectedLastSeq: witness.seq, foundLastSeq: lastSeq },
      );
    }
    const lost = this.witnessLost;
    if (!this.broken && lost && lost.restoreSeq > this.lastSignedSeq) {
      this.fail(
        lost.restoreSeq,
        'WITNESS_MISMATCH',
        `the chain departs from the signed checkpoint the auditor holds for event ` +
          `${lost.witnessSeq}; the restore event ${lost.restoreSeq} that would account for it is ` +
          'not covered by a signed checkpoint',
      );
    }
    if (!this.broken) this.checkTail(lastSeq);
    if (!this.broken && this.missingCheckpoint) this.broken = this.missingCheckpoint;
    return {
      ok: this.broken === undefined,
      eventsChecked: this.events,
      checkpointsChecked: this.checkpointsChecked,
      lastSeq,
      lastSignedSeq: this.lastSignedSeq,
      ...(this.lastCheckpoint ? { lastCheckpoint: this.lastCheckpoint } : {}),
      ...(this.broken ? { firstBroken: this.broken } : {}),
      ...(this.restores.length > 0 ? { restores: this.restores } : {}),
      ...(this.witnessLost ? { witnessLost: this.witnessLost } : {}),
    };
  }

  /**
   * The witness departs from the chain (another hash at its sequence, or the chain ends before
   * it): accounted for by the latest restore recorded so far. Every restore recorded by then
   * follows its restored head and comes at or before the witness's sequence, so that head is
   * before the witness. Records which events were lost; false when no restore accounts for it.
   * @private
   * @param {Pick<Witness, 'seq' | 'hash'>} witness
   * @returns {boolean}
   */
  loseWitness(witness) {
    const restore = this.restores[this.restores.length - 1];
    if (!restore) return false;
    this.witnessLost = {
      witnessSeq: witness.seq,
      fromSeq: restore.lostFromSeq,
      throughSeq: Math.max(witness.seq, restore.lostThroughSeq ?? 0),
      restoreSeq: restore.seq,
      restoredAt: restore.at,
    };
    return true;
  }

  /** @private */
  get lastSignedSeq() {
    return this.lastCheckpoint?.seq ?? 0;
  }

  /**
   * A valid checkpoint at `seq`: the span since the previous one must fit the cadence.
   * @private
   * @param {number} seq
   */
  checkSpan(seq) {
    const cadence = this.options.cadence;
    if (!cadence || seq - this.lastSignedSeq <= maxSpan(cadence)) return;
    this.missing(
      `events ${this.lastSignedSeq + 1} to ${seq} (${seq - this.lastSignedSeq}) have no signed ` +
        `checkpoint between them; one every ${cadence.every} events allows at most ` +
        `${maxSpan(cadence)}: checkpoints were removed`,
    );
  }

  /**
   * The events after the last checkpoint.
   * @private
   * @param {number} lastSeq
   */
  checkTail(lastSeq) {
    const cadence = this.options.cadence;
    const unsigned = lastSeq - this.lastSignedSeq;
    if (!cadence || unsigned === 0) return;
    const from = this.lastSignedSeq + 1;
    const now = this.options.now;
    if (now === undefined) {
      if (unsigned > maxSpan(cadence)) {
        this.missing(
          `events ${from} to ${lastSeq} (${unsigned}) end the export without a signed ` +
            `checkpoint; the cadence allows at most ${maxSpan(cadence)}`,
        );
      }
      return;
    }
    const ageSeconds = (/** @type {string | undefined} */ at) =>
      at === undefined ? 0 : (now - Date.parse(at)) / 1000;
    if (ageSeconds(this.tail.triggerAt) > CHECKPOINT_GRACE_SECONDS) {
      this.missing(
        `events ${from} to ${lastSeq} have no signed checkpoint although event ` +
          `${this.lastSignedSeq + cadence.every} (written ${this.tail.triggerAt}) crossed the ` +
          `cadence of ${cadence.every} events: checkpoints were removed, or the service owes one`,
      );
    } else if (
      cadence.seconds > 0 &&
      ageSeconds(this.tail.firstAt) > cadence.seconds + CHECKPOINT_GRACE_SECONDS
    ) {
      this.missing(
        `events ${from} to ${lastSeq} have no signed checkpoint although event ${from} was ` +
          `written at ${this.tail.firstAt}, more than ${cadence.seconds} s ago: checkpoints were ` +
          'removed, or the service owes one',
      );
    }
  }

  /**
   * Records the first span without a checkpoint; reported when nothing else is broken.
   * @private
   * @param {string} message
   */
  missing(message) {
    this.missingCheckpoint ??= {
      seq: this.lastSignedSeq + 1,
      reason: 'CHECKPOINT_GAP',
      message,
    };
  }

  /**
   * @private
   * @param {ExpectedEnd} end
   * @param {number} lastSeq
   */
  checkEnd(end, lastSeq) {
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

  /**
   * @private
   * @param {ExpectedEnd} end
   * @param {number} found
   */
  beyond(end, found) {
    this.fail(
      end.seq + 1,
      'EVENTS_BEYOND_HEAD',
      `events after ${end.seq} are present (up to ${found}) although ${end.source} ends the ` +
        `chain at ${end.seq}`,
      { expectedLastSeq: end.seq, foundLastSeq: found },
    );
  }

  /**
   * @private
   * @param {number} seq
   * @param {BreakReason} reason
   * @param {string} message
   * @param {Pick<BrokenLink, 'expectedLastSeq' | 'foundLastSeq'>} [end]
   * @returns {false}
   */
  fail(seq, reason, message, end) {
    this.broken = { seq, reason, message, ...end };
    return false;
  }
}

// ---- The auditor's witness ----------------------------------------------------------------

const WITNESS_FORMAT = 'sts-audit-witness/v1';

/**
 * The witness an auditor keeps after verifying a chain that ends at `cp`.
 * @param {AuditCheckpoint} cp
 * @param {string} fingerprint the audit key's {@link keyFingerprint}
 * @returns {Witness}
 */
function witnessOf(cp, fingerprint) {
  return {
    format: WITNESS_FORMAT,
    seq: cp.seq,
    hash: cp.hash,
    at: cp.at,
    signature: cp.signature,
    keyFingerprint: fingerprint,
  };
}

/**
 * Reads a witness from parsed JSON; names the first bad field.
 * @param {unknown} value
 * @returns {{ witness: Witness } | { problem: string }}
 */
function parseWitness(value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    return { problem: 'is not a JSON object' };
  }
  const w = /** @type {Record<string, unknown>} */ (value);
  /** @type {[string, boolean][]} */
  const fields = [
    ['format', w.format === WITNESS_FORMAT],
    ['seq', typeof w.seq === 'number' && Number.isSafeInteger(w.seq) && w.seq >= 1],
    ['hash', typeof w.hash === 'string' && /^[0-9a-f]{64}$/.test(w.hash)],
    ['at', typeof w.at === 'string' && w.at.length > 0],
    ['signature', typeof w.signature === 'string' && /^[0-9a-f]{128}$/.test(w.signature)],
    [
      'keyFingerprint',
      typeof w.keyFingerprint === 'string' && /^[0-9a-f]{64}$/.test(w.keyFingerprint),
    ],
  ];
  const bad = fields.find(([, ok]) => !ok);
  if (bad) return { problem: `field ${bad[0]} is missing or malformed` };
  return { witness: /** @type {Witness} */ (w) };
}

/**
 * Checks the audit key against the fingerprint the auditor pinned and against the witness's,
 * and the witness's signature with that key. Returns the problem, or undefined.
 * @param {import('node:crypto').KeyObject} key
 * @param {{ fingerprint?: string, witness?: Witness }} pins
 * @returns {BrokenLink | undefined}
 */
function checkPins(key, pins) {
  const actual = keyFingerprint(key);
  const expected = [
    ['the pinned fingerprint', pins.fingerprint?.toLowerCase()],
    ["the witness's key fingerprint", pins.witness?.keyFingerprint],
  ].find(([, fp]) => fp !== undefined && fp !== actual);
  if (expected) {
    return {
      seq: 1,
      reason: 'KEY_FINGERPRINT_MISMATCH',
      message: `the audit key has fingerprint ${actual}, ${expected[0]} is ${expected[1]}`,
    };
  }
  if (pins.witness && !verifyCheckpointSignature(key, pins.witness)) {
    return {
      seq: pins.witness.seq,
      reason: 'WITNESS_INVALID',
      message: `the witness for event ${pins.witness.seq} does not carry a valid signature`,
    };
  }
  return undefined;
}

// ---- The export --------------------------------------------------------------------------

/**
 * A header line, every event from 1 to the exported head with each checkpoint after the event
 * it covers, and a trailer line. The trailer states where the export ends and the cadence the
 * checkpoints were made under, signed with the audit key over {@link exportTrailerMessage}.
 */
const EXPORT_FORMAT = 'sts-audit-export/v2';

/**
 * The first export format, still verified: the same lines, but neither the header nor the
 * signed trailer states the checkpoint cadence, so a span without a checkpoint cannot be told
 * from the export alone (the result says so). The service writes only the current format.
 */
const EXPORT_FORMAT_V1 = 'sts-audit-export/v1';

/**
 * @typedef {object} ExportTrailerFields What the trailer signature covers.
 * @property {string} exportedAt
 * @property {number} events Events in the export (sequences 1 to `lastSeq`).
 * @property {number} checkpoints Checkpoint lines in the export.
 * @property {number} lastSeq
 * @property {string} lastHash Hash of event `lastSeq` (the genesis hash for an empty trail).
 * @property {number} checkpointEvery The cadence the service ran with (`Cadence.every`).
 * @property {number} checkpointSeconds And its timer (`Cadence.seconds`).
 */

/**
 * @typedef {ExportTrailerFields & { type: 'trailer',
 *   format: typeof EXPORT_FORMAT | typeof EXPORT_FORMAT_V1,
 *   keyLabel: string, signature: string }} ExportTrailer An {@link EXPORT_FORMAT_V1} trailer has
 *   no cadence fields.
 */

/**
 * The bytes the trailer signature covers (distinct from a checkpoint's message). The format
 * leads, so a trailer signed under one format never verifies under the other.
 * @param {ExportTrailerFields} t
 * @returns {Buffer}
 */
function exportTrailerMessage(t) {
  return Buffer.from(
    `${EXPORT_FORMAT}\n${t.exportedAt}\n${t.events}\n${t.checkpoints}\n${t.lastSeq}\n` +
      `${t.lastHash}\n${t.checkpointEvery}\n${t.checkpointSeconds}`,
    'utf8',
  );
}

/**
 * The bytes an {@link EXPORT_FORMAT_V1} trailer signature covers.
 * @param {Omit<ExportTrailerFields, 'checkpointEvery' | 'checkpointSeconds'>} t
 * @returns {Buffer}
 */
function exportTrailerMessageV1(t) {
  return Buffer.from(
    `${EXPORT_FORMAT_V1}\n${t.exportedAt}\n${t.events}\n${t.checkpoints}\n${t.lastSeq}\n` +
      `${t.lastHash}`,
    'utf8',
  );
}

/** @param {unknown} v */
const isCount = (v) => typeof v === 'number' && Number.isSafeInteger(v) && v >= 0;

/**
 * A parsed record is a well-formed trailer (types only; the signature is checked apart).
 * @param {Record<string, unknown>} r
 * @returns {r is ExportTrailer}
 */
function isExportTrailer(r) {
  const cadenceStated =
    r.format === EXPORT_FORMAT && isCount(r.checkpointEvery) && isCount(r.checkpointSeconds);
  return (
    r.type === 'trailer' &&
    (cadenceStated || r.format === EXPORT_FORMAT_V1) &&
    typeof r.exportedAt === 'string' &&
    typeof r.keyLabel === 'string' &&
    isCount(r.events) &&
    isCount(r.checkpoints) &&
    isCount(r.lastSeq) &&
    typeof r.lastHash === 'string' &&
    /^[0-9a-f]{64}$/.test(r.lastHash) &&
    typeof r.signature === 'string'
  );
}

/**
 * Whether a well-formed trailer's signature verifies under its format's message.
 * @param {import('node:crypto').KeyObject} key
 * @param {ExportTrailer} t
 */
function trailerSignatureValid(key, t) {
  const message = t.format === EXPORT_FORMAT ? exportTrailerMessage(t) : exportTrailerMessageV1(t);
  return verifyP1363(key, message, t.signature);
}

/**
 * @param {{ exportedAt: string, keyLabel: string, checkpointEvery: number,
 *   checkpointSeconds: number }} h
 */
function headerLine(h) {
  return canonicalJson({ type: 'header', format: EXPORT_FORMAT, ...h });
}

/** @param {ChainedAuditEvent} e */
function eventLine(e) {
  return canonicalJson({ type: 'event', ...e });
}

/** @param {AuditCheckpoint} cp */
function checkpointLine(cp) {
  return canonicalJson({ type: 'checkpoint', ...cp });
}

/** @param {Omit<ExportTrailer, 'type' | 'format'>} t */
function trailerLine(t) {
  return canonicalJson({ type: 'trailer', format: EXPORT_FORMAT, ...t });
}

/**
 * Why an export is not intact: a {@link BreakReason}, or one about the file's structure.
 * - `EXPORT_HEADER_MISSING`: the first line is not an `sts-audit-export/v2` (or `/v1`) header.
 * - `EXPORT_TRAILER_MISSING`: the export ends without its trailer (it was cut off).
 * - `EXPORT_TRAILER_INVALID`: the trailer is malformed, its signature does not verify, or it
 *   contradicts the export (time, cadence, event count).
 * - `CHECKPOINTS_MISSING`: fewer checkpoint lines than the signed trailer lists.
 * - `EXPORT_MALFORMED`: a line that is not JSON, an unknown record, a second header, or anything
 *   after the trailer.
 * @typedef {BreakReason | 'EXPORT_HEADER_MISSING' | 'EXPORT_TRAILER_MISSING'
 *   | 'EXPORT_TRAILER_INVALID' | 'CHECKPOINTS_MISSING' | 'EXPORT_MALFORMED'} ExportBreakReason
 */

/**
 * @typedef {Omit<BrokenLink, 'reason'> & { reason: ExportBreakReason, line?: number }}
 *   ExportBrokenLink `line`: the line of the file, for a problem with the export's structure.
 */

/**
 * @typedef {Omit<VerificationResult, 'firstBroken'> & {
 *   keyFingerprint: string,
 *   format?: string,
 *   exportedAt?: string,
 *   cadence?: Cadence,
 *   witness?: Witness,
 *   firstBroken?: ExportBrokenLink,
 * }} ExportVerification `format`: the header's; `exportedAt` and `cadence` from the signed
 *   trailer (an {@link EXPORT_FORMAT_V1} export states no cadence); `witness`: the one to keep
 *   (the export's last checkpoint), only when the export is intact.
 */

/** @typedef {{ type?: unknown } & Record<string, unknown>} ParsedRecord */

/**
 * Verifies a JSON Lines export with only the audit public key. Intact means all of: the key is
 * the pinned one (`fingerprint`, and the witness's); a header first; the hash chain from event 1
 * unbroken; every checkpoint signature valid and on the chain, as often as the cadence in the
 * header requires; a trailer last whose signature verifies and whose time, cadence, last
 * sequence and hash are the header's and the chain's, with as many checkpoint lines as it lists;
 * nothing after it; and, given a witness, the chain holds the witness's hash at its sequence.
 * An export has no legitimate unsigned tail (the service signs its head and the trailer before
 * it writes a line).
 *
 * Reports the first problem: the key and witness first, then a broken chain link (by sequence),
 * then the export's structure, then a span without a checkpoint. For structural problems `seq` is the first event the export
 * cannot vouch for. Streams the file; memory is O(checkpoints). A checkpoint line follows the
 * event it covers, so each event is held back by one line and checked once its checkpoint (if
 * any) is known.
 * @param {string} path
 * @param {string} publicKeyPem
 * @param {{ fingerprint?: string, witness?: Witness }} [pins]
 * @returns {Promise<ExportVerification>}
 */
async function verifyExportFile(path, publicKeyPem, pins = {}) {
  const key = createPublicKey(publicKeyPem);
  const fingerprint = keyFingerprint(key);
  const pinProblem = checkPins(key, pins);
  if (pinProblem) {
    return {
      ok: false,
      eventsChecked: 0,
      checkpointsChecked: 0,
      lastSeq: 0,
      lastSignedSeq: 0,
      keyFingerprint: fingerprint,
      firstBroken: pinProblem,
    };
  }
  const lines = createInterface({ input: createReadStream(path, 'utf8'), crlfDelay: Infinity });
  const sig = (/** @type {AuditCheckpoint} */ cp) => verifyCheckpointSignature(key, cp);
  const witness = pins.witness;
  /** @type {ChainVerifier | undefined} */
  let verifier;
  /** @type {ChainedAuditEvent[]} */
  const pendingEvents = [];
  let lineNo = 0;
  /** @type {ParsedRecord | undefined} */
  let header;
  /** @type {{ record: ParsedRecord, line: number } | undefined} */
  let trailer;
  let checkpointLines = 0;
  /** @type {{ reason: ExportBreakReason, line: number, what: string } | undefined} */
  let structural;
  for await (const line of lines) {
    lineNo += 1;
    if (line.trim() === '') continue;
    /** @type {ParsedRecord} */
    let record;
    try {
      const parsed = /** @type {unknown} */ (JSON.parse(line));
      if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error();
      record = /** @type {ParsedRecord} */ (parsed);
    } catch {
      structural = { reason: 'EXPORT_MALFORMED', line: lineNo, what: 'is not a JSON object' };
      break;
    }
    if (!verifier) {
      const v1 = record.type === 'header' && record.format === EXPORT_FORMAT_V1;
      const v2 =
        record.type === 'header' &&
        record.format === EXPORT_FORMAT &&
        isCount(record.checkpointEvery) &&
        record.checkpointEvery !== 0 &&
        isCount(record.checkpointSeconds);
      if (!v1 && !v2) {
        structural = {
          reason: 'EXPORT_HEADER_MISSING',
          line: lineNo,
          what: `is not an ${EXPORT_FORMAT} (or ${EXPORT_FORMAT_V1}) header`,
        };
        break;
      }
      header = record;
      const cadence = v2
        ? {
            every: /** @type {number} */ (record.checkpointEvery),
            seconds: /** @type {number} */ (record.checkpointSeconds),
          }
        : undefined;
      verifier = new ChainVerifier(sig, {
        ...(cadence ? { cadence } : {}),
        ...(witness ? { witness } : {}),
      });
      continue;
    }
    if (trailer) {
      structural = { reason: 'EXPORT_MALFORMED', line: lineNo, what: 'follows the trailer' };
      break;
    }
    if (record.type === 'event') {
      // Hold the event until its checkpoint (which follows it) has been seen.
      flush(verifier, pendingEvents);
      pendingEvents.push(/** @type {ChainedAuditEvent} */ (/** @type {unknown} */ (record)));
    } else if (record.type === 'checkpoint') {
      checkpointLines += 1;
      const { seq, hash, at, keyLabel, signature } = record;
      verifier.addCheckpoint(
        /** @type {AuditCheckpoint} */ ({ seq, hash, at, keyLabel, signature }),
      );
    } else if (record.type === 'trailer') {
      trailer = { record, line: lineNo };
    } else {
      structural = { reason: 'EXPORT_MALFORMED', line: lineNo, what: 'is not an export record' };
      break;
    }
  }
  if (!structural && !header) {
    structural = {
      reason: 'EXPORT_HEADER_MISSING',
      line: 1,
      what: 'is missing: the file is empty',
    };
  }
  verifier ??= new ChainVerifier(sig, witness ? { witness } : {});
  flush(verifier, pendingEvents);

  const t = trailer?.record;
  /** @type {ExportTrailer | undefined} */
  const signed =
    !structural &&
    t !== undefined &&
    isExportTrailer(t) &&
    t.format === header?.format &&
    t.exportedAt === header?.exportedAt &&
    t.checkpointEvery === header?.checkpointEvery &&
    t.checkpointSeconds === header?.checkpointSeconds &&
    trailerSignatureValid(key, t)
      ? t
      : undefined;
  const chain = verifier.finish(
    signed
      ? { source: 'the signed export trailer', seq: signed.lastSeq, hash: signed.lastHash }
      : undefined,
  );
  /** @type {ExportVerification} */
  const result = {
    ...chain,
    keyFingerprint: fingerprint,
    ...(header ? { format: /** @type {string} */ (header.format) } : {}),
    ...(signed ? { exportedAt: signed.exportedAt } : {}),
    ...(signed?.format === EXPORT_FORMAT
      ? { cadence: { every: signed.checkpointEvery, seconds: signed.checkpointSeconds } }
      : {}),
  };
  // A span without a checkpoint yields to what the signed trailer proves about the export.
  if (!chain.ok && chain.firstBroken?.reason !== 'CHECKPOINT_GAP') return result;

  const unvouched = chain.lastSignedSeq + 1;
  const fail = (/** @type {ExportBrokenLink} */ firstBroken) => ({
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
        'its export time or cadence differs from the header: the end of the export is not proven',
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
  if (!chain.ok) return result;
  return chain.lastCheckpoint
    ? { ...result, witness: witnessOf(chain.lastCheckpoint, fingerprint) }
    : result;
}

/**
 * @param {ChainVerifier} verifier
 * @param {ChainedAuditEvent[]} pending
 */
function flush(verifier, pending) {
  for (const e of pending.splice(0)) verifier.push(e);
}

// ---- The command -------------------------------------------------------------------------

const USAGE = `verify-audit --public-key PEM [--fingerprint HEX] [--witness FILE] EXPORT.jsonl

  Verifies an audit export offline: the hash chain, every checkpoint signature, checkpoints as
  often as the export's signed cadence requires, and the signed trailer (a cut tail, stripped
  checkpoints or a missing trailer fail).
  --fingerprint HEX  SHA-256 of the audit key's SPKI DER, recorded at installation: the key in
                     PEM must be that key
  --witness FILE     the last checkpoint this auditor verified (sts-audit-witness/v1 JSON): the
                     export must hold it; on success FILE is advanced to the export's end (and
                     created when absent). When a recorded database restore lost the events it
                     covered, the lost range is reported, FILE is kept as FILE.lost-<restore
                     event> and advanced to the restored chain's end
  JSON result on stdout, a summary on stderr; exit 0 intact, 1 not intact, 2 usage, 3 intact
  but the witness's events were lost in a recorded restore.`;

/**
 * @typedef {object} CommandIo
 * @property {(text: string) => void} out standard output
 * @property {(text: string) => void} err standard error
 */

/**
 * The `verify-audit` command (shared by `verify-audit.js` and the service's CLI).
 * @param {string[]} argv the arguments after the command name
 * @param {CommandIo} io
 * @returns {Promise<number>} the exit code
 */
async function verifyAuditCommand(argv, io) {
  /** @type {Record<string, string>} */
  const flags = {};
  /** @type {string[]} */
  const files = [];
  let unknownFlag = false;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (['--public-key', '--fingerprint', '--witness'].includes(arg) && i + 1 < argv.length) {
      flags[arg] = argv[++i];
    } else if (arg.startsWith('--')) {
      unknownFlag = true;
    } else {
      files.push(arg);
    }
  }
  const pemFile = flags['--public-key'];
  const fingerprint = flags['--fingerprint'];
  if (!pemFile || unknownFlag || files.length !== 1) {
    io.err(`${USAGE}\n`);
    return 2;
  }
  if (fingerprint !== undefined && !/^[0-9a-fA-F]{64}$/.test(fingerprint)) {
    io.err('verify-audit: --fingerprint must be 64 hex digits (SHA-256 of the SPKI DER)\n');
    return 2;
  }
  const witnessFile = flags['--witness'];
  /** @type {Witness | undefined} */
  let witness;
  if (witnessFile !== undefined && existsSync(witnessFile)) {
    /** @type {unknown} */
    let parsed;
    try {
      parsed = JSON.parse(readFileSync(witnessFile, 'utf8'));
    } catch {
      parsed = undefined;
    }
    const read = parseWitness(parsed);
    if ('problem' in read) {
      io.err(`verify-audit: witness ${witnessFile}: ${read.problem}\n`);
      return 2;
    }
    witness = read.witness;
  }
  const result = await verifyExportFile(files[0], readFileSync(pemFile, 'utf8'), {
    ...(fingerprint !== undefined ? { fingerprint } : {}),
    ...(witness ? { witness } : {}),
  });
  io.out(`${JSON.stringify(result, null, 2)}\n`);
  const broken = result.firstBroken;
  if (broken) {
    io.err(`audit export NOT intact: ${broken.reason} at event ${broken.seq}: ${broken.message}\n`);
    return 1;
  }
  io.err(
    `audit export intact: events 1 to ${result.lastSeq}, ${result.checkpointsChecked} ` +
      `checkpoints and the trailer signed, exported at ${result.exportedAt ?? '?'}, key ` +
      `${result.keyFingerprint}\n`,
  );
  const lost = result.witnessLost;
  if (lost) {
    io.err(
      `the database was restored (restore event ${lost.restoreSeq}, ${lost.restoredAt}): ` +
        `events ${lost.fromSeq} to ${lost.throughSeq} (at least; later ones unknown) of the ` +
        `history your witness at event ${lost.witnessSeq} covered are lost\n`,
    );
  } else if (witness) {
    io.err(`it extends the witness at event ${witness.seq}\n`);
  }
  for (const r of result.restores ?? []) {
    io.err(
      `the chain records a database restore at event ${r.seq} (${r.at}): events from ` +
        `${r.lostFromSeq} on of the earlier history are lost` +
        (r.lostThroughSeq !== null ? `, through at least event ${r.lostThroughSeq}\n` : '\n'),
    );
  }
  if (result.format === EXPORT_FORMAT_V1) {
    io.err(
      `note: ${EXPORT_FORMAT_V1} states no checkpoint cadence, so spans without a checkpoint ` +
        'were not checked; a witness from a later export proves the chain was not rewritten\n',
    );
  }
  if (fingerprint === undefined && !witness) {
    io.err(
      'warning: the key is not pinned; pass --fingerprint with the value recorded at installation\n',
    );
  }
  if (
    witnessFile !== undefined &&
    result.witness &&
    (lost || result.witness.seq >= (witness?.seq ?? 0))
  ) {
    if (lost) {
      const kept = `${witnessFile}.lost-${lost.restoreSeq}`;
      copyFileSync(witnessFile, kept);
      io.err(`the witness of the lost history is kept as ${kept}\n`);
    }
    const tmp = `${witnessFile}.tmp`;
    writeFileSync(tmp, `${JSON.stringify(result.witness, null, 2)}\n`);
    renameSync(tmp, witnessFile);
    io.err(`witness ${witnessFile} now holds event ${result.witness.seq}\n`);
  }
  return lost ? 3 : 0;
}

module.exports = {
  GENESIS_HASH,
  CHECKPOINT_GRACE_SECONDS,
  BREAK_REASONS,
  RESTORE_ACTION,
  WITNESS_FORMAT,
  EXPORT_FORMAT,
  EXPORT_FORMAT_V1,
  canonicalJson,
  eventTextAround,
  eventHash,
  checkpointMessage,
  verifyCheckpointSignature,
  keyFingerprint,
  maxSpan,
  ChainVerifier,
  witnessOf,
  parseWitness,
  checkPins,
  exportTrailerMessage,
  exportTrailerMessageV1,
  isExportTrailer,
  headerLine,
  eventLine,
  checkpointLine,
  trailerLine,
  verifyExportFile,
  verifyAuditCommand,
};
