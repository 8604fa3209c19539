import { type TokenCipher } from './cipher';
import { tokenCrc } from './crc';
import { StsError, describe } from './errors';

/** Token classes in use: 0 credit, 1 meter test (never encrypted), 2 management. 3 is reserved. */
export type TokenClass = 0 | 1 | 2;

const CLASS_BITS = 0x18000000; // bits 28 and 27 of the low word
const scratch = new Uint32Array(2);

/**
 * STS-SPEC §3, generation: `data48 = hi32 * 2^16 + low16`; appends the CRC, encrypts (not class 1),
 * transposes the class bits and writes the 20-digit token.
 */
export function encodeToken(
  tokenClass: TokenClass,
  hi32: number,
  low16: number,
  cipher: TokenCipher | null,
  currencyCrc = false,
): string {
  scratch[0] = hi32;
  scratch[1] = (low16 << 16) | tokenCrc(tokenClass, hi32, low16, currencyCrc);
  if (tokenClass !== 1) {
    if (!cipher)
      throw new StsError('INVALID_INPUT', 'key', 'key: class 0 and 2 tokens need a decoder key');
    cipher.encryptBlock(scratch);
  }
  return formatToken66(tokenClass, scratch[0], scratch[1]);
}

/** Class transposition and 20-digit decimal of the 66-bit value, without BigInt. */
function formatToken66(tokenClass: number, hi: number, lo: number): string {
  const top = ((lo >>> 27) & 3) >>> 0; // saved c1 c0 become bits 65, 64
  const low = ((lo & ~CLASS_BITS) | (tokenClass << 27)) >>> 0;
  // value = A * 2^32 + low with A = top * 2^32 + hi < 2^34; split so every product stays exact.
  const a = top * 4294967296 + hi;
  const a1 = Math.floor(a / 1e5);
  const a0 = a - a1 * 1e5;
  const p = a1 * 4294967296;
  const p1 = Math.floor(p / 1e5);
  const p0 = p - p1 * 1e5;
  const q = a0 * 4294967296 + low + p0 * 1e5;
  const q1 = Math.floor(q / 1e10);
  const high = p1 + q1;
  const rest = q - q1 * 1e10;
  return String(high).padStart(10, '0') + String(rest).padStart(10, '0');
}

/** A token split back into its class and the (still encrypted) 64-bit block. */
export interface ParsedToken {
  readonly tokenClass: TokenClass;
  /** The block with the class bits restored, as `[hi32, lo32]`; encrypted unless class 1. */
  readonly block: Uint32Array;
}

const TWENTY_DIGITS = /^[0-9]{20}$/;
const TWO32 = 4294967296;

/**
 * STS-SPEC §3, decoding steps 1-3: exactly 20 digits, at most 2^66-1. Throws `INVALID_INPUT`
 * naming `token`; class 3 (reserved) is `UNSUPPORTED`.
 */
export function parseToken(token: unknown, field = 'token'): ParsedToken {
  if (typeof token !== 'string' || !TWENTY_DIGITS.test(token)) {
    throw new StsError(
      'INVALID_INPUT',
      field,
      `${field}: must be exactly 20 digits, got ${describe(token)}`,
    );
  }
  // The decimal value into three 32-bit limbs, five digits at a time (every product is exact).
  // The first fifteen digits are below 2^64, so only the last five carry into the top limb.
  let lo = 0;
  let hi = 0;
  let top = 0;
  for (let at = 0; at < 20; at += 5) {
    const t0 = lo * 100000 + Number(token.slice(at, at + 5));
    lo = t0 % TWO32;
    const t1 = hi * 100000 + Math.floor(t0 / TWO32);
    hi = t1 % TWO32;
    top = Math.floor(t1 / TWO32);
  }
  if (top > 3) {
    throw new StsError(
      'INVALID_INPUT',
      field,
      `${field}: ${token} exceeds 2^66-1 and is not a token`,
    );
  }
  const tokenClass = (lo >>> 27) & 3;
  if (tokenClass === 3) throw new StsError('UNSUPPORTED', field, `${field}: class 3 is reserved`);
  const block = new Uint32Array(2);
  block[0] = hi;
  block[1] = ((lo & ~CLASS_BITS) | (top << 27)) >>> 0;
  return { tokenClass: tokenClass as TokenClass, block };
}

/** The 48 data bits and CRC field of a plaintext block. */
export interface PlainBlock {
  /** data48 bits 47..16. */
  readonly hi32: number;
  /** data48 bits 15..0. */
  readonly low16: number;
  /** The CRC field as carried. */
  readonly crc: number;
}

/** Splits a plaintext `[hi32, lo32]` block. */
export function splitBlock(block: Uint32Array): PlainBlock {
  return { hi32: block[0], low16: block[1] >>> 16, crc: block[1] & 0xffff };
}
