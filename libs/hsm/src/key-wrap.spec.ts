import { randomBytes } from 'node:crypto';
import { aesKeyUnwrapPad, aesKeyWrapPad } from '@sts/hsm';

const hex = (text: string) => Uint8Array.from(Buffer.from(text, 'hex'));
const KEK = hex('5840df6e29b02af1ab493b705bf16ea1ae8338f4dcc176a8');

describe('RFC 5649 key wrap with padding (node:crypto)', () => {
  it.each([
    // RFC 5649 §6, both examples.
    [
      'c37b7e6492584340bed12207808941155068f738',
      '138bdeaa9b8fa7fc61f97742e72248ee5ae6ae5360d1ae6a5f54f373fa543b6a',
    ],
    ['466f7250617369', 'afbeb0f07dfbf5419200f2ccb50bb24f'],
    // The PKCS#11 self-test's wrap known answer (a 16-byte key, the shape of exported keys).
    ['00112233445566778899aabbccddeeff', '3d5096111d227d3c97f6a8d619ccf2ee7912eebeb1b41e43'],
  ])('wraps %s to the known answer and back', (key, wrapped) => {
    expect(Buffer.from(aesKeyWrapPad(KEK, hex(key))).toString('hex')).toBe(wrapped);
    expect(Buffer.from(aesKeyUnwrapPad(KEK, hex(wrapped))).toString('hex')).toBe(key);
  });

  it('refuses any tampering with one INVALID_INPUT', () => {
    const kek = randomBytes(32);
    const wrapped = aesKeyWrapPad(kek, randomBytes(8));
    for (let i = 0; i < wrapped.length; i++) {
      const tampered = Uint8Array.from(wrapped);
      tampered[i] ^= 0x80;
      expect(() => aesKeyUnwrapPad(kek, tampered)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT' }),
      );
    }
    expect(() => aesKeyUnwrapPad(randomBytes(32), wrapped)).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
    expect(() => aesKeyUnwrapPad(kek, wrapped.subarray(0, 8))).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT' }),
    );
  });
});
