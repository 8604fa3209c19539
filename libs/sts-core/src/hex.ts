import { invalid } from './errors';

const HEX = /^[0-9a-fA-F]*$/;

/**
 * Parses hex text (case-insensitive) into bytes; `bytes` fixes the expected length (one length
 * or a list of allowed lengths).
 */
export function hexToBytes(
  field: string,
  text: unknown,
  bytes?: number | readonly number[],
): Uint8Array {
  if (typeof text !== 'string' || text.length % 2 !== 0 || !HEX.test(text)) {
    invalid(field, 'must be an even number of hex digits');
  }
  const out = Uint8Array.from(Buffer.from(text, 'hex'));
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

/** Lower-case hex of `bytes`, full width (never drops leading zeros). */
export function bytesToHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Eight lower-case hex digits of an unsigned 32-bit number. */
export function hex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}
