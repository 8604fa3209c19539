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

describe('amount boundaries and refusals', () => {
  it('accepts exactly 1820162.4 units and refuses 1820162.5, as numbers and as decimal text', () => {
    expect(encodeUnits('1820162.4')).toBe(0xffff);
    expect(encodeUnits('1820162.40')).toBe(0xffff);
    expect(encodeUnits(1820162.4)).toBe(0xffff);
    for (const amount of ['1820162.5', 1820162.5, '1820163', 1820162.41]) {
      expect(() => encodeUnits(amount)).toThrow(
        expect.objectContaining({ code: 'INVALID_AMOUNT', field: 'amount' }),
      );
    }
  });

  it('takes the exact decimal route for floats that are not whole tenths', () => {
    // 0.30000000000000004 is not 0.3: refused, not rounded to 0x0003.
    expect(() => encodeUnits(0.1 + 0.2)).toThrow(
      expect.objectContaining({ code: 'INVALID_AMOUNT' }),
    );
    expect(encodeUnits('0.3')).toBe(0x0003);
    expect(encodeUnits(0.3)).toBe(0x0003);
  });

  it('encodes the largest value and refuses the next count, the field named', () => {
    expect(encodeUnitValue(18201624, 'power')).toBe(0xffff);
    expect(() => encodeUnitValue(18201625, 'power')).toThrow(
      expect.objectContaining({ code: 'INVALID_AMOUNT', field: 'power' }),
    );
  });

  it.each([-1, 2.5, Number.NaN, Number.POSITIVE_INFINITY, -0.5])(
    'encodeUnitValue refuses %s rather than encoding something else',
    (v) => {
      expect(() => encodeUnitValue(v, 'power')).toThrow(
        expect.objectContaining({ code: 'INVALID_AMOUNT', field: 'power' }),
      );
    },
  );

  it('rounds up at every exponent boundary, never under-crediting', () => {
    // e = 1 starts at 16384 with a step of 10; e = 2 at 180224, step 100; e = 3 at 1818624, 1000.
    expect(encodeUnitValue(16383)).toBe(0x3fff);
    expect(encodeUnitValue(16384)).toBe(0x4000);
    expect(encodeUnitValue(16385)).toBe(0x4001);
    expect(encodeUnitValue(180223)).toBe(0x8000);
    expect(encodeUnitValue(180224)).toBe(0x8000);
    expect(encodeUnitValue(180225)).toBe(0x8001);
    expect(encodeUnitValue(1818624)).toBe(0xc000);
    expect(encodeUnitValue(1818625)).toBe(0xc001);
    expect(decodeUnits(0x8001)).toBe(18032.4);
    expect(decodeUnits(0xc001)).toBe(181962.4);
  });

  it('names the field in every refusal', () => {
    expect(() => parseScaledDecimal('limit', '-3', 1)).toThrow(
      expect.objectContaining({ code: 'INVALID_AMOUNT', field: 'limit' }),
    );
    expect(() => parseScaledDecimal('limit', -3, 1)).toThrow(
      expect.objectContaining({ code: 'INVALID_AMOUNT', field: 'limit' }),
    );
  });

  it('reads exponents and surrounding blanks in decimal text', () => {
    expect(parseScaledDecimal('amount', ' 12.5 ', 1)).toBe(125n);
    expect(parseScaledDecimal('amount', '1.25e1', 1)).toBe(125n);
    expect(parseScaledDecimal('amount', '125E-1', 1)).toBe(125n);
    expect(parseScaledDecimal('amount', '1250e-2', 1)).toBe(125n);
    expect(parseScaledDecimal('amount', '0012.5', 1)).toBe(125n);
    expect(parseScaledDecimal('amount', '0', 5)).toBe(0n);
    expect(parseScaledDecimal('amount', '0.000', 1)).toBe(0n);
    expect(parseScaledDecimal('amount', '0e-9', 5)).toBe(0n);
    expect(parseScaledDecimal('amount', '5.', 1)).toBe(50n);
  });

  it('refuses one decimal place too many, however the text spells it', () => {
    for (const text of ['12.55', '1255e-2', '0.01', '.5']) {
      expect(() => parseScaledDecimal('amount', text, 1)).toThrow(
        expect.objectContaining({ code: 'INVALID_AMOUNT', field: 'amount' }),
      );
    }
  });

  it('refuses an exponent that would need more than 400 digits, and accepts 400', () => {
    expect(parseScaledDecimal('amount', '1e399', 1)).toBe(10n ** 400n);
    expect(() => parseScaledDecimal('amount', '1e400', 1)).toThrow(
      expect.objectContaining({ code: 'INVALID_AMOUNT', field: 'amount' }),
    );
    expect(() => parseScaledDecimal('amount', '1e999999999', 1)).toThrow(
      expect.objectContaining({ code: 'INVALID_AMOUNT', field: 'amount' }),
    );
  });
});

describe('currency sign and exponents (STS-SPEC §7.2)', () => {
  it('decodes the sign bit, the most significant bit of the S&E nibble, apart from the amount', () => {
    expect(decodeCurrency(8, 0xdff6)).toEqual({ amount: 100.00624, negative: true });
    expect(decodeCurrency(0, 0xdff6)).toEqual({ amount: 100.00624, negative: false });
    expect(decodeCurrency(7, 0)).toEqual({ amount: decodeCurrency(15, 0).amount, negative: false });
    expect(decodeCurrency(15, 0).negative).toBe(true);
  });

  it('takes exponent bits e4..e2 from the nibble and e1 e0 from the field', () => {
    // e = 4: offset 16384 * 1111 = 18202624 (10^-5), i.e. 182.02624; m = 1 adds 10^4 * 10^-5.
    expect(decodeCurrency(1, 0x0000).amount).toBe(182.02624);
    expect(decodeCurrency(1, 0x0001).amount).toBe(182.12624);
    // e = 5 (nibble 1, field e1 e0 = 01): offset 16384 * 11111 = 182042624 -> 1820.42624.
    expect(decodeCurrency(1, 0x4000).amount).toBe(1820.42624);
    expect(encodeCurrency('182.02624')).toEqual({ seNibble: 1, field16: 0x0000 });
    expect(encodeCurrency('182.02625')).toEqual({ seNibble: 1, field16: 0x0001 });
    // e = 3 ends at 1818624 + 16383 * 1000 = 18201624 (182.01624); one more rounds up to e = 4.
    expect(encodeCurrency('182.01624')).toEqual({ seNibble: 0, field16: 0xffff });
    expect(encodeCurrency('182.01625')).toEqual({ seNibble: 1, field16: 0x0000 });
  });

  it('keeps trailing fraction digits (no float rounding in the decoder)', () => {
    expect(decodeCurrency(0, 0x0005).amount).toBe(0.00005);
    expect(decodeCurrency(0, 0x3fff).amount).toBe(0.16383);
    expect(decodeCurrency(0, 0x4000).amount).toBe(0.16384);
  });

  it('encodes up to exponent 31 and refuses what only a 32nd exponent would hold', () => {
    expect(encodeCurrency('1e30').seNibble).toBe(7);
    expect(() => encodeCurrency('1e31')).toThrow(
      expect.objectContaining({ code: 'INVALID_AMOUNT', field: 'amount' }),
    );
  });

  it('refuses an amount beyond the 5-bit exponent, naming the field', () => {
    expect(() => encodeCurrency('1e40', 'price')).toThrow(
      expect.objectContaining({ code: 'INVALID_AMOUNT', field: 'price' }),
    );
  });
});

describe('decimal text, exactly', () => {
  it('reads a number through its decimal text, and nothing else that is not text', () => {
    expect(parseScaledDecimal('amount', 12.5, 1)).toBe(125n);
    for (const value of [['1.5'], { toString: () => '1.5' }, true, 10n]) {
      expect(() => parseScaledDecimal('amount', value, 1)).toThrow(
        expect.objectContaining({ code: 'INVALID_AMOUNT', field: 'amount' }),
      );
    }
  });

  it('accepts places beyond the scale only as zeros, whatever the exponent', () => {
    expect(parseScaledDecimal('amount', '1.5', 1)).toBe(15n);
    expect(parseScaledDecimal('amount', '15', 1)).toBe(150n);
    expect(parseScaledDecimal('amount', '100e-3', 1)).toBe(1n);
    expect(parseScaledDecimal('amount', '1.500000', 1)).toBe(15n);
    for (const text of ['1e-3', '0010e-3', '1.05', '10.01']) {
      expect(() => parseScaledDecimal('amount', text, 1)).toThrow(
        expect.objectContaining({ code: 'INVALID_AMOUNT', field: 'amount' }),
      );
    }
  });

  it('reads zero written with any exponent as zero, never as too large', () => {
    expect(parseScaledDecimal('amount', '0e999', 1)).toBe(0n);
    expect(parseScaledDecimal('amount', '000.000e999', 1)).toBe(0n);
    expect(parseScaledDecimal('amount', '10e0', 1)).toBe(100n);
    expect(parseScaledDecimal('amount', '01', 1)).toBe(10n);
  });

  it('names `amount` when no field is given', () => {
    expect(() => encodeUnitValue(-1)).toThrow(
      expect.objectContaining({ code: 'INVALID_AMOUNT', field: 'amount' }),
    );
    expect(() => encodeUnits('x')).toThrow(expect.objectContaining({ field: 'amount' }));
    expect(() => encodeCurrency('x')).toThrow(expect.objectContaining({ field: 'amount' }));
  });

  it('gives a float the same field as its decimal text (the fast path agrees with the parser)', () => {
    const samples = [0, 0.1, 0.3, 1.7, 25.6, 1638.3, 1638.4, 99999.9, 181862.3, 1820162.4];
    for (let i = 0; i < 2000; i++) samples.push(((i * 7919) % 18201625) / 10);
    for (const amount of samples) expect(encodeUnits(amount)).toBe(encodeUnits(String(amount)));
  });
});

describe('currency rounding at exponent boundaries', () => {
  it('rounds up to mantissa 0 of the next exponent from just below its offset', () => {
    // e = 1 starts at 16384 (10^-5 units), e = 2 at 180224, each step 10^e.
    expect(encodeCurrency('0.16383')).toEqual({ seNibble: 0, field16: 0x3fff });
    expect(encodeCurrency('0.16384')).toEqual({ seNibble: 0, field16: 0x4000 });
    expect(encodeCurrency('0.16385')).toEqual({ seNibble: 0, field16: 0x4001 });
    expect(encodeCurrency('1.80223')).toEqual({ seNibble: 0, field16: 0x8000 });
    expect(encodeCurrency('1.80224')).toEqual({ seNibble: 0, field16: 0x8000 });
    expect(encodeCurrency('1.80225')).toEqual({ seNibble: 0, field16: 0x8001 });
    expect(encodeCurrency(0)).toEqual({ seNibble: 0, field16: 0 });
  });
});
