import { StsError } from '@sts/core';
import { DomainError } from '../common/domain-error';
import { checkKeyAttributes, type KeyAttributesInput } from './key-attributes';

const DES: KeyAttributesInput = {
  keyType: 'VUDK',
  dkga: '02',
  allowedEas: ['09', '07'],
  baseDate: 2014,
  ken: 255,
};

function stsError(fn: () => unknown): StsError {
  try {
    fn();
  } catch (error) {
    if (error instanceof StsError) return error;
    throw error;
  }
  throw new Error('accepted');
}

describe('checkKeyAttributes', () => {
  it('accepts DKGA02 and DKGA04 keys and derives the token algorithm and length', () => {
    expect(checkKeyAttributes('600727', 1, DES)).toMatchObject({
      algorithm: 'DES',
      lengthBytes: 8,
      allowedEas: ['07', '09'],
    });
    expect(
      checkKeyAttributes('600727', 2, {
        ...DES,
        dkga: '04',
        allowedEas: ['11'],
        keyLengthBytes: 20,
      }),
    ).toMatchObject({ algorithm: 'HMAC', lengthBytes: 20 });
  });

  it('names the field of a bad value', () => {
    expect(stsError(() => checkKeyAttributes('60072', 1, DES))).toMatchObject({
      code: 'INVALID_INPUT',
      field: 'sgc',
    });
    expect(
      stsError(() => checkKeyAttributes('600727', 1, { ...DES, baseDate: 2000 })),
    ).toMatchObject({ field: 'baseDate' });
    expect(stsError(() => checkKeyAttributes('600727', 1, { ...DES, ken: 256 }))).toMatchObject({
      field: 'ken',
    });
    expect(
      stsError(() => checkKeyAttributes('600727', 1, { ...DES, allowedEas: ['08'] })),
    ).toMatchObject({ field: 'allowedEas' });
  });

  it('refuses STS combinations the standard does not define', () => {
    expect(
      stsError(() => checkKeyAttributes('600727', 1, { ...DES, allowedEas: ['11'] })),
    ).toMatchObject({
      code: 'UNSUPPORTED_COMBINATION',
      field: 'allowedEas',
    });
    expect(
      stsError(() => checkKeyAttributes('600727', 1, { ...DES, dkga: '04', allowedEas: ['09'] })),
    ).toMatchObject({
      code: 'UNSUPPORTED_COMBINATION',
    });
    expect(
      stsError(() =>
        checkKeyAttributes('600727', 1, {
          ...DES,
          keyType: 'VCDK',
          dkga: '04',
          allowedEas: ['07'],
        }),
      ),
    ).toMatchObject({ code: 'UNSUPPORTED_COMBINATION', field: 'keyType' });
    expect(stsError(() => checkKeyAttributes('600727', 1, { ...DES, dkga: '01' }))).toMatchObject({
      code: 'UNSUPPORTED',
    });
  });

  it('orders activation, issue-until and expiry times', () => {
    expect(() =>
      checkKeyAttributes('600727', 1, {
        ...DES,
        activateAt: '2026-01-01T00:00:00Z',
        issueUntil: '2025-01-01T00:00:00Z',
      }),
    ).toThrow(DomainError);
  });
});
