import { StsError } from './errors';

/**
 * Single DES (FIPS 46-3) in pure TypeScript, for EA09 and DKGA02 (STS-SPEC §10, §12.2).
 * Tables use the standard's 1-based, most-significant-first bit numbering. S-boxes and the P
 * permutation are fused into eight 64-entry tables at load time.
 */

const IP = [
  58, 50, 42, 34, 26, 18, 10, 2, 60, 52, 44, 36, 28, 20, 12, 4, 62, 54, 46, 38, 30, 22, 14, 6, 64,
  56, 48, 40, 32, 24, 16, 8, 57, 49, 41, 33, 25, 17, 9, 1, 59, 51, 43, 35, 27, 19, 11, 3, 61, 53,
  45, 37, 29, 21, 13, 5, 63, 55, 47, 39, 31, 23, 15, 7,
];
const P = [
  16, 7, 20, 21, 29, 12, 28, 17, 1, 15, 23, 26, 5, 18, 31, 10, 2, 8, 24, 14, 32, 27, 3, 9, 19, 13,
  30, 6, 22, 11, 4, 25,
];
const PC1 = [
  57, 49, 41, 33, 25, 17, 9, 1, 58, 50, 42, 34, 26, 18, 10, 2, 59, 51, 43, 35, 27, 19, 11, 3, 60,
  52, 44, 36, 63, 55, 47, 39, 31, 23, 15, 7, 62, 54, 46, 38, 30, 22, 14, 6, 61, 53, 45, 37, 29, 21,
  13, 5, 28, 20, 12, 4,
];
const PC2 = [
  14, 17, 11, 24, 1, 5, 3, 28, 15, 6, 21, 10, 23, 19, 12, 4, 26, 8, 16, 7, 27, 20, 13, 2, 41, 52,
  31, 37, 47, 55, 30, 40, 51, 45, 33, 48, 44, 49, 39, 56, 34, 53, 46, 42, 50, 36, 29, 32,
];
const SHIFTS = [1, 1, 2, 2, 2, 2, 2, 2, 1, 2, 2, 2, 2, 2, 2, 1];
const S_BOXES = [
  [
    14, 4, 13, 1, 2, 15, 11, 8, 3, 10, 6, 12, 5, 9, 0, 7, 0, 15, 7, 4, 14, 2, 13, 1, 10, 6, 12, 11,
    9, 5, 3, 8, 4, 1, 14, 8, 13, 6, 2, 11, 15, 12, 9, 7, 3, 10, 5, 0, 15, 12, 8, 2, 4, 9, 1, 7, 5,
    11, 3, 14, 10, 0, 6, 13,
  ],
  [
    15, 1, 8, 14, 6, 11, 3, 4, 9, 7, 2, 13, 12, 0, 5, 10, 3, 13, 4, 7, 15, 2, 8, 14, 12, 0, 1, 10,
    6, 9, 11, 5, 0, 14, 7, 11, 10, 4, 13, 1, 5, 8, 12, 6, 9, 3, 2, 15, 13, 8, 10, 1, 3, 15, 4, 2,
    11, 6, 7, 12, 0, 5, 14, 9,
  ],
  [
    10, 0, 9, 14, 6, 3, 15, 5, 1, 13, 12, 7, 11, 4, 2, 8, 13, 7, 0, 9, 3, 4, 6, 10, 2, 8, 5, 14, 12,
    11, 15, 1, 13, 6, 4, 9, 8, 15, 3, 0, 11, 1, 2, 12, 5, 10, 14, 7, 1, 10, 13, 0, 6, 9, 8, 7, 4,
    15, 14, 3, 11, 5, 2, 12,
  ],
  [
    7, 13, 14, 3, 0, 6, 9, 10, 1, 2, 8, 5, 11, 12, 4, 15, 13, 8, 11, 5, 6, 15, 0, 3, 4, 7, 2, 12, 1,
    10, 14, 9, 10, 6, 9, 0, 12, 11, 7, 13, 15, 1, 3, 14, 5, 2, 8, 4, 3, 15, 0, 6, 10, 1, 13, 8, 9,
    4, 5, 11, 12, 7, 2, 14,
  ],
  [
    2, 12, 4, 1, 7, 10, 11, 6, 8, 5, 3, 15, 13, 0, 14, 9, 14, 11, 2, 12, 4, 7, 13, 1, 5, 0, 15, 10,
    3, 9, 8, 6, 4, 2, 1, 11, 10, 13, 7, 8, 15, 9, 12, 5, 6, 3, 0, 14, 11, 8, 12, 7, 1, 14, 2, 13, 6,
    15, 0, 9, 10, 4, 5, 3,
  ],
  [
    12, 1, 10, 15, 9, 2, 6, 8, 0, 13, 3, 4, 14, 7, 5, 11, 10, 15, 4, 2, 7, 12, 9, 5, 6, 1, 13, 14,
    0, 11, 3, 8, 9, 14, 15, 5, 2, 8, 12, 3, 7, 0, 4, 10, 1, 13, 11, 6, 4, 3, 2, 12, 9, 5, 15, 10,
    11, 14, 1, 7, 6, 0, 8, 13,
  ],
  [
    4, 11, 2, 14, 15, 0, 8, 13, 3, 12, 9, 7, 5, 10, 6, 1, 13, 0, 11, 7, 4, 9, 1, 10, 14, 3, 5, 12,
    2, 15, 8, 6, 1, 4, 11, 13, 12, 3, 7, 14, 10, 15, 6, 8, 0, 5, 9, 2, 6, 11, 13, 8, 1, 4, 10, 7, 9,
    5, 0, 15, 14, 2, 3, 12,
  ],
  [
    13, 2, 8, 4, 6, 15, 11, 1, 10, 9, 3, 14, 5, 0, 12, 7, 1, 15, 13, 8, 10, 3, 7, 4, 12, 5, 6, 11,
    0, 14, 9, 2, 7, 11, 4, 1, 9, 12, 14, 2, 0, 6, 10, 13, 15, 3, 5, 8, 2, 1, 14, 7, 4, 10, 8, 13,
    15, 12, 9, 0, 3, 5, 6, 11,
  ],
];

/** SP[box * 64 + six input bits] = P(S-box output in its nibble). */
const SP = (() => {
  const sp = new Uint32Array(8 * 64);
  for (let box = 0; box < 8; box++) {
    for (let b = 0; b < 64; b++) {
      const row = ((b >>> 4) & 2) | (b & 1);
      const col = (b >>> 1) & 15;
      const s = S_BOXES[box][row * 16 + col] << (28 - 4 * box);
      let out = 0;
      for (let k = 0; k < 32; k++) if ((s >>> (32 - P[k])) & 1) out |= 1 << (31 - k);
      sp[box * 64 + b] = out >>> 0;
    }
  }
  return sp;
})();

/** FP = IP^-1. */
const FP = (() => {
  const fp = new Array<number>(64);
  IP.forEach((from, to) => (fp[from - 1] = to + 1));
  return fp;
})();

/**
 * A 64-bit bit permutation compiled to byte lookups: [(byte * 256 + value) * 2 + {0: hi, 1: lo}]
 * is the output contribution of input byte `byte` (0 = most significant) having `value`.
 */
function compilePermutation(table: readonly number[]): Uint32Array {
  const out = new Uint32Array(8 * 256 * 2);
  table.forEach((from, to) => {
    const byte = (from - 1) >>> 3;
    const mask = 0x80 >>> ((from - 1) & 7);
    const word = to < 32 ? 0 : 1;
    const bit = 1 << (31 - (to & 31));
    for (let v = 0; v < 256; v++) if (v & mask) out[(byte * 256 + v) * 2 + word] |= bit;
  });
  return out;
}

const IP_TABLE = compilePermutation(IP);
const FP_TABLE = compilePermutation(FP);

/** Applies a compiled 64-bit permutation to `[hi, lo]` in place. */
function permute64(table: Uint32Array, block: Uint32Array): void {
  const hi = block[0];
  const lo = block[1];
  let oh = 0;
  let ol = 0;
  for (let b = 0; b < 4; b++) {
    const a = ((b << 8) | ((hi >>> (24 - 8 * b)) & 0xff)) << 1;
    const c = (((b + 4) << 8) | ((lo >>> (24 - 8 * b)) & 0xff)) << 1;
    oh |= table[a] | table[c];
    ol |= table[a + 1] | table[c + 1];
  }
  block[0] = oh >>> 0;
  block[1] = ol >>> 0;
}

/**
 * PC2 compiled: its first 24 outputs come from C only and the last 24 from D only, so each half
 * is four 7-bit lookups. [(half * 4 + chunk) * 128 + value] = 24-bit contribution.
 */
const PC2_TABLE = (() => {
  const t = new Uint32Array(2 * 4 * 128);
  for (let half = 0; half < 2; half++) {
    for (let k = 0; k < 24; k++) {
      const from = PC2[half * 24 + k] - 1 - half * 28; // bit index 0..27 within C or D, MSB first
      const chunk = (from / 7) | 0;
      const mask = 0x40 >>> (from % 7);
      for (let v = 0; v < 128; v++) if (v & mask) t[(half * 4 + chunk) * 128 + v] |= 1 << (23 - k);
    }
  }
  return t;
})();

function pc2Half(half: number, v28: number): number {
  const base = half * 512;
  return (
    PC2_TABLE[base + (v28 >>> 21)] |
    PC2_TABLE[base + 128 + ((v28 >>> 14) & 0x7f)] |
    PC2_TABLE[base + 256 + ((v28 >>> 7) & 0x7f)] |
    PC2_TABLE[base + 384 + (v28 & 0x7f)]
  );
}

/** PC1 compiled: [(byte * 256 + value) * 2 + {0: C, 1: D}] = 28-bit contributions of one key byte. */
const PC1_TABLE = (() => {
  const t = new Uint32Array(8 * 256 * 2);
  PC1.forEach((from, to) => {
    const byte = (from - 1) >>> 3;
    const mask = 0x80 >>> ((from - 1) & 7);
    const half = to < 28 ? 0 : 1;
    const bit = 1 << (27 - (to % 28));
    for (let v = 0; v < 256; v++) if (v & mask) t[(byte * 256 + v) * 2 + half] |= bit;
  });
  return t;
})();

/** One DES key schedule: 16 rounds x 8 six-bit subkey chunks. */
function keySchedule(key: Uint8Array): Uint8Array {
  let c = 0;
  let d = 0;
  for (let b = 0; b < 8; b++) {
    const at = ((b << 8) | key[b]) << 1;
    c |= PC1_TABLE[at];
    d |= PC1_TABLE[at + 1];
  }
  const sub = new Uint8Array(16 * 8);
  for (let r = 0; r < 16; r++) {
    const s = SHIFTS[r];
    c = ((c << s) | (c >>> (28 - s))) & 0xfffffff;
    d = ((d << s) | (d >>> (28 - s))) & 0xfffffff;
    const left = pc2Half(0, c);
    const right = pc2Half(1, d);
    for (let k = 0; k < 4; k++) {
      sub[r * 8 + k] = (left >>> (18 - 6 * k)) & 0x3f;
      sub[r * 8 + 4 + k] = (right >>> (18 - 6 * k)) & 0x3f;
    }
  }
  return sub;
}

/** The round function f(R, K) on the fused SP tables. */
function feistel(r: number, sub: Uint8Array, round: number): number {
  const rr = ((r >>> 1) | (r << 31)) >>> 0; // rotate right 1: the E expansion becomes contiguous
  const k = round * 8;
  let f = SP[((rr >>> 26) & 0x3f) ^ sub[k]];
  f |= SP[64 + (((rr >>> 22) & 0x3f) ^ sub[k + 1])];
  f |= SP[128 + (((rr >>> 18) & 0x3f) ^ sub[k + 2])];
  f |= SP[192 + (((rr >>> 14) & 0x3f) ^ sub[k + 3])];
  f |= SP[256 + (((rr >>> 10) & 0x3f) ^ sub[k + 4])];
  f |= SP[320 + (((rr >>> 6) & 0x3f) ^ sub[k + 5])];
  f |= SP[384 + (((rr >>> 2) & 0x3f) ^ sub[k + 6])];
  f |= SP[448 + ((((rr & 0xf) << 2) | (rr >>> 30)) ^ sub[k + 7])];
  return f;
}

/** A single-DES key prepared once. Blocks are `[hi32, lo32]` (big-endian bytes), in place. */
export class DesCipher {
  private readonly sub: Uint8Array;

  /** @param key - 8 bytes; parity bits are ignored, as DES does */
  constructor(key: Uint8Array) {
    if (key.length !== 8)
      throw new StsError('INVALID_INPUT', 'decoderKey', 'decoderKey: DES needs a 64-bit key');
    this.sub = keySchedule(key);
  }

  /** Encrypts `[hi32, lo32]` in place. */
  encryptBlock(block: Uint32Array): void {
    this.crypt(block, false);
  }

  /** Decrypts `[hi32, lo32]` in place. */
  decryptBlock(block: Uint32Array): void {
    this.crypt(block, true);
  }

  /** Zeroes the key schedule. */
  dispose(): void {
    this.sub.fill(0);
  }

  private crypt(block: Uint32Array, decrypt: boolean): void {
    permute64(IP_TABLE, block);
    let l = block[0];
    let r = block[1];
    for (let i = 0; i < 16; i++) {
      const t = r;
      r = (l ^ feistel(r, this.sub, decrypt ? 15 - i : i)) >>> 0;
      l = t;
    }
    block[0] = r;
    block[1] = l;
    permute64(FP_TABLE, block);
  }
}

/** DES-ECB of one 8-byte block under an 8-byte key (FIPS 46-3). */
export function desEncryptBlock(key: Uint8Array, data: Uint8Array): Uint8Array {
  const cipher = new DesCipher(key);
  try {
    const block = bytesToBlock(data);
    cipher.encryptBlock(block);
    return blockToBytes(block);
  } finally {
    cipher.dispose();
  }
}

/** 8 big-endian bytes as `[hi32, lo32]`. */
export function bytesToBlock(bytes: Uint8Array): Uint32Array {
  if (bytes.length !== 8) throw new StsError('INVALID_INPUT', 'block', 'block: must be 8 bytes');
  const b = new Uint32Array(2);
  b[0] = (bytes[0] << 24) | (bytes[1] << 16) | (bytes[2] << 8) | bytes[3];
  b[1] = (bytes[4] << 24) | (bytes[5] << 16) | (bytes[6] << 8) | bytes[7];
  return b;
}

/** `[hi32, lo32]` as 8 big-endian bytes. */
export function blockToBytes(block: Uint32Array): Uint8Array {
  const out = new Uint8Array(8);
  for (let i = 0; i < 4; i++) {
    out[i] = block[0] >>> (24 - 8 * i);
    out[4 + i] = block[1] >>> (24 - 8 * i);
  }
  return out;
}
