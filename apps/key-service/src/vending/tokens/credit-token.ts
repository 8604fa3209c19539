import { buildCreditToken, type CreditSubclass, type TokenCipher } from '@sts/core';
import type { IssuedTokenDto } from '../dto/vending-response.dto';

const CREDIT_NAMES = ['electricity', 'water', 'gas', 'time'] as const;

/** What a credit token carries besides its TID. */
export interface CreditOrder {
  readonly subclass: number;
  readonly amount: string;
  /** The amount as the token encodes it (rules/encoded-values.ts). */
  readonly encodedAmount: string;
}

/** A class-0 credit token under `cipher` with TID `tid`. */
export function creditToken(cipher: TokenCipher, order: CreditOrder, tid: number): IssuedTokenDto {
  const token = buildCreditToken(cipher, {
    subclass: order.subclass as CreditSubclass,
    tid,
    amount: order.amount,
  });
  const unit = CREDIT_NAMES[order.subclass % 4];
  const what = order.subclass >= 4 ? `${unit} currency ${order.amount}` : `${unit} ${order.amount}`;
  return {
    token,
    tokenClass: 0,
    subclass: order.subclass,
    tid,
    description: `credit: ${what}`,
    encodedAmount: order.encodedAmount,
  };
}
