import {
  CURRENCY_DECIMALS,
  type ManagementSubclass,
  decodeCurrency,
  decodeUnitValue,
  encodeCurrency,
  encodeManagementValue,
  encodeUnits,
} from '@sts/core';

/**
 * What a token makes the meter apply, as decimal text: the amount or value after the token's
 * encoding rounded it (STS-SPEC §7.1, §7.2: rounded up, never under-crediting). Each call encodes
 * exactly as the token builder does, so a value that cannot be encoded fails here, before a TID
 * is spent.
 */

/** The credit amount a class 0 token of `subclass` carries for `amount`: units with 1 decimal, currency with 5. */
export function encodedCreditAmount(subclass: number, amount: string): string {
  if (subclass >= 4) {
    const field = encodeCurrency(amount);
    return decodeCurrency(field.seNibble, field.field16).amount.toFixed(CURRENCY_DECIMALS);
  }
  const tenths = decodeUnitValue(encodeUnits(amount));
  return `${Math.floor(tenths / 10)}.${tenths % 10}`;
}

/** The value a class 2 token of `subclass` carries: watts rounded up for 0 and 6, exact otherwise. */
export function encodedManagementValue(subclass: ManagementSubclass, value: number): string {
  const field16 = encodeManagementValue(subclass, value);
  return String(subclass === 0 || subclass === 6 ? decodeUnitValue(field16) : field16);
}
