import {
  decodeCurrency,
  decodeUnitValue,
  decodeUnits,
  encodeCurrency,
  encodeUnitValue,
  encodeUnits,
} from './amount';
import { type TokenCipher } from './cipher';
import { tokenCrc } from './crc';
import { StsError, checkInt, describe, invalid } from './errors';
import { hex32 } from './hex';
import { type KeyType, checkKeyType, checkKrn, checkSgc, checkTariffIndex } from './key-params';
import { checkKen, checkTid } from './tid';
import { type TokenClass, encodeToken, parseToken, splitBlock } from './token-codec';

/** Class 0 subclasses: 0-3 units (electricity, water, gas, time), 4-7 currency for the same. */
export type CreditSubclass = 0 | 1 | 2 | 3 | 4 | 5 | 6 | 7;

/** Class 2 subclasses that carry a TID (everything but the key-change sections). */
export type ManagementSubclass = 0 | 1 | 2 | 5 | 6 | 7;

/** Names of the class 2 subclasses (STS-SPEC §5.3). */
export const MANAGEMENT_SUBCLASS_NAMES: Readonly<Record<ManagementSubclass, string>> = {
  0: 'SetMaximumPowerLimit',
  1: 'ClearCredit',
  2: 'SetTariffRate',
  5: 'ClearTamperCondition',
  6: 'SetMaximumPhasePowerUnbalanceLimit',
  7: 'SetWaterMeterFactor',
};

/** CSPRNG bytes drawn 256 at a time: one getRandomValues call per 512 random nibbles. */
const randomPool = new Uint8Array(256);
const POOL_NIBBLES = 2 * randomPool.length;
let poolNibbles = 0;

function randomNibble(): number {
  // Stryker disable next-line ConditionalExpression: refilling before every draw is as random, only slower
  if (poolNibbles === 0) {
    globalThis.crypto.getRandomValues(randomPool);
    poolNibbles = POOL_NIBBLES;
  }
  poolNibbles -= 1;
  const byte = randomPool[poolNibbles >> 1];
  return (poolNibbles & 1 ? byte >> 4 : byte) & 15;
}

function checkRnd(rnd: unknown): number {
  return rnd === undefined ? randomNibble() : checkInt('rnd', rnd, 0, 15);
}

/** A credit token: class 0 (STS-SPEC §5.1). */
export interface CreditTokenRequest {
  readonly subclass: CreditSubclass;
  /** Random nibble 0..15; random when omitted. Not carried by currency subclasses 4..7. */
  readonly rnd?: number;
  readonly tid: number;
  /** Units (0.1 resolution) for subclasses 0..3; currency (10^-5 resolution) for 4..7. */
  readonly amount: number | string;
}

/** Builds a 20-digit class 0 credit token encrypted under `cipher`. */
export function buildCreditToken(cipher: TokenCipher, request: CreditTokenRequest): string {
  const subclass = checkInt('subclass', request.subclass, 0, 7);
  const tid = checkTid(request.tid);
  if (subclass >= 4) {
    const { seNibble, field16 } = encodeCurrency(request.amount);
    return encodeToken(0, ((subclass << 28) | (seNibble << 24) | tid) >>> 0, field16, cipher, true);
  }
  const rnd = checkRnd(request.rnd);
  const field16 = encodeUnits(request.amount);
  return encodeToken(0, ((subclass << 28) | (rnd << 24) | tid) >>> 0, field16, cipher, false);
}

/** A management token that carries a TID: class 2 subclasses 0, 1, 2, 5, 6, 7 (§5.3). */
export interface ManagementTokenRequest {
  readonly subclass: ManagementSubclass;
  readonly rnd?: number;
  readonly tid: number;
  /**
   * Watts for 0 and 6 (exponent/mantissa, rounded up); the register for 1 (a class 0 subclass
   * 0..7, or 65535 for all); the raw rate for 2; 0 for 5; the raw factor for 7.
   */
  readonly value: number;
}

/** Encodes the 16-bit value field of a management token, validating it per subclass. */
export function encodeManagementValue(subclass: ManagementSubclass, value: unknown): number {
  switch (subclass) {
    case 0:
    case 6:
      if (!Number.isInteger(value) || (value as number) < 0) {
        invalid('value', `must be a whole number of watts, got ${describe(value)}`);
      }
      return encodeUnitValue(value as number, 'value');
    case 1:
      if (value !== 65535) checkInt('value', value, 0, 7);
      return value as number;
    case 2:
    case 7:
      return checkInt('value', value, 0, 65535);
    case 5:
      return checkInt('value', value ?? 0, 0, 0);
  }
}

/** Builds a 20-digit class 2 management token encrypted under `cipher`. */
export function buildManagementToken(cipher: TokenCipher, request: ManagementTokenRequest): string {
  const subclass = request.subclass as number;
  if (subclass === 10)
    throw new StsError(
      'UNSUPPORTED',
      'subclass',
      'subclass: 10 (extended token set) is not supported',
    );
  if (![0, 1, 2, 5, 6, 7].includes(subclass)) {
    invalid(
      'subclass',
      [3, 4, 8, 9].includes(subclass)
        ? `${subclass} is a key-change section: use buildKeyChangeTokens`
        : `must be 0, 1, 2, 5, 6 or 7, got ${describe(subclass)}`,
    );
  }
  const tid = checkTid(request.tid);
  const rnd = checkRnd(request.rnd);
  const field16 = encodeManagementValue(request.subclass, request.value);
  return encodeToken(2, ((subclass << 28) | (rnd << 24) | tid) >>> 0, field16, cipher);
}

/** A meter test / display token: class 1, never encrypted (§5.2). */
export interface TestTokenRequest {
  readonly subclass: 0 | 1;
  /** Test bits: bit n-1 requests test n. 36 bits for subclass 0, 28 bits for subclass 1. Hex text `0x...` or a number. */
  readonly control: number | bigint | string;
  /** Manufacturer code: 0..255 for subclass 0, 0..65535 for subclass 1. */
  readonly manufacturerCode: number;
}

function parseControl(control: unknown, bits: number): number {
  let v: bigint | undefined;
  if (typeof control === 'bigint') v = control;
  else if (typeof control === 'number' && Number.isSafeInteger(control)) v = BigInt(control);
  else if (typeof control === 'string') {
    const hex = /^(?:0[xX])?([0-9a-fA-F]{1,16})$/.exec(control); // case-insensitive on input
    if (hex) v = BigInt(`0x${hex[1]}`);
  }
  if (v === undefined || v < 0n || v >= 1n << BigInt(bits)) {
    invalid('control', `must be a ${bits}-bit number or hex string, got ${describe(control)}`);
  }
  return Number(v);
}

/** Builds a 20-digit class 1 test token (not encrypted, so no key). */
export function buildTestToken(request: TestTokenRequest): string {
  const subclass = checkInt('subclass', request.subclass, 0, 1);
  if (subclass === 0) {
    const control = parseControl(request.control, 36);
    const mfr = checkInt('manufacturerCode', request.manufacturerCode, 0, 255);
    const low16 = ((control % 256) << 8) | mfr;
    return encodeToken(1, Math.floor(control / 256), low16, null);
  }
  const control = parseControl(request.control, 28);
  const mfr = checkInt('manufacturerCode', request.manufacturerCode, 0, 65535);
  return encodeToken(1, ((1 << 28) | control) >>> 0, mfr, null);
}

/** The new key's description carried by a key-change token set (STS-SPEC §5.4, §13). */
export interface KeyChangeRequest {
  /** The new decoder key, 8 or 16 bytes in natural order: 2 or 4 tokens. */
  readonly newKey: Uint8Array;
  readonly keyType: KeyType;
  readonly krn: number;
  readonly tariffIndex: string;
  /** The new key's expiry number, split into KENHO and KENLO. */
  readonly ken: number;
  /** Rollover: 1 makes the meter clear its TID memory (only when the base date changes). */
  readonly ro: 0 | 1;
  /** The new 6-digit SGC; required for 128-bit keys (sections 3 and 4). */
  readonly sgc?: string;
}

function word(key: Uint8Array, i: number): number {
  return ((key[i] << 24) | (key[i + 1] << 16) | (key[i + 2] << 8) | key[i + 3]) >>> 0;
}

/**
 * Builds the key-change token set, each section encrypted with the current key (`cipher`):
 * sections 1, 2 for a 64-bit new key; 1, 2, 3, 4 for a 128-bit one. Returned in section order.
 */
export function buildKeyChangeTokens(cipher: TokenCipher, request: KeyChangeRequest): string[] {
  const key = request.newKey;
  if (!(key instanceof Uint8Array) || (key.length !== 8 && key.length !== 16)) {
    invalid('newKey', 'must be a 64-bit or 128-bit decoder key');
  }
  const kt = checkKeyType(request.keyType, 'newKey.keyType');
  const krn = checkKrn(request.krn, 'newKey.krn');
  const ti = Number(checkTariffIndex(request.tariffIndex, 'newKey.tariffIndex'));
  const ken = checkKen(request.ken);
  const ro = checkInt('ro', request.ro, 0, 1);
  const wide = key.length === 16;
  const nkho = word(key, 0);
  const nklo = word(key, key.length - 4);
  const section1 =
    ((3 << 28) | ((ken >>> 4) << 24) | (krn << 20) | (ro << 19) | (kt << 16) | (nkho >>> 16)) >>> 0;
  const section2 = ((4 << 28) | ((ken & 15) << 24) | (ti << 16) | (nklo >>> 16)) >>> 0;
  const tokens = [
    encodeToken(2, section1, nkho & 0xffff, cipher),
    encodeToken(2, section2, nklo & 0xffff, cipher),
  ];
  if (wide) {
    // Six decimal digits are at most 999999 (0x0f423f): every SGC fits the 24 bits of sections 3/4.
    const sgc = Number(checkSgc(request.sgc, 'newKey.sgc'));
    const mid2 = word(key, 4); // new-key bits 95..64
    const mid1 = word(key, 8); // new-key bits 63..32
    const section3 = ((8 << 28) | ((sgc & 0xfff) << 16) | (mid2 >>> 16)) >>> 0;
    const section4 = ((9 << 28) | ((sgc >>> 12) << 16) | (mid1 >>> 16)) >>> 0;
    tokens.push(
      encodeToken(2, section3, mid2 & 0xffff, cipher),
      encodeToken(2, section4, mid1 & 0xffff, cipher),
    );
  }
  return tokens;
}

/** The CRC variant to check on decode. */
export type CrcVariant = 'standard' | 'currency';

/**
 * A decoded token, in the CLI contract's field names. Fields beyond `class`, `subclass` and
 * `crcValid` are present only when the CRC verified.
 */
export interface DecodedToken {
  readonly class: TokenClass;
  readonly subclass?: number;
  readonly crcValid: boolean;
  /** What the token is, when the CRC verified. */
  readonly kind?:
    | 'credit'
    | 'currency-credit'
    | 'management'
    | 'key-change-1'
    | 'key-change-2'
    | 'key-change-3'
    | 'key-change-4'
    | 'test'
    | 'reserved';
  readonly rnd?: number;
  readonly tid?: number;
  readonly amount?: number;
  /** Currency tokens: the sign bit (negative amounts are not issued by this library). */
  readonly negative?: boolean;
  readonly value?: number;
  readonly kenho?: number;
  readonly krn?: number;
  readonly ro?: number;
  readonly res?: number;
  readonly kt?: number;
  readonly nkho?: string;
  readonly kenlo?: number;
  readonly ti?: number;
  readonly nklo?: string;
  /** Section 3: new SGC bits 11..0. */
  readonly sgclo?: number;
  /** Section 3: new-key bits 95..64. */
  readonly nkmo2?: string;
  /** Section 4: new SGC bits 23..12. */
  readonly sgchi?: number;
  /** Section 4: new-key bits 63..32. */
  readonly nkmo1?: string;
  readonly control?: string;
  readonly manufacturerCode?: number;
  /** Reserved subclasses: the 48 data bits as hex. */
  readonly data?: string;
}

/** Options for {@link decodeToken}. */
export interface DecodeOptions {
  /** Needed for classes 0 and 2; class 1 tokens are not encrypted. */
  readonly cipher?: TokenCipher;
  /** Overrides the CRC variant (default: currency for class 0 subclasses 4..7). */
  readonly crc?: CrcVariant;
}

/**
 * STS-SPEC §3, decoding. A CRC that fails under the given key (a wrong key, or a mistyped token)
 * gives `crcValid: false`, not an error; malformed text is `INVALID_INPUT` naming `token`.
 */
export function decodeToken(token: string, options: DecodeOptions = {}): DecodedToken {
  const { tokenClass, block } = parseToken(token);
  if (tokenClass !== 1) {
    if (!options.cipher) invalid('key', 'class 0 and 2 tokens need a decoder key to decode');
    options.cipher.decryptBlock(block);
  }
  const { hi32, low16, crc } = splitBlock(block);
  const subclass = hi32 >>> 28;
  const currency = options.crc ? options.crc === 'currency' : tokenClass === 0 && subclass >= 4;
  if (tokenCrc(tokenClass, hi32, low16, currency) !== crc)
    return { class: tokenClass, crcValid: false };
  return {
    class: tokenClass,
    subclass,
    crcValid: true,
    ...decodeFields(tokenClass, subclass, hi32, low16),
  };
}

function decodeFields(
  tokenClass: TokenClass,
  subclass: number,
  hi32: number,
  low16: number,
): Partial<DecodedToken> {
  const nibble = (hi32 >>> 24) & 15;
  const tid = hi32 & 0xffffff;
  const word32 = (((hi32 & 0xffff) << 16) | low16) >>> 0;
  if (tokenClass === 1) {
    return subclass === 0
      ? {
          kind: 'test',
          control: `0x${((hi32 & 0x0fffffff) * 256 + (low16 >>> 8)).toString(16)}`,
          manufacturerCode: low16 & 0xff,
        }
      : subclass === 1
        ? {
            kind: 'test',
            control: `0x${(hi32 & 0x0fffffff).toString(16)}`,
            manufacturerCode: low16,
          }
        : { kind: 'reserved', data: data48Hex(hi32, low16) };
  }
  if (tokenClass === 0) {
    if (subclass < 4) return { kind: 'credit', rnd: nibble, tid, amount: decodeUnits(low16) };
    if (subclass < 8) return { kind: 'currency-credit', tid, ...decodeCurrency(nibble, low16) };
    return { kind: 'reserved', data: data48Hex(hi32, low16) };
  }
  switch (subclass) {
    case 0:
    case 6:
      return { kind: 'management', rnd: nibble, tid, value: decodeUnitValue(low16) };
    case 1:
    case 2:
    case 5:
    case 7:
      return { kind: 'management', rnd: nibble, tid, value: low16 };
    case 3:
      return {
        kind: 'key-change-1',
        kenho: nibble,
        krn: (hi32 >>> 20) & 15,
        ro: (hi32 >>> 19) & 1,
        res: (hi32 >>> 18) & 1,
        kt: (hi32 >>> 16) & 3,
        nkho: hex32(word32),
      };
    case 4:
      return { kind: 'key-change-2', kenlo: nibble, ti: (hi32 >>> 16) & 0xff, nklo: hex32(word32) };
    case 8:
      return { kind: 'key-change-3', sgclo: (hi32 >>> 16) & 0xfff, nkmo2: hex32(word32) };
    case 9:
      return { kind: 'key-change-4', sgchi: (hi32 >>> 16) & 0xfff, nkmo1: hex32(word32) };
    default:
      return { kind: 'reserved', data: data48Hex(hi32, low16) };
  }
}

function data48Hex(hi32: number, low16: number): string {
  return hex32(hi32) + low16.toString(16).padStart(4, '0');
}
