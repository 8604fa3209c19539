import { checkKeyType, checkKrn, checkSgc, checkTariffIndex, nextKrn } from './key-params';

describe('key parameters (STS-SPEC §5.4, §13)', () => {
  it.each([
    [1, 2],
    [8, 9],
    [9, 1], // KRN wraps from 9 to 1
  ])('the revision after KRN %i is %i', (krn, next) => {
    expect(nextKrn(krn)).toBe(next);
  });

  it.each([0, 10, 1.5, '1'])('refuses KRN %p naming the field', (krn) => {
    expect(() => nextKrn(krn)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'krn' }),
    );
    expect(() => checkKrn(krn, 'newKey.krn')).toThrow(
      expect.objectContaining({ field: 'newKey.krn' }),
    );
  });

  it('key types are 0..3, SGCs 6 digits, tariff indexes 2 digits', () => {
    expect([0, 1, 2, 3].map((kt) => checkKeyType(kt))).toEqual([0, 1, 2, 3]);
    expect(() => checkKeyType(4)).toThrow(expect.objectContaining({ field: 'keyType' }));
    expect(checkSgc('000046')).toBe('000046');
    expect(() => checkSgc('1234567')).toThrow(expect.objectContaining({ field: 'sgc' }));
    expect(checkTariffIndex(2)).toBe('02');
    expect(checkTariffIndex('99')).toBe('99');
    expect(() => checkTariffIndex('1')).toThrow(expect.objectContaining({ field: 'tariffIndex' }));
  });
});

describe('tariff index', () => {
  it('takes "00".."99" as text and 0..99 as a number, padded', () => {
    expect(checkTariffIndex('07')).toBe('07');
    expect(checkTariffIndex(0)).toBe('00');
    expect(checkTariffIndex(7)).toBe('07');
    expect(checkTariffIndex(99)).toBe('99');
  });

  it.each([100, -1, 5.5, Number.NaN, '7', '100', 'ab', null, undefined, ['07']])(
    'refuses %p',
    (value) => {
      expect(() => checkTariffIndex(value, 'ti')).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT', field: 'ti' }),
      );
    },
  );
});
