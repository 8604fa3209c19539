import { DesCipher } from './des';
import { Ea07Cipher } from './ea07';
import { type StaTables } from './ea07-tables';
import { StsError, describe } from './errors';
import { hexToBytes } from './hex';
import { Misty1Cipher } from './misty1';

/** STS encryption algorithms: 07 STA, 09 DEA (single DES), 11 MISTY1. */
export type Ea = '07' | '09' | '11';

/** Asserts an encryption algorithm code. */
export function checkEa(value: unknown, field = 'ea'): Ea {
  if (value !== '07' && value !== '09' && value !== '11') {
    throw new StsError(
      'INVALID_INPUT',
      field,
      `${field}: must be "07", "09" or "11", got ${describe(value)}`,
    );
  }
  return value;
}

/** Decoder-key length in bytes that an EA needs. */
export function keyBytesForEa(ea: Ea): 8 | 16 {
  return ea === '11' ? 16 : 8;
}

/** Options for the less common cipher variants. */
export interface CipherOptions {
  /** EA07 tables; defaults to the production tables (STS-SPEC §8.1). */
  readonly staTables?: StaTables;
  /**
   * EA09 only: pass the key bytes to DES reversed, as the one public EA09 implementation does
   * (STS-SPEC §14 #1). EA09 is unverified either way; the natural order is the default.
   */
  readonly ea09ReversedKey?: boolean;
}

/** A decoder key bound to its EA, ready to encrypt and decrypt 64-bit token blocks. */
export interface TokenCipher {
  readonly ea: Ea;
  /** 64 for EA07/EA09, 128 for EA11. */
  readonly keyBits: 64 | 128;
  /** Transforms `[hi32, lo32]` in place. */
  encryptBlock(block: Uint32Array): void;
  /** Transforms `[hi32, lo32]` in place. */
  decryptBlock(block: Uint32Array): void;
  /** Zeroes the key material this cipher holds. */
  dispose(): void;
}

/**
 * Binds a decoder key (bytes in natural order, or hex) to an EA. Throws `INVALID_INPUT` for a
 * key of the wrong length for the EA (e.g. a 64-bit key for EA11).
 */
export function createCipher(
  ea: Ea,
  decoderKey: Uint8Array | string,
  options: CipherOptions = {},
): TokenCipher {
  checkEa(ea);
  const expected = keyBytesForEa(ea);
  const key = typeof decoderKey === 'string' ? hexToBytes('decoderKey', decoderKey) : decoderKey;
  if (key.length !== expected) {
    throw new StsError(
      'INVALID_INPUT',
      'decoderKey',
      `decoderKey: EA${ea} needs a ${expected * 8}-bit key (${expected * 2} hex digits), got ${key.length * 8} bits`,
    );
  }
  let impl: Ea07Cipher | DesCipher | Misty1Cipher;
  if (ea === '07') impl = new Ea07Cipher(key, options.staTables);
  else if (ea === '11') impl = new Misty1Cipher(key);
  else {
    const desKey = options.ea09ReversedKey ? Uint8Array.from(key).reverse() : key;
    impl = new DesCipher(desKey);
    if (desKey !== key) desKey.fill(0);
  }
  if (typeof decoderKey === 'string') key.fill(0);
  return {
    ea,
    keyBits: ea === '11' ? 128 : 64,
    encryptBlock: (b) => impl.encryptBlock(b),
    decryptBlock: (b) => impl.decryptBlock(b),
    dispose: () => impl.dispose(),
  };
}
