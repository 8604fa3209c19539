import { createCipheriv } from 'node:crypto';
import {
  aesCheckValue,
  decoderKeyCheckValue,
  desCheckValue,
  hmacCheckValue,
  kcvEquals,
  parseKcv,
  tdes2CheckValue,
} from '@sts/hsm';

const hex = (text: string) => Uint8Array.from(Buffer.from(text, 'hex'));

describe('check values', () => {
  it('gives D5D44F for the DES key 0123456789ABCDEF (a known answer)', () => {
    expect(desCheckValue(hex('0123456789abcdef'))).toBe('d5d44f');
    expect(decoderKeyCheckValue(hex('0123456789abcdef'))).toBe('d5d44f');
  });

  it('treats K||K as single DES, so a DES2 key built from K has the same value', () => {
    expect(tdes2CheckValue(hex('0123456789abcdef0123456789abcdef'))).toBe('d5d44f');
  });

  it('computes AES check values as AES_K(0^128)', () => {
    const key = hex('000102030405060708090a0b0c0d0e0f');
    const cipher = createCipheriv('aes-128-ecb', key, null).setAutoPadding(false);
    const block = Buffer.concat([cipher.update(Buffer.alloc(16)), cipher.final()]);
    expect(aesCheckValue(key)).toBe(block.subarray(0, 3).toString('hex'));
    // FIPS 197 C.1 key encrypting zero: a known value.
    expect(aesCheckValue(key)).toBe('c6a13b');
  });

  it('computes HMAC check values over 8 zero bytes; zero padding to 32 bytes keeps them', () => {
    const key = hex('abababababababab949494949494949401234567');
    const padded = new Uint8Array(32);
    padded.set(key);
    expect(hmacCheckValue(key)).toBe(hmacCheckValue(padded));
    expect(hmacCheckValue(key)).toMatch(/^[0-9a-f]{6}$/);
  });

  it('parses entered check values case-insensitively and refuses malformed ones', () => {
    expect(parseKcv('D5D44F')).toBe('d5d44f');
    for (const bad of ['d5d44', 'd5d44f0', 'xyzxyz', 42, undefined]) {
      expect(() => parseKcv(bad)).toThrow(expect.objectContaining({ code: 'INVALID_INPUT' }));
    }
    expect(kcvEquals('d5d44f', 'd5d44f')).toBe(true);
    expect(kcvEquals('d5d44f', 'd5d440')).toBe(false);
  });

  it('refuses keys of the wrong length', () => {
    expect(() => desCheckValue(new Uint8Array(16))).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => decoderKeyCheckValue(new Uint8Array(12))).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
