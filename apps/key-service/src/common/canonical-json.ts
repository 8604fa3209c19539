/**
 * The one canonical JSON text of a value (keys sorted, no whitespace, non-finite numbers refused):
 * what the audit chain hashes and what request fingerprints hash. It is defined once, with the
 * offline audit verifier, so that both always agree on it.
 */
export { canonicalJson } from '@sts/audit-verifier';
