import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * API keys look like `sts_<id>_<secret>`: `id` (16 hex) finds the principal, `secret` (32 random
 * bytes, 43 base64url characters) is checked against a stored verifier. A 256-bit random secret
 * needs no slow hash; the database never holds anything that authenticates. See
 * docs/adr/0006-dual-control-and-principals.md.
 *
 * Two verifier schemes:
 * - 1: SHA-256 of the whole secret (keys issued before split issuance existed);
 * - 2: SHA-256 of `hex(SHA-256(head)) || tail`, where `head` is the secret's first
 *   {@link HEAD_LENGTH} characters and `tail` the rest. The service can then issue a key in two
 *   parts to two people: the first part (`sts_<id>_<head>`) when one admin asks, the second
 *   (`tail`) when another approves, keeping in between only `SHA-256(head)`, never a part itself.
 *   Every key issued now uses scheme 2, whole or split.
 */
export type VerifierScheme = 1 | 2;
export const CURRENT_SCHEME: VerifierScheme = 2;

/** Characters of the secret in the first part of a split key (the tail has the other 21). */
export const HEAD_LENGTH = 22;
const SECRET_LENGTH = 43;
const FORMAT = /^sts_([0-9a-f]{16})_([A-Za-z0-9_-]{43})$/;

export interface NewApiKey {
  /** The whole key: shown to the caller once. */
  readonly key: string;
  readonly id: string;
  /** The scheme-2 verifier stored for it. */
  readonly hash: string;
}

/** The first half of a key issued in two parts, and what is kept until the second is made. */
export interface KeyFirstPart {
  /** `sts_<id>_<head>`: shown once to the person who asked. */
  readonly part: string;
  readonly id: string;
  /** SHA-256 of the head (hex): binds the second part to this first part. */
  readonly headHash: string;
}

/** The second half of a split key and the verifier of the whole key. */
export interface KeySecondPart {
  /** The tail: shown once to the person whose approval completed the key. */
  readonly part: string;
  readonly hash: string;
}

function sha256Hex(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

function newSecret(): string {
  return randomBytes(32).toString('base64url');
}

/** The scheme-2 verifier from the head's hash and the tail. */
function verifierOf(headHash: string, tail: string): string {
  return sha256Hex(headHash + tail);
}

export function newApiKey(): NewApiKey {
  const id = randomBytes(8).toString('hex');
  const secret = newSecret();
  return {
    key: `sts_${id}_${secret}`,
    id,
    hash: verifierOf(sha256Hex(secret.slice(0, HEAD_LENGTH)), secret.slice(HEAD_LENGTH)),
  };
}

/** Starts a key issued in two parts: the first part, and the head hash to keep. */
export function newKeyFirstPart(): KeyFirstPart {
  const id = randomBytes(8).toString('hex');
  const head = newSecret().slice(0, HEAD_LENGTH);
  return { part: `sts_${id}_${head}`, id, headHash: sha256Hex(head) };
}

/** Completes a key issued in two parts, from the head hash kept with the request. */
export function newKeySecondPart(headHash: string): KeySecondPart {
  const tail = newSecret().slice(0, SECRET_LENGTH - HEAD_LENGTH);
  return { part: tail, hash: verifierOf(headHash, tail) };
}

/** Splits a presented key; undefined when it is not in the format. */
export function parseApiKey(presented: string): { id: string; secret: string } | undefined {
  const m = FORMAT.exec(presented);
  return m ? { id: m[1], secret: m[2] } : undefined;
}

/** The verifier of `secret` under `scheme`. */
export function verifierFor(secret: string, scheme: VerifierScheme): string {
  return scheme === 1
    ? sha256Hex(secret)
    : verifierOf(sha256Hex(secret.slice(0, HEAD_LENGTH)), secret.slice(HEAD_LENGTH));
}

/** Constant-time comparison of a presented secret with a stored verifier. */
export function secretMatches(secret: string, stored: string, scheme: VerifierScheme): boolean {
  const a = Buffer.from(verifierFor(secret, scheme), 'hex');
  const b = Buffer.from(stored, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}
