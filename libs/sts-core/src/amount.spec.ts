import {
  decodeCurrency,
  decodeUnits,
  encodeCurrency,
  encodeUnitValue,
  encodeUnits,
  parseScaledDecimal,
} from './amount';

describe('unit amounts (STS-SPEC §7.1)', () => {
  it.each([
    [0, 0x0000, 0],
    [0.1, 0x0001, 0.1],
    [25.6, 0x0100, 25.6],
    [1638.3, 0x3fff, 1638.3],
    [1638.4, 0x4000, 1638.4],
    [1673.8, 0x4024, 1674.4],
    [2000, 0x416a, 2000.4],
    [18022.3, 0x8000, 18022.4],
    [18022.4, 0x8000, 18022.4],
    [181862.3, 0xc000, 181862.4],
    [181862.4, 0xc000, 181862.4],
    [1820162.4, 0xffff, 1820162.4],
  ])('%d units encode as %s and decode to %d (rounded up)', (amount, field, decoded) => {
    expect(encodeUnits(amount)).toBe(field);
    expect(decodeUnits(field)).toBe(decoded);
  });

  it.each([
    [1000, 0x03e8],
    [20000, 0x416a],
    [180223, 0x8000],
    [18201624, 0xffff],
  ])('%i W encodes as %s', (watts, field) => {
    expect(encodeUnitValue(watts, 'value')).toBe(field);
  });

  it('converts decimals exactly, never through a float product', () => {
    expect(parseScaledDecimal('amount', 1.1, 5)).toBe(110000n);
    expect(parseScaledDecimal('amount', 0.29, 5)).toBe(29000n);
    expect(parseScaledDecimal('amount', '12.50', 1)).toBe(125n);
    expect(parseScaledDecimal('amount', 1e-5, 5)).toBe(1n);
    expect(parseScaledDecimal('amount', 1e21, 1)).toBe(10n ** 22n);
  });

  it.each([
    [-0.1, 'INVALID_AMOUNT'],
    [1820162.5, 'INVALID_AMOUNT'],
    [0.15, 'INVALID_AMOUNT'],
    ['lots', 'INVALID_AMOUNT'],
    [Number.NaN, 'INVALID_AMOUNT'],
    [Number.POSITIVE_INFINITY, 'INVALID_AMOUNT'],
    [null, 'INVALID_AMOUNT'],
  ])('refuses %s', (amount, code) => {
    expect(() => encodeUnits(amount)).toThrow(expect.objectContaining({ code, field: 'amount' }));
  });
});

describe('currency amounts (STS-SPEC §7.2)', () => {
  it('100.00 encodes with e = 3, m = 8182 and decodes as 100.00624', () => {
    expect(encodeCurrency(100)).toEqual({ seNibble: 0, field16: 0xdff6 });
    expect(decodeCurrency(0, 0xdff6)).toEqual({ amount: 100.00624, negative: false });
  });

  it('uses exponents above 3 for large amounts, round-tripping upward', () => {
    const { seNibble, field16 } = encodeCurrency('123456789.12345');
    expect(seNibble).toBeGreaterThan(0);
    expect(decodeCurrency(seNibble, field16).amount).toBeGreaterThanOrEqual(123456789.12345);
  });

  it('keeps five decimals and refuses six, and negatives', () => {
    expect(decodeCurrency(0, encodeCurrency(0.00001).field16).amount).toBe(0.00001);
    expect(() => encodeCurrency(0.000001)).toThrow(
      expect.objectContaining({ code: 'INVALID_AMOUNT' }),
    );
    expect(() => encodeCurrency(-1)).toThrow(expect.objectContaining({ code: 'INVALID_AMOUNT' }));
  });
});
