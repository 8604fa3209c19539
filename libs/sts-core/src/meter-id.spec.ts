import { StsError } from './errors';
import { luhnCheckDigit, parseMeterId, primaryAccountNumber, withCheckDigit } from './meter-id';

describe('IIN, DRN, PAN and Luhn (STS-SPEC §11)', () => {
  it.each([
    ['1234567890', 3],
    ['43135625623', 7],
    ['7861754265922', 0],
    ['1212345678', 7],
    ['60072700000000000', 9],
    ['00000100000000008', 2],
  ])('Luhn(%s) = %i', (payload, check) => {
    expect(luhnCheckDigit(payload)).toBe(check);
  });

  it('builds the 18-digit PAN', () => {
    expect(primaryAccountNumber(parseMeterId('600727', '00000000000'))).toBe('600727000000000009');
    expect(primaryAccountNumber(parseMeterId('0000', '0100000000008'))).toBe('000001000000000082');
  });

  it('completes a DRN body with its check digit', () => {
    expect(withCheckDigit('1212345678')).toBe('12123456787');
  });

  it.each([
    ['60072', '00000000000', 'iin'],
    ['60072a', '00000000000', 'iin'],
    [600727, '00000000000', 'iin'],
    ['600727', '0000000000', 'drn'],
    ['600727', '0100000000008', 'drn'],
    ['0000', '00000000000', 'drn'],
    ['600727', '00000000001', 'drn'], // bad check digit
    ['0000', '0100000000007', 'drn'],
    ['600727', '0000000000x', 'drn'],
  ])('refuses iin %s / drn %s naming %s', (iin, drn, field) => {
    expect(() => parseMeterId(iin, drn)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field }),
    );
    expect(() => parseMeterId(iin, drn)).toThrow(StsError);
  });
});

describe('meter identities that only look like digits', () => {
  const printsAs = (text: string) => ({ length: text.length, toString: () => text });

  it('refuses a value that is not text, even one that prints as digits', () => {
    expect(() => parseMeterId(printsAs('600727'), '00000000000')).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'iin' }),
    );
    expect(() => parseMeterId('600727', printsAs('00000000000'))).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'drn' }),
    );
  });

  it('refuses a DRN with a non-digit even where the Luhn sum would pass', () => {
    // ':' counts as 10 in the digit sum, so the body has a check digit all the same.
    const drn = `000000000:${luhnCheckDigit('000000000:')}`;
    expect(() => parseMeterId('600727', drn)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'drn' }),
    );
  });

  it('refuses a DRN of the wrong length even with a valid check digit', () => {
    expect(() => parseMeterId('600727', withCheckDigit('000000000000'))).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'drn' }),
    );
    expect(() => parseMeterId('0000', withCheckDigit('0000000000'))).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'drn' }),
    );
  });
});
