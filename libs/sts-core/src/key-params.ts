import { StsError, checkInt, describe } from './errors';

/** Key types (STS-SPEC §13): 0 DITK, 1 DDTK (VDDK), 2 DUTK (VUDK), 3 DCTK (VCDK). */
export type KeyType = 0 | 1 | 2 | 3;

/** Asserts a key type 0..3. */
export function checkKeyType(value: unknown, field = 'keyType'): KeyType {
  return checkInt(field, value, 0, 3) as KeyType;
}

/** Asserts a key revision number 1..9. */
export function checkKrn(value: unknown, field = 'krn'): number {
  return checkInt(field, value, 1, 9);
}

/**
 * STS-SPEC §13: the KRN of the next vending-key revision. KRNs run 1..9 and wrap from 9 to 1.
 */
export function nextKrn(krn: unknown, field = 'krn'): number {
  return (checkKrn(krn, field) % 9) + 1;
}

/** Asserts a 6-digit supply group code given as text; returns it. */
export function checkSgc(value: unknown, field = 'sgc'): string {
  if (typeof value !== 'string' || !/^[0-9]{6}$/.test(value)) {
    throw new StsError(
      'INVALID_INPUT',
      field,
      `${field}: must be exactly 6 digits, got ${describe(value)}`,
    );
  }
  return value;
}

/** Asserts a 2-digit tariff index "00".."99" (a number 0..99 is accepted and padded). */
export function checkTariffIndex(value: unknown, field = 'tariffIndex'): string {
  if (typeof value === 'number') {
    if (Number.isInteger(value) && value >= 0 && value <= 99) return String(value).padStart(2, '0');
  } else if (typeof value === 'string' && /^[0-9]{2}$/.test(value)) {
    return value;
  }
  throw new StsError(
    'INVALID_INPUT',
    field,
    `${field}: must be 2 digits "00" to "99", got ${describe(value)}`,
  );
}
