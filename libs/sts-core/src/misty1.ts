import { StsError } from './errors';
import { S7, S9 } from './misty1-sboxes';

/**
 * MISTY1 (RFC 2994), the cipher of EA11 (STS-SPEC §9): 64-bit block, 128-bit key, 8 rounds.
 * Blocks are `[hi32, lo32]` of the 8 big-endian bytes, transformed in place.
 */

function fi(x: number, k: number): number {
  let d9 = x >>> 7;
  let d7 = x & 0x7f;
  d9 = S9[d9] ^ d7;
  d7 = S7[d7] ^ (d9 & 0x7f);
  d7 ^= k >>> 9;
  d9 ^= k & 0x1ff;
  d9 = S9[d9] ^ d7;
  return (d7 << 9) | d9;
}

/** A MISTY1 key prepared once: the expanded key K[0..7] and KP[0..7] (16-bit words). */
export class Misty1Cipher {
  private readonly ek = new Uint16Array(16); // K in 0..7, KP in 8..15

  /** @param key - the 16 decoder-key bytes in natural order */
  constructor(key: Uint8Array) {
    if (key.length !== 16) {
      throw new StsError(
        'INVALID_INPUT',
        'decoderKey',
        'decoderKey: EA11 (MISTY1) needs a 128-bit key',
      );
    }
    const ek = this.ek;
    for (let i = 0; i < 8; i++) ek[i] = (key[2 * i] << 8) | key[2 * i + 1];
    for (let i = 0; i < 8; i++) ek[8 + i] = fi(ek[i], ek[(i + 1) & 7]);
  }

  /** The expanded key words KP[0..7], for known-answer tests. */
  expandedKey(): number[] {
    return Array.from(this.ek.subarray(8));
  }

  private fo(x: number, i: number): number {
    const ek = this.ek;
    let t0 = x >>> 16;
    let t1 = x & 0xffff;
    t0 = fi(t0 ^ ek[i], ek[8 + ((i + 5) & 7)]) ^ t1;
    t1 = fi(t1 ^ ek[(i + 2) & 7], ek[8 + ((i + 1) & 7)]) ^ t0;
    t0 = fi(t0 ^ ek[(i + 7) & 7], ek[8 + ((i + 3) & 7)]) ^ t1;
    t1 ^= ek[(i + 4) & 7];
    return ((t1 << 16) | t0) >>> 0;
  }

  private fl(x: number, i: number): number {
    const ek = this.ek;
    let d0 = x >>> 16;
    let d1 = x & 0xffff;
    if ((i & 1) === 0) {
      const j = i >>> 1;
      d1 ^= d0 & ek[j];
      d0 ^= d1 | ek[8 + ((j + 6) & 7)];
    } else {
      const j = (i - 1) >>> 1;
      d1 ^= d0 & ek[8 + ((j + 2) & 7)];
      d0 ^= d1 | ek[(j + 4) & 7];
    }
    return ((d0 << 16) | d1) >>> 0;
  }

  private flInv(x: number, i: number): number {
    const ek = this.ek;
    let d0 = x >>> 16;
    let d1 = x & 0xffff;
    if ((i & 1) === 0) {
      const j = i >>> 1;
      d0 ^= d1 | ek[8 + ((j + 6) & 7)];
      d1 ^= d0 & ek[j];
    } else {
      const j = (i - 1) >>> 1;
      d0 ^= d1 | ek[(j + 4) & 7];
      d1 ^= d0 & ek[8 + ((j + 2) & 7)];
    }
    return ((d0 << 16) | d1) >>> 0;
  }

  /** Encrypts `[hi32, lo32]` in place. */
  encryptBlock(block: Uint32Array): void {
    let d0 = block[0];
    let d1 = block[1];
    for (let r = 0; r < 8; r += 2) {
      d0 = this.fl(d0, r);
      d1 = this.fl(d1, r + 1);
      d1 = (d1 ^ this.fo(d0, r)) >>> 0;
      d0 = (d0 ^ this.fo(d1, r + 1)) >>> 0;
    }
    d0 = this.fl(d0, 8);
    d1 = this.fl(d1, 9);
    block[0] = d1;
    block[1] = d0;
  }

  /** Decrypts `[hi32, lo32]` in place. */
  decryptBlock(block: Uint32Array): void {
    let d1 = block[0];
    let d0 = block[1];
    d0 = this.flInv(d0, 8);
    d1 = this.flInv(d1, 9);
    for (let r = 6; r >= 0; r -= 2) {
      d0 = (d0 ^ this.fo(d1, r + 1)) >>> 0;
      d1 = (d1 ^ this.fo(d0, r)) >>> 0;
      d0 = this.flInv(d0, r);
      d1 = this.flInv(d1, r + 1);
    }
    block[0] = d0;
    block[1] = d1;
  }

  /** Zeroes the expanded key. */
  dispose(): void {
    this.ek.fill(0);
  }
}
