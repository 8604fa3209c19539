import { createCipheriv, createDecipheriv } from 'node:crypto';
import { HsmError } from './key-custody.port';

/**
 * AES key wrap with padding (RFC 5649) in software, over node:crypto's `id-aesN-wrap-pad`. The
 * in-memory adapter uses it in place of the token; vending clients and tests use it to unwrap
 * exported keys and to prepare keys for wrapped import.
 */

/** RFC 5649 §3: the alternative initial value's constant high half. */
const RFC5649_AIV = Buffer.from('a65959a6', 'hex');

function cipherName(kek: Uint8Array): string {
  if (kek.length !== 16 && kek.length !== 24 && kek.length !== 32) {
    throw new HsmError('INVALID_INPUT', 'key-encryption key must be 16, 24 or 32 bytes');
  }
  return `id-aes${kek.length * 8}-wrap-pad`;
}

/** RFC 5649 §4.1: wraps `key` (1 byte or more) under the AES key `kek`. */
export function aesKeyWrapPad(kek: Uint8Array, key: Uint8Array): Uint8Array {
  if (key.length === 0) throw new HsmError('INVALID_INPUT', 'key to wrap must not be empty');
  const cipher = createCipheriv(cipherName(kek), kek, RFC5649_AIV);
  return Uint8Array.from(Buffer.concat([cipher.update(key), cipher.final()]));
}

/**
 * RFC 5649 §4.2: unwraps `wrapped` under `kek`. Any integrity failure (tampered or truncated
 * blob, wrong key) is one INVALID_INPUT error, whatever the cause (STYLE: one generic error).
 */
export function aesKeyUnwrapPad(kek: Uint8Array, wrapped: Uint8Array): Uint8Array {
  const name = cipherName(kek);
  if (wrapped.length < 16 || wrapped.length % 8 !== 0) {
    throw new HsmError('INVALID_INPUT', 'wrapped key: malformed or failed its integrity check');
  }
  let parts: Buffer[] = [];
  try {
    const decipher = createDecipheriv(name, kek, RFC5649_AIV);
    parts = [decipher.update(wrapped), decipher.final()];
    return Uint8Array.from(Buffer.concat(parts));
  } catch {
    throw new HsmError('INVALID_INPUT', 'wrapped key: malformed or failed its integrity check');
  } finally {
    for (const part of parts) part.fill(0);
  }
}
