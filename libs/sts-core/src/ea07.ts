import { StsError } from './errors';
import { type StaTables, STANDARD_STA_TABLES, invertPermutation } from './ea07-tables';

/**
 * EA07, the Standard Transfer Algorithm (STS-SPEC §8.2), on two unsigned 32-bit halves.
 * Substitution and permutation are fused into per-byte lookup tables: each encryption round is
 * eight lookups instead of 64 bit moves.
 */

interface Compiled {
  /** [((byte * 4 + sel) * 256 + value) * 2 + {0: hi, 1: lo}]: permuted image of a substituted byte. */
  readonly encrypt: Uint32Array;
  /** [(byte * 256 + value) * 2 + {0: hi, 1: lo}]: inverse-permuted image of one byte. */
  readonly unpermute: Uint32Array;
  readonly dsub1: Uint8Array;
  readonly dsub2: Uint8Array;
}

const compiledTables = new WeakMap<StaTables, Compiled>();

function validateTables(t: StaTables): void {
  const isPerm = (a: readonly number[], n: number) =>
    a.length === n &&
    new Set(a).size === n &&
    a.every((x) => Number.isInteger(x) && x >= 0 && x < n);
  if (!isPerm(t.sub1, 16) || !isPerm(t.sub2, 16) || !isPerm(t.perm, 64)) {
    throw new StsError(
      'INVALID_INPUT',
      'tables',
      'tables: sub1/sub2 must permute 0..15 and perm 0..63',
    );
  }
}

function compile(t: StaTables): Compiled {
  let c = compiledTables.get(t);
  if (c) return c;
  validateTables(t);
  const setBit = (out: Uint32Array, at: number, bit: number) => {
    // Bits 32..63 go to the high half, 0..31 to the low one.
    if (bit >= 32) out[at] |= 1 << (bit & 31);
    else out[at + 1] |= 1 << bit;
  };
  const encrypt = new Uint32Array(8 * 4 * 256 * 2);
  // The loop bounds below are the sizes of the tables: one more round of any of these loops
  // only writes past the end of a typed array (ignored) or reads bit 8 of a byte (always 0).
  // Stryker disable next-line EqualityOperator: see above
  for (let b = 0; b < 8; b++) {
    for (let sel = 0; sel < 4; sel++) {
      const lowSub = sel & 1 ? t.sub2 : t.sub1;
      const highSub = sel & 2 ? t.sub2 : t.sub1;
      for (let v = 0; v < 256; v++) {
        const s = (highSub[v >>> 4] << 4) | lowSub[v & 15];
        const at = ((b * 4 + sel) * 256 + v) * 2;
        // Stryker disable next-line EqualityOperator: see above
        for (let i = 0; i < 8; i++) if ((s >>> i) & 1) setBit(encrypt, at, t.perm[b * 8 + i]);
      }
    }
  }
  const dperm = invertPermutation(t.perm);
  const unpermute = new Uint32Array(8 * 256 * 2);
  // Stryker disable next-line EqualityOperator: see above
  for (let b = 0; b < 8; b++) {
    // Stryker disable next-line EqualityOperator: see above
    for (let v = 0; v < 256; v++) {
      // Stryker disable next-line EqualityOperator: see above
      for (let i = 0; i < 8; i++)
        if ((v >>> i) & 1) setBit(unpermute, (b * 256 + v) * 2, dperm[b * 8 + i]);
    }
  }
  c = {
    encrypt,
    unpermute,
    dsub1: Uint8Array.from(invertPermutation(t.sub2)), // decryption, key bit 0
    dsub2: Uint8Array.from(invertPermutation(t.sub1)), // decryption, key bit 1
  };
  compiledTables.set(t, c);
  return c;
}

/** An EA07 key prepared once for many blocks. Blocks are `[hi32, lo32]`, transformed in place. */
export class Ea07Cipher {
  private readonly tables: Compiled;
  private keyHi: number;
  private keyLo: number;
  /** First encryption round key, ROTR64(NOT K, 12), as two halves. */
  private roundHi: number;
  private roundLo: number;

  /** @param key - the 8-byte decoder key in natural order (STS-SPEC §2) */
  constructor(key: Uint8Array, tables: StaTables = STANDARD_STA_TABLES) {
    if (key.length !== 8)
      throw new StsError('INVALID_INPUT', 'decoderKey', 'decoderKey: EA07 needs a 64-bit key');
    this.tables = compile(tables);
    this.keyHi = ((key[0] << 24) | (key[1] << 16) | (key[2] << 8) | key[3]) >>> 0;
    this.keyLo = ((key[4] << 24) | (key[5] << 16) | (key[6] << 8) | key[7]) >>> 0;
    const nh = ~this.keyHi >>> 0;
    const nl = ~this.keyLo >>> 0;
    this.roundHi = ((nl << 20) | (nh >>> 12)) >>> 0;
    this.roundLo = ((nh << 20) | (nl >>> 12)) >>> 0;
  }

  /** Encrypts the block `[hi32, lo32]` in place. */
  encryptBlock(block: Uint32Array): void {
    const t = this.tables.encrypt;
    let hi = block[0];
    let lo = block[1];
    let kh = this.roundHi;
    let kl = this.roundLo;
    for (let r = 0; r < 16; r++) {
      // Per byte b, the selector is key bits 8b+3 (low nibble) and 8b+7 (high nibble).
      let a = (((kl >>> 3) & 1) | ((kl >>> 6) & 2)) * 256 + (lo & 0xff);
      let nh = t[a << 1];
      let nl = t[(a << 1) + 1];
      a = (4 + (((kl >>> 11) & 1) | ((kl >>> 14) & 2))) * 256 + ((lo >>> 8) & 0xff);
      nh |= t[a << 1];
      nl |= t[(a << 1) + 1];
      a = (8 + (((kl >>> 19) & 1) | ((kl >>> 22) & 2))) * 256 + ((lo >>> 16) & 0xff);
      nh |= t[a << 1];
      nl |= t[(a << 1) + 1];
      a = (12 + (((kl >>> 27) & 1) | ((kl >>> 30) & 2))) * 256 + (lo >>> 24);
      nh |= t[a << 1];
      nl |= t[(a << 1) + 1];
      a = (16 + (((kh >>> 3) & 1) | ((kh >>> 6) & 2))) * 256 + (hi & 0xff);
      nh |= t[a << 1];
      nl |= t[(a << 1) + 1];
      a = (20 + (((kh >>> 11) & 1) | ((kh >>> 14) & 2))) * 256 + ((hi >>> 8) & 0xff);
      nh |= t[a << 1];
      nl |= t[(a << 1) + 1];
      a = (24 + (((kh >>> 19) & 1) | ((kh >>> 22) & 2))) * 256 + ((hi >>> 16) & 0xff);
      nh |= t[a << 1];
      nl |= t[(a << 1) + 1];
      a = (28 + (((kh >>> 27) & 1) | ((kh >>> 30) & 2))) * 256 + (hi >>> 24);
      hi = (nh | t[a << 1]) >>> 0;
      lo = (nl | t[(a << 1) + 1]) >>> 0;
      const carry = kh >>> 31; // k = ROTL64(k, 1)
      kh = ((kh << 1) | (kl >>> 31)) >>> 0;
      kl = ((kl << 1) | carry) >>> 0;
    }
    block[0] = hi;
    block[1] = lo;
  }

  /** Decrypts the block `[hi32, lo32]` in place (the key is used as-is, rotated right). */
  decryptBlock(block: Uint32Array): void {
    const { unpermute: u, dsub1, dsub2 } = this.tables;
    let hi = block[0];
    let lo = block[1];
    let kh = this.keyHi;
    let kl = this.keyLo;
    for (let r = 0; r < 16; r++) {
      let ph = 0;
      let pl = 0;
      for (let b = 0; b < 4; b++) {
        const a = (b * 256 + ((lo >>> (8 * b)) & 0xff)) << 1;
        ph |= u[a];
        pl |= u[a + 1];
        const c = ((b + 4) * 256 + ((hi >>> (8 * b)) & 0xff)) << 1;
        ph |= u[c];
        pl |= u[c + 1];
      }
      hi = 0;
      lo = 0;
      // Stryker disable next-line EqualityOperator: n = 8 (shifts by 32 are shifts by 0) repeats n = 0
      for (let n = 0; n < 8; n++) {
        const s = 4 * n;
        lo |= ((kl >>> s) & 1 ? dsub2 : dsub1)[(pl >>> s) & 15] << s;
        hi |= ((kh >>> s) & 1 ? dsub2 : dsub1)[(ph >>> s) & 15] << s;
      }
      hi >>>= 0;
      lo >>>= 0;
      const carry = kl & 1;
      kl = ((kl >>> 1) | (kh << 31)) >>> 0;
      kh = ((kh >>> 1) | (carry << 31)) >>> 0;
    }
    block[0] = hi;
    block[1] = lo;
  }

  /** Zeroes the key held by this object. */
  dispose(): void {
    this.keyHi = 0;
    this.keyLo = 0;
    this.roundHi = 0;
    this.roundLo = 0;
  }
}
