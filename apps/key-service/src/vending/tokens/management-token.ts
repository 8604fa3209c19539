import {
  buildManagementToken,
  MANAGEMENT_SUBCLASS_NAMES,
  type ManagementSubclass,
  type TokenCipher,
} from '@sts/core';
import type { IssuedTokenDto } from '../dto/vending-response.dto';

/** What a management token carries besides its TID. */
export interface ManagementOrder {
  readonly subclass: ManagementSubclass;
  readonly value: number;
  /** The value as the token encodes it (rules/encoded-values.ts). */
  readonly encodedValue: string;
}

/** A class-2 management token under `cipher` with TID `tid`. */
export function managementToken(
  cipher: TokenCipher,
  order: ManagementOrder,
  tid: number,
): IssuedTokenDto {
  const token = buildManagementToken(cipher, {
    subclass: order.subclass,
    tid,
    value: order.value,
  });
  return {
    token,
    tokenClass: 2,
    subclass: order.subclass,
    tid,
    description: `${MANAGEMENT_SUBCLASS_NAMES[order.subclass]} ${order.value}`,
    encodedValue: order.encodedValue,
  };
}
