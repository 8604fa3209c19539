import { createHash } from 'node:crypto';
import { canonicalJson } from '../../common/canonical-json';
import { DomainError } from '../../common/domain-error';
import { ErrorCode } from '../../common/error-codes';

/** `Idempotency-Key`: 1-128 visible ASCII characters (no spaces), chosen by the client. */
const KEY_FORMAT = /^[\x21-\x7e]{1,128}$/;

export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/** The header's value, validated (400 naming the header), or undefined when absent. */
export function parseIdempotencyKey(header: string | string[] | undefined): string | undefined {
  if (header === undefined) return undefined;
  if (typeof header !== 'string' || !KEY_FORMAT.test(header)) {
    throw DomainError.validation(
      IDEMPOTENCY_HEADER,
      `${IDEMPOTENCY_HEADER}: must be 1-128 visible ASCII characters, sent once`,
    );
  }
  return header;
}

/**
 * The fingerprint of a request: SHA-256 of the operation and the canonical JSON of its validated
 * body (key order and absent optional fields do not matter; a DTO instance fingerprints as its
 * JSON would). A retry with the same key must carry the same fingerprint; another payload under
 * the same key is a client bug (409). Stored with each issuance: it must not change between
 * versions.
 */
export function requestFingerprint(operation: string, body: unknown): string {
  return createHash('sha256').update(canonicalJson({ operation, body })).digest('hex');
}

/** The stored request that used a key earlier, as far as idempotency needs it. */
export interface EarlierRequest {
  readonly requestHash: string;
}

/** Same key, same payload: replay. Same key, other payload: 409 IDEMPOTENCY_KEY_REUSED. */
export function assertSamePayload(earlier: EarlierRequest, fingerprint: string, key: string): void {
  if (earlier.requestHash !== fingerprint) {
    throw new DomainError(
      ErrorCode.IDEMPOTENCY_KEY_REUSED,
      `${IDEMPOTENCY_HEADER} ${key} was used for a different request`,
      { field: IDEMPOTENCY_HEADER },
    );
  }
}
