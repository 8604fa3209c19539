import { createCipheriv, randomBytes } from 'node:crypto';
import fc from 'fast-check';
import { DesCipher, desEncryptBlock } from './des';
import { bytes, hex, transform } from './test-helpers';

/** Single DES through node:crypto: two-key triple DES with K||K (no legacy provider needed). */
function nodeDes(key: Uint8Array, block: Uint8Array): string {
  const c = createCipheriv('des-ede-ecb', Buffer.concat([key, key]), null);
  c.setAutoPadding(false);
  return c.update(block).toString('hex');
}

describe('DES (FIPS 46-3), pure TypeScript', () => {
  it.each([
    ['0123456789abcdef', '0123456789abcde7', 'c95744256a5ed31d'],
    ['0123456789abcdef', '4e6f772069732074', '3fa40e8a984d4815'],
  ])('known answer: key %s block %s', (key, block, out) => {
    expect(hex(desEncryptBlock(bytes(key), bytes(block)))).toBe(out);
  });

  it('equals node:crypto des-ede-ecb with K||K, and decrypts back, for random keys and blocks', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        fc.uint8Array({ minLength: 8, maxLength: 8 }),
        (key, block) => {
          const out = hex(desEncryptBlock(key, block));
          expect(out).toBe(nodeDes(key, block));
          const cipher = new DesCipher(key);
          expect(transform((b) => cipher.decryptBlock(b), out)).toBe(hex(block));
        },
      ),
      { numRuns: 500 },
    );
  });

  it('ignores parity bits, as DES does', () => {
    const key = randomBytes(8);
    const flipped = key.map((b) => b ^ 1);
    expect(hex(desEncryptBlock(key, bytes('0000000000000000')))).toBe(
      hex(desEncryptBlock(flipped, bytes('0000000000000000'))),
    );
  });
});
