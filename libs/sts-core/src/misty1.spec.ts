import { Misty1Cipher } from './misty1';
import { bytes, transform } from './test-helpers';

describe('MISTY1 (RFC 2994), EA11', () => {
  const rfc = new Misty1Cipher(bytes('00112233445566778899aabbccddeeff'));

  it.each([
    ['0123456789abcdef', '8b1da5f56ab3d07c'],
    ['fedcba9876543210', '04b68240b13be95d'],
  ])('RFC 2994 known answer %s -> %s, and back', (plain, cipherText) => {
    expect(transform((b) => rfc.encryptBlock(b), plain)).toBe(cipherText);
    expect(transform((b) => rfc.decryptBlock(b), cipherText)).toBe(plain);
  });

  it('expands the RFC key to the debugging value KP', () => {
    expect(rfc.expandedKey()).toEqual([
      0xcf51, 0x8e7f, 0x5e29, 0x673a, 0xcdbc, 0x07d6, 0xbf35, 0x5e11,
    ]);
  });

  it('M-CTSA01-1: the STS key and block (§9)', () => {
    const sts = new Misty1Cipher(bytes('f94b6ed353c3bfdb113e2d3a7ea3c41d'));
    expect(sts.expandedKey()).toEqual([
      0x3971, 0x882f, 0xb34a, 0xa8c6, 0x354c, 0x5fd0, 0xac7d, 0x02e7,
    ]);
    expect(transform((b) => sts.encryptBlock(b), '0559982c00012831')).toBe('38269a8e59319817');
  });

  it('refuses a 64-bit key', () => {
    expect(() => new Misty1Cipher(bytes('e653341f9d5bf36f'))).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
