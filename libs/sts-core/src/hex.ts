import { invalid } from './errors';

/**
 * Parses hex text (case-insensitive) into bytes; `bytes` fixes the expected length (one length
 * or a list of allowed lengths).
 */
export function hexToBytes(
  field: string,
  text: unknown,
  bytes?: number | readonly number[],
): Uint8Array {
  if (typeof text !== 'string' || text.length % 2 !== 0)
    invalid(field, 'must be an even number of hex digits');
  const out = new Uint8Array(text.length / 2);
  for (let i = 0; i < out.length; i++) {
    const hi = nibble(text.charCodeAt(2 * i));
    const lo = nibble(text.charCodeAt(2 * i + 1));
    if (hi < 0 || lo < 0) invalid(field, 'must be an even number of hex digits');
    out[i] = (hi << 4) | lo;
  }
  if (bytes !== undefined) {
    const allowed = typeof bytes === 'number' ? [bytes] : bytes;
    if (!allowed.includes(out.length)) {
      invalid(
        field,
        `must be ${allowed.map((n) => n * 2).join(' or ')} hex digits, got ${text.length}`,
      );
    }
  }
  return out;
}

/** Value of one hex digit's character code, or -1. */
function nibble(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  const lower = code | 0x20;
  return lower >= 97 && lower <= 102 ? lower - 87 : -1;
}

/** Lower-case hex of `bytes`, full width (never drops leading zeros). */
export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Eight lower-case hex digits of an unsigned 32-bit number. */
export function hex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}
