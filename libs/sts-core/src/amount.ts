import { StsError, describe } from './errors';

/** Offsets of the 16-bit exponent/mantissa codec: offset[e] = 16384 * (10^e - 1) / 9. */
const OFFSET = [0, 16384, 180224, 1818624] as const;
const POW10 = [1, 10, 100, 1000] as const;

/** Largest value of the 16-bit codec (e = 3, m = 16383): 1820162.4 units or 18201624 W. */
export const MAX_UNIT_VALUE = 18201624;

const DECIMAL = /^(\d+)(?:\.(\d*))?(?:[eE]([+-]?\d+))?$/;

/**
 * Converts a decimal amount (number or decimal text) to an exact integer count of
 * `10^-decimals` units, without float arithmetic (STS-SPEC §2, decimals). Refuses negative,
 * non-finite and over-precise values with `INVALID_AMOUNT` naming `field`.
 */
export function parseScaledDecimal(field: string, value: unknown, decimals: number): bigint {
  // A number is read as the decimal text JavaScript writes for it ("NaN" and "Infinity" are no
  // decimal and are refused with every other text that is not one).
  const text = typeof value === 'number' ? String(value) : value;
  const m = typeof text === 'string' ? DECIMAL.exec(text.trim()) : null;
  if (!m) {
    throw new StsError(
      'INVALID_AMOUNT',
      field,
      (typeof value === 'number' && value < 0) ||
        (typeof value === 'string' && value.trim().startsWith('-'))
        ? `${field}: must not be negative`
        : `${field}: must be a non-negative decimal number, got ${describe(value)}`,
    );
  }
  const [, whole, fraction = '', exponentText] = m;
  // Zero is zero however many places it is written with ("0.000", "0e-9", "0e999").
  if (/^0+$/.test(whole + fraction)) return 0n;
  const exponent = exponentText === undefined ? 0 : Number(exponentText);
  let digits = whole + fraction;
  let scale = fraction.length - exponent; // value = digits * 10^-scale
  if (scale > decimals) {
    // Places beyond `decimals` are accepted only when they are zeros ("12.50" with one decimal).
    const excess = scale - decimals;
    if (/[^0]/.test(digits.slice(-excess))) {
      throw new StsError(
        'INVALID_AMOUNT',
        field,
        `${field}: has more than ${decimals} decimal place${decimals === 1 ? '' : 's'} (${describe(value)})`,
      );
    }
    digits = digits.slice(0, -excess);
    scale = decimals;
  }
  if (decimals - scale > 400) throw new StsError('INVALID_AMOUNT', field, `${field}: is too large`);
  return BigInt(digits) * 10n ** BigInt(decimals - scale);
}

/**
 * STS-SPEC §7.1: encodes `v` (tenths of a unit, or watts) into the 16-bit exponent/mantissa
 * field, rounding up so the customer is never under-credited.
 */
export function encodeUnitValue(v: number, field = 'amount'): number {
  if (!Number.isInteger(v) || v < 0) {
    throw new StsError(
      'INVALID_AMOUNT',
      field,
      `${field}: must be a non-negative integer count, got ${describe(v)}`,
    );
  }
  for (const [e, offset] of OFFSET.entries()) {
    const m = Math.max(0, Math.ceil((v - offset) / POW10[e]));
    if (m <= 16383) return ((e << 14) | m) >>> 0;
  }
  throw new StsError('INVALID_AMOUNT', field, `${field}: exceeds the largest encodable value`);
}

/** STS-SPEC §7.1: the value (tenths or watts) of a 16-bit exponent/mantissa field. */
export function decodeUnitValue(field16: number): number {
  const e = (field16 >>> 14) & 3;
  return (field16 & 0x3fff) * POW10[e] + OFFSET[e];
}

/** Units (0.1 resolution) to the 16-bit field of class 0 subclasses 0..3. */
export function encodeUnits(amount: unknown, field = 'amount'): number {
  // Fast path: a float that is exactly n/10 for an integer n (the decimal text it was parsed from
  // had at most one decimal place). Anything else takes the exact decimal parser, which gives the
  // same answer for every value the fast path takes (tested): narrowing or widening the path
  // changes only the speed.
  // Stryker disable all: equivalent by construction, see above
  if (typeof amount === 'number' && amount >= 0 && amount <= MAX_UNIT_VALUE / 10) {
    const tenths = Math.round(amount * 10);
    if (tenths / 10 === amount) return encodeUnitValue(tenths, field);
  }
  // Stryker restore all
  const tenths = parseScaledDecimal(field, amount, 1);
  if (tenths > BigInt(MAX_UNIT_VALUE)) {
    throw new StsError('INVALID_AMOUNT', field, `${field}: must not exceed 1820162.4 units`);
  }
  return encodeUnitValue(Number(tenths), field);
}

/** The amount in units of a class 0 subclass 0..3 field (one decimal place). */
export function decodeUnits(field16: number): number {
  return decodeUnitValue(field16) / 10;
}

/** Currency amounts count 10^-5 of the currency unit (STS-SPEC §7.2). */
export const CURRENCY_DECIMALS = 5;

/** Currency exponent/mantissa: sign 1 bit (always 0 here), exponent 5 bits, mantissa 14 bits. */
export interface CurrencyField {
  /** The S&E nibble that takes the place of RND: `s e4 e3 e2`. */
  readonly seNibble: number;
  /** Amount bits 15..0: `e1 e0` then the 14-bit mantissa. */
  readonly field16: number;
}

function currencyOffset(e: bigint): bigint {
  return (16384n * (10n ** e - 1n)) / 9n;
}

/**
 * STS-SPEC §7.2: a positive currency amount (up to 5 decimals) into its 20-bit field, smallest
 * exponent, mantissa rounded up. Negative amounts are refused (§14 #10).
 */
export function encodeCurrency(amount: unknown, field = 'amount'): CurrencyField {
  const v = parseScaledDecimal(field, amount, CURRENCY_DECIMALS);
  for (let e = 0n; e < 32n; e++) {
    const step = 10n ** e;
    // Below this exponent's offset by less than one step at most (the exponent before it
    // overflowed), so the rounded-up mantissa is then 0.
    const over = v - currencyOffset(e);
    const m = (over + step - 1n) / step;
    if (m <= 16383n) {
      const exponent = Number(e);
      return { seNibble: exponent >>> 2, field16: (((exponent & 3) << 14) | Number(m)) >>> 0 };
    }
  }
  throw new StsError(
    'INVALID_AMOUNT',
    field,
    `${field}: exceeds the largest encodable currency amount`,
  );
}

/** The currency amount (in currency units) of a subclass 4..7 token; sign bit reported apart. */
export function decodeCurrency(
  seNibble: number,
  field16: number,
): { amount: number; negative: boolean } {
  const e = BigInt((((seNibble & 7) << 2) | (field16 >>> 14)) & 31);
  const magnitude = BigInt(field16 & 0x3fff) * 10n ** e + currencyOffset(e);
  const whole = magnitude / 100000n;
  const fraction = magnitude % 100000n;
  return {
    amount: Number(`${whole}.${fraction.toString().padStart(5, '0')}`),
    negative: (seNibble & 8) !== 0,
  };
}
