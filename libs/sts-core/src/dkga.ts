import { createHmac } from 'node:crypto';
import { type Ea, checkEa } from './cipher';
import { desEncryptBlock } from './des';
import { StsError, describe } from './errors';
import { hexToBytes } from './hex';
import { type KeyType, checkKeyType, checkKrn, checkSgc, checkTariffIndex } from './key-params';
import { type MeterId, parseMeterId, primaryAccountNumber } from './meter-id';
import { type BaseDate, checkBaseDate } from './tid';

/** Decoder key generation algorithms supported: 02 (DES) and 04 (HMAC-SHA-256). */
export type Dkga = '02' | '04';

/** Asserts a supported DKGA; 01 and 03 are deprecated and refused (STS-SPEC §12.4). */
export function checkDkga(value: unknown, field = 'dkga'): Dkga {
  if (value === '01' || value === '03') {
    throw new StsError(
      'UNSUPPORTED',
      field,
      `${field}: DKGA${value} is deprecated and not supported; use 02 or 04`,
    );
  }
  if (value !== '02' && value !== '04') {
    throw new StsError(
      'INVALID_INPUT',
      field,
      `${field}: must be "02" or "04", got ${describe(value)}`,
    );
  }
  return value;
}

/** Everything a decoder key is derived from, apart from the vending key itself. */
export interface DerivationInput {
  readonly dkga: Dkga;
  readonly meter: MeterId;
  readonly keyType: KeyType;
  readonly sgc: string;
  readonly tariffIndex: string;
  readonly krn: number;
  /** DKGA04 only: bound into the key. */
  readonly baseDate?: BaseDate;
  /** DKGA04 only: selects the key length (07 -> 64 bits, 11 -> 128 bits). */
  readonly ea?: Ea;
}

/** Unvalidated derivation fields as a request carries them (CLI batch names). */
export interface DerivationFields {
  dkga?: unknown;
  iin?: unknown;
  drn?: unknown;
  keyType?: unknown;
  sgc?: unknown;
  tariffIndex?: unknown;
  krn?: unknown;
  baseDate?: unknown;
  ea?: unknown;
}

/**
 * Validates derivation fields, including the combinations: DKGA04 needs a base date and EA 07
 * or 11; DKGA02 makes 64-bit keys only; DKGA04 with a common key (KT 3) is refused (§14 #5).
 * `defaultEa` stands in for a missing `ea` (the EA of the request the key serves).
 */
export function parseDerivationInput(fields: DerivationFields, defaultEa?: Ea): DerivationInput {
  const eaField = fields.ea ?? defaultEa;
  const dkga = checkDkga(fields.dkga);
  const meter = parseMeterId(fields.iin, fields.drn);
  const keyType = checkKeyType(fields.keyType);
  const sgc = checkSgc(fields.sgc);
  const tariffIndex = checkTariffIndex(fields.tariffIndex);
  const krn = checkKrn(fields.krn);
  if (dkga === '02') {
    if (eaField !== undefined && checkEa(eaField) === '11') {
      throw new StsError(
        'UNSUPPORTED_COMBINATION',
        'ea',
        'ea: DKGA02 makes 64-bit keys; EA11 needs a 128-bit key',
      );
    }
    return { dkga, meter, keyType, sgc, tariffIndex, krn };
  }
  const baseDate = checkBaseDate(fields.baseDate);
  const ea = checkEa(eaField);
  if (ea === '09') {
    throw new StsError(
      'UNSUPPORTED_COMBINATION',
      'ea',
      'ea: DKGA04 is defined for EA07 and EA11 only',
    );
  }
  if (keyType === 3) {
    throw new StsError(
      'UNSUPPORTED_COMBINATION',
      'keyType',
      'keyType: DKGA04 with a common key (KT 3) is not defined by any published source',
    );
  }
  return { dkga, meter, keyType, sgc, tariffIndex, krn, baseDate, ea };
}

/** The derived key length in bytes: 8, or 16 for DKGA04 with EA11. */
export function derivedKeyBytes(input: DerivationInput): 8 | 16 {
  return input.dkga === '04' && input.ea === '11' ? 16 : 8;
}

/** STS-SPEC §12.1: the last 16 digits of IIN || DRN as 8 bytes; DRN zeroed for KT 3. */
export function panBlock(meter: MeterId, keyType: KeyType): Uint8Array {
  const drn = keyType === 3 ? '0'.repeat(meter.drn.length) : meter.drn;
  return hexToBytes('pan', (meter.iin + drn).slice(-16), 8);
}

/** STS-SPEC §12.1: KT(1) || SGC(6) || TI(2) || KRN(1) || FFFFFF as 8 bytes. */
export function controlBlock(
  input: Pick<DerivationInput, 'keyType' | 'sgc' | 'tariffIndex' | 'krn'>,
): Uint8Array {
  return hexToBytes(
    'control',
    `${input.keyType}${input.sgc}${input.tariffIndex}${input.krn}ffffff`,
    8,
  );
}

/** STS-SPEC §12.2: X = PAN block XOR control block, the DES input of DKGA02. */
export function dkga02Input(input: DerivationInput): Uint8Array {
  const control = controlBlock(input);
  return panBlock(input.meter, input.keyType).map((b, i) => b ^ control[i]);
}

/**
 * STS-SPEC §12.2, the step after DES: DK = DES_VK(X) XOR X XOR VK. Split out so a key store that
 * runs the DES step elsewhere (an HSM) shares this code.
 */
export function dkga02Combine(
  desOutput: Uint8Array,
  x: Uint8Array,
  vendingKey: Uint8Array,
): Uint8Array {
  return desOutput.map((b, i) => b ^ x[i] ^ vendingKey[i]);
}

/** Odd-parity adjustment of a DES key: each byte's low bit makes its bit count odd. */
export function oddParity(key: Uint8Array): Uint8Array {
  return key.map((b) => {
    let parity = 0; // of the seven high bits
    for (let v = b >>> 1; v; v >>>= 1) parity ^= v & 1;
    return (b & 0xfe) | (parity ^ 1);
  });
}

/** Options for DKGA02's unresolved variant (STS-SPEC §14 #2). */
export interface Dkga02Options {
  /** XOR with the odd-parity-adjusted vending key instead of the raw one. Default false. */
  readonly parityAdjustedXor?: boolean;
}

/** STS-SPEC §12.2: DKGA02 in software. The vending key is 8 bytes. */
export function dkga02(
  vendingKey: Uint8Array,
  input: DerivationInput,
  options: Dkga02Options = {},
): Uint8Array {
  if (vendingKey.length !== 8) {
    throw new StsError(
      'INVALID_INPUT',
      'vendingKey',
      'vendingKey: DKGA02 needs a 64-bit vending key (16 hex digits)',
    );
  }
  const x = dkga02Input(input);
  const des = desEncryptBlock(vendingKey, x);
  const xorKey = options.parityAdjustedXor ? oddParity(vendingKey) : vendingKey;
  const dk = dkga02Combine(des, x, xorKey);
  des.fill(0);
  if (xorKey !== vendingKey) xorKey.fill(0);
  return dk;
}

/** Writes one SP 800-108 style item: a length byte, then the ASCII text. Returns the next offset. */
function putItem(out: Uint8Array, at: number, text: string): number {
  out[at++] = text.length;
  for (let i = 0; i < text.length; i++) out[at++] = text.charCodeAt(i);
  return at;
}

/** STS-SPEC §12.3: the 49-byte SP 800-108 style message that DKGA04 MACs. */
export function dkga04Message(input: DerivationInput): Uint8Array {
  if (input.dkga !== '04' || input.baseDate === undefined || input.ea === undefined) {
    throw new StsError(
      'INVALID_INPUT',
      'dkga',
      'dkga: a DKGA04 message needs dkga 04, a base date and an EA',
    );
  }
  const msg = new Uint8Array(49);
  msg[0] = 4; // label item count
  let at = putItem(msg, 1, '04');
  at = putItem(msg, at, String(input.baseDate).slice(2));
  at = putItem(msg, at, input.ea);
  at = putItem(msg, at, input.tariffIndex);
  msg[at++] = 0; // separator
  msg[at++] = 4; // context item count
  at = putItem(msg, at, input.sgc);
  at = putItem(msg, at, String(input.keyType));
  at = putItem(msg, at, String(input.krn));
  at = putItem(msg, at, primaryAccountNumber(input.meter));
  msg[at + 3] = derivedKeyBytes(input) * 8; // L, 32-bit big-endian
  return msg;
}

/** STS-SPEC §12.3: DKGA04 in software: the first 8 or 16 bytes of HMAC-SHA-256(VK, message). */
export function dkga04(vendingKey: Uint8Array, input: DerivationInput): Uint8Array {
  if (vendingKey.length === 0) {
    throw new StsError('INVALID_INPUT', 'vendingKey', 'vendingKey: must not be empty');
  }
  const mac = createHmac('sha256', vendingKey).update(dkga04Message(input)).digest();
  const dk = Uint8Array.from(mac.subarray(0, derivedKeyBytes(input)));
  mac.fill(0);
  return dk;
}

/** Derives a decoder key in software with the input's DKGA. */
export function deriveDecoderKey(
  vendingKey: Uint8Array,
  input: DerivationInput,
  options: Dkga02Options = {},
): Uint8Array {
  return input.dkga === '02' ? dkga02(vendingKey, input, options) : dkga04(vendingKey, input);
}
