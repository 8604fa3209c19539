import { Ea07Cipher } from './ea07';
import { IEC_SAMPLE_STA_TABLES, STANDARD_STA_TABLES, invertPermutation } from './ea07-tables';
import { bytes, transform } from './test-helpers';

describe('EA07 (STS-SPEC §8)', () => {
  const cipher = new Ea07Cipher(bytes('e653341f9d5bf36f'));

  it('encrypts the CTSA01 step 1 block (worked example §8.3)', () => {
    expect(transform((b) => cipher.encryptBlock(b), '05599863000119e6')).toBe('492083c0ae7ce455');
  });

  it('decrypts it back', () => {
    expect(transform((b) => cipher.decryptBlock(b), '492083c0ae7ce455')).toBe('05599863000119e6');
  });

  it('derived decryption tables equal the ones the spec lists', () => {
    expect(invertPermutation(STANDARD_STA_TABLES.sub2)).toEqual([
      12, 6, 2, 7, 13, 9, 5, 4, 1, 10, 14, 8, 0, 3, 15, 11,
    ]);
    expect(invertPermutation(STANDARD_STA_TABLES.sub1)).toEqual([
      9, 11, 6, 5, 12, 7, 14, 2, 13, 3, 1, 15, 4, 8, 0, 10,
    ]);
    expect(invertPermutation(STANDARD_STA_TABLES.perm)).toEqual([
      55, 54, 8, 25, 27, 47, 16, 26, 59, 14, 2, 51, 18, 46, 61, 52, 23, 53, 3, 37, 29, 5, 9, 42, 4,
      31, 63, 12, 45, 39, 43, 41, 28, 35, 57, 7, 17, 20, 21, 50, 48, 44, 1, 11, 6, 62, 38, 60, 40,
      36, 15, 32, 33, 22, 34, 0, 10, 56, 13, 58, 49, 19, 24, 30,
    ]);
  });

  it('takes the table set as a parameter: the IEC sample tables give the §8.4 example', () => {
    const sample = new Ea07Cipher(bytes('0abc12def3456789'), IEC_SAMPLE_STA_TABLES);
    expect(transform((b) => sample.encryptBlock(b), '0b19eb230100c207')).toBe('c45ed1619406df95');
    expect(transform((b) => sample.decryptBlock(b), 'c45ed1619406df95')).toBe('0b19eb230100c207');
  });

  it('refuses tables that are not permutations', () => {
    const broken = {
      ...STANDARD_STA_TABLES,
      sub1: [0, 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14],
    };
    expect(() => new Ea07Cipher(bytes('0abc12def3456789'), broken)).toThrow(
      expect.objectContaining({ field: 'tables' }),
    );
  });

  it('refuses a key that is not 64 bits', () => {
    expect(() => new Ea07Cipher(bytes('e653341f9d5bf3'))).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
