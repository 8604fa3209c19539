import {
  CURRENCY_DECIMALS,
  type ManagementSubclass,
  buildCreditToken,
  buildManagementToken,
  createCipher,
  decodeToken,
  parseScaledDecimal,
} from '@sts/core';
import fc from 'fast-check';
import { encodedCreditAmount, encodedManagementValue } from './encoded-values';

const cipher = createCipher('07', new Uint8Array(8).fill(0x5a));

/** The amount a meter reads from a credit token built for `amount` (decoded independently). */
function decodedCredit(subclass: number, amount: string): number | undefined {
  const token = buildCreditToken(cipher, { subclass: subclass as 0, tid: 1, amount });
  return decodeToken(token, { cipher }).amount;
}

describe('encoded values', () => {
  it('states what the token holds: rounded up where the codec is coarse', () => {
    expect(
      [
        [0, '25.6'],
        [0, '1638.3'],
        [0, '2000.1'],
        [0, '20000'],
        [4, '0.16383'],
        [4, '0.5'],
        [4, '12.34567'],
        [4, '100'],
        [7, '999.99999'],
      ].map(([subclass, amount]) => encodedCreditAmount(subclass as number, amount as string)),
    ).toEqual([
      '25.6',
      '1638.3',
      '2000.4',
      '20002.4',
      '0.16383',
      '0.50004',
      '12.34624',
      '100.00624',
      '1000.02624',
    ]);
    expect(
      [
        [0, 1000],
        [0, 999_999],
        [6, 16_385],
        [1, 65_535],
        [2, 12_345],
        [5, 0],
        [7, 3],
      ].map(([subclass, value]) => encodedManagementValue(subclass as ManagementSubclass, value)),
    ).toEqual(['1000', '1000024', '16394', '65535', '12345', '0', '3']);
  });

  it('equals what the token decodes to, and is never less than the amount asked', () => {
    const units = fc
      .integer({ min: 1, max: 18_201_624 })
      .map((t) => `${Math.floor(t / 10)}.${t % 10}`);
    const currency = fc
      .bigInt({ min: 1n, max: 99_999_999_999_999n })
      .map((v) => `${v / 100_000n}.${(v % 100_000n).toString().padStart(5, '0')}`);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.tuple(fc.integer({ min: 0, max: 3 }), units),
          fc.tuple(fc.integer({ min: 4, max: 7 }), currency),
        ),
        ([subclass, amount]) => {
          const encoded = encodedCreditAmount(subclass, amount);
          expect(Number(encoded)).toBe(decodedCredit(subclass, amount));
          const decimals = subclass >= 4 ? CURRENCY_DECIMALS : 1;
          expect(parseScaledDecimal('e', encoded, decimals)).toBeGreaterThanOrEqual(
            parseScaledDecimal('a', amount, decimals),
          );
          // What the token holds encodes as itself: the answer is a value the meter can hold.
          expect(encodedCreditAmount(subclass, encoded)).toBe(encoded);
        },
      ),
      { numRuns: 2000 },
    );
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 18_201_624 }),
        fc.constantFrom(0, 6),
        (value, subclass) => {
          const encoded = encodedManagementValue(subclass, value);
          const token = buildManagementToken(cipher, { subclass: subclass, tid: 1, value });
          expect(Number(encoded)).toBe(decodeToken(token, { cipher }).value);
          expect(Number(encoded)).toBeGreaterThanOrEqual(value);
        },
      ),
      { numRuns: 2000 },
    );
  });

  it('fails, before any TID is spent, for an amount the codec cannot hold', () => {
    expect(() => encodedCreditAmount(0, '1820162.5')).toThrow(/must not exceed/);
    expect(() => encodedCreditAmount(0, '1.25')).toThrow(/decimal place/);
  });
});
