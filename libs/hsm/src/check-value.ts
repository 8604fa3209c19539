import { createCipheriv, createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { bytesToHex, desEncryptBlock } from '@sts/core';
import { HsmError } from './key-custody.port';

/**
 * Key check values (KCVs) as the port defines them (`KeyInfo.kcv`): six lower-case hex digits,
 * the first three bytes of a value only the key can produce. These pure functions are the
 * software reference; the PKCS#11 adapter computes the same values by encryption in the token
 * and the tests compare the two.
 */

/** Number of bytes a check value keeps. */
export const KCV_BYTES = 3;

/** The 8 zero bytes HMAC check values are computed over (port doc comment on `KeyInfo.kcv`). */
export const HMAC_KCV_MESSAGE: Readonly<Uint8Array> = new Uint8Array(8);

/** Check value of an already computed block: its first three bytes as lower-case hex. */
export function kcvFromBlock(block: Uint8Array): string {
  if (block.length < KCV_BYTES) {
    throw new HsmError('INVALID_INPUT', 'check value: block shorter than 3 bytes');
  }
  return bytesToHex(block.subarray(0, KCV_BYTES));
}

/** DES check value (ANSI X9.24 style): first 3 bytes of DES_K(0^64) for a 64-bit key. */
export function desCheckValue(key: Uint8Array): string {
  if (key.length !== 8) throw new HsmError('INVALID_INPUT', 'DES check value: key must be 8 bytes');
  const block = desEncryptBlock(key, new Uint8Array(8));
  try {
    return kcvFromBlock(block);
  } finally {
    block.fill(0);
  }
}

/** Two-key triple-DES check value: first 3 bytes of TDEA-EDE_{K1,K2,K1}(0^64), 16-byte key. */
export function tdes2CheckValue(key: Uint8Array): string {
  if (key.length !== 16) {
    throw new HsmError('INVALID_INPUT', 'TDES check value: key must be 16 bytes');
  }
  const k1k2k1 = Buffer.concat([key, key.subarray(0, 8)]);
  try {
    const cipher = createCipheriv('des-ede3-ecb', k1k2k1, null).setAutoPadding(false);
    return kcvFromBlock(Buffer.concat([cipher.update(new Uint8Array(8)), cipher.final()]));
  } finally {
    k1k2k1.fill(0);
  }
}

/** AES check value: first 3 bytes of AES_K(0^128) for a 16, 24 or 32-byte key. */
export function aesCheckValue(key: Uint8Array): string {
  if (![16, 24, 32].includes(key.length)) {
    throw new HsmError('INVALID_INPUT', 'AES check value: key must be 16, 24 or 32 bytes');
  }
  const cipher = createCipheriv(`aes-${key.length * 8}-ecb`, key, null).setAutoPadding(false);
  return kcvFromBlock(Buffer.concat([cipher.update(new Uint8Array(16)), cipher.final()]));
}

/** HMAC check value: first 3 bytes of HMAC-SHA-256(K, 8 zero bytes) (port `KeyInfo.kcv`). */
export function hmacCheckValue(key: Uint8Array): string {
  if (key.length === 0) throw new HsmError('INVALID_INPUT', 'HMAC check value: empty key');
  const mac = createHmac('sha256', key).update(HMAC_KCV_MESSAGE).digest();
  try {
    return kcvFromBlock(mac);
  } finally {
    mac.fill(0);
  }
}

/** EC public-key check value: first 3 bytes of SHA-256 of the DER SubjectPublicKeyInfo. */
export function publicKeyCheckValue(spkiDer: Uint8Array): string {
  return kcvFromBlock(createHash('sha256').update(spkiDer).digest());
}

/**
 * Check value of a secret key of the port's algorithms: DES (8 bytes), AES, HMAC. Used for
 * ceremony components, combined keys and imported keys alike.
 */
export function secretKeyCheckValue(algorithm: 'DES' | 'AES' | 'HMAC', key: Uint8Array): string {
  switch (algorithm) {
    case 'DES':
      return desCheckValue(key);
    case 'AES':
      return aesCheckValue(key);
    case 'HMAC':
      return hmacCheckValue(key);
  }
}

/**
 * Check value of a derived decoder key (port `WrappedKey.kcv`, E_DK(zero block)): 64-bit keys
 * (DKGA02, DKGA04 for EA07) use single DES; 128-bit keys (DKGA04 for EA11) are treated as
 * two-key triple-DES, the usual convention for double-length keys. See docs/hsm.md.
 */
export function decoderKeyCheckValue(decoderKey: Uint8Array): string {
  if (decoderKey.length === 8) return desCheckValue(decoderKey);
  if (decoderKey.length === 16) return tdes2CheckValue(decoderKey);
  throw new HsmError('INVALID_INPUT', 'decoder key check value: key must be 8 or 16 bytes');
}

/** Parses a check value a person entered: six hex digits, any case; returns lower case. */
export function parseKcv(text: unknown, field = 'expectedKcv'): string {
  if (typeof text !== 'string' || !/^[0-9a-fA-F]{6}$/.test(text)) {
    throw new HsmError('INVALID_INPUT', `${field}: must be 6 hex digits`);
  }
  return text.toLowerCase();
}

/** Compares two check values (already parsed) in constant time. */
export function kcvEquals(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  return left.length === right.length && timingSafeEqual(left, right);
}
