import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `sts_<id>_<secret>`: `id` (16 hex) finds the principal, `secret` (32 random
 * bytes, base64url) is checked against its SHA-256. A 256-bit random secret needs no slow hash;
 * the database never holds anything that authenticates. See docs/adr/0006-dual-control-and-principals.md.
 */
export interface NewApiKey {
  /** The whole key: shown to the caller once. */
  readonly key: string;
  readonly id: string;
  readonly hash: string;
}

const FORMAT = /^sts_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export function newApiKey(): NewApiKey {
  const id = randomBytes(8).toString('hex');
  const secret = randomBytes(32).toString('base64url');
  return { key: `sts_${id}_${secret}`, id, hash: hashSecret(secret) };
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret, 'utf8').digest('hex');
}

/** Splits a presented key; undefined when it is not in the format. */
export function parseApiKey(presented: string): { id: string; secret: string } | undefined {
  const m = FORMAT.exec(presented);
  return m ? { id: m[1], secret: m[2] } : undefined;
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
