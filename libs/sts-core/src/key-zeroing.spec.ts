// Key material held in memory is zeroed as soon as it is no longer needed (STYLE: "zero buffers
// you own that held key material"). These tests watch the buffers the code creates: the DES
// output and the parity-adjusted key of DKGA02, the HMAC output of DKGA04, and the key an EA07
// cipher keeps between blocks.
import type * as NodeCrypto from 'node:crypto';
import { createCipher } from './cipher';
import type * as Des from './des';
import { dkga02, dkga04, parseDerivationInput } from './dkga';
import { Ea07Cipher } from './ea07';
import { bytes, hex, transform } from './test-helpers';

const mockDesOutputs: Uint8Array[] = [];
jest.mock('./des', () => {
  const actual = jest.requireActual<typeof Des>('./des');
  return {
    ...actual,
    desEncryptBlock: (key: Uint8Array, data: Uint8Array) => {
      const out = actual.desEncryptBlock(key, data);
      mockDesOutputs.push(out);
      return out;
    },
  };
});

const mockMacOutputs: Buffer[] = [];
jest.mock('node:crypto', () => {
  const actual = jest.requireActual<typeof NodeCrypto>('node:crypto');
  return {
    ...actual,
    createHmac: (...args: Parameters<typeof actual.createHmac>) => {
      const hmac = actual.createHmac(...args);
      const digest = hmac.digest.bind(hmac) as () => Buffer;
      return Object.assign(hmac, {
        digest: () => {
          const out = digest();
          mockMacOutputs.push(out);
          return out;
        },
      });
    },
  };
});

const isZero = (b: Uint8Array) => b.every((x) => x === 0);

const input02 = parseDerivationInput({
  dkga: '02',
  iin: '600727',
  drn: '47500150231',
  keyType: 0,
  sgc: '000046',
  tariffIndex: '01',
  krn: 1,
});
const input04 = (ea: '07' | '11') =>
  parseDerivationInput({
    dkga: '04',
    iin: '600727',
    drn: '00000000000',
    keyType: 2,
    sgc: '123457',
    tariffIndex: '01',
    krn: 1,
    baseDate: 1993,
    ea,
  });

beforeEach(() => {
  mockDesOutputs.length = 0;
  mockMacOutputs.length = 0;
});

describe('DKGA02 zeroes what it derived the key from', () => {
  it('zeroes the DES output and leaves the caller’s vending key as it was', () => {
    const vk = bytes('0abc12def3456789');
    expect(hex(dkga02(vk, input02))).toBe('eb4ad6d9e42e59f7');
    expect(mockDesOutputs).toHaveLength(1);
    expect(isZero(mockDesOutputs[0])).toBe(true);
    expect(hex(vk)).toBe('0abc12def3456789');
  });

  it('zeroes the parity-adjusted copy of the vending key (made with map), not the caller’s key', () => {
    const vk = bytes('0abc12def3456789');
    const map = jest.spyOn(Uint8Array.prototype, 'map');
    const { results, contexts } = map.mock;
    let dk: Uint8Array;
    try {
      dk = dkga02(vk, input02, { parityAdjustedXor: true });
    } finally {
      map.mockRestore();
    }
    expect(hex(dk)).toBe('ea4ad7d8e52e59f7');
    const copies = results.filter((_, i) => contexts[i] === vk);
    expect(copies).toHaveLength(1);
    expect(hex(copies[0].value as Uint8Array)).toBe('0000000000000000');
    expect(isZero(mockDesOutputs[0])).toBe(true);
    expect(hex(vk)).toBe('0abc12def3456789');
  });
});

describe('DKGA04 zeroes the HMAC output', () => {
  it.each([
    ['07', 8],
    ['11', 16],
  ] as const)('EA%s: returns %i bytes of the MAC and zeroes all 32', (ea, length) => {
    const vk = bytes('abababababababab949494949494949401234567');
    const dk = dkga04(vk, input04(ea));
    expect(mockMacOutputs).toHaveLength(1);
    const mac = mockMacOutputs[0];
    expect(mac).toHaveLength(32);
    expect(isZero(mac)).toBe(true);
    expect(isZero(dk)).toBe(false);
    expect(dk).toHaveLength(length);
    expect(hex(vk)).toBe('abababababababab949494949494949401234567');
  });
});

describe('EA07 dispose()', () => {
  const KEY_A = bytes('0123456789abcdef');
  const KEY_B = bytes('fedcba9876543210');
  const BLOCK = '0b19eb230100c207';

  it('leaves nothing of the key: two disposed ciphers of different keys agree', () => {
    const a = new Ea07Cipher(KEY_A);
    const b = new Ea07Cipher(KEY_B);
    const beforeA = transform((x) => a.encryptBlock(x), BLOCK);
    expect(transform((x) => b.encryptBlock(x), BLOCK)).not.toBe(beforeA);
    a.dispose();
    b.dispose();
    expect(transform((x) => a.encryptBlock(x), BLOCK)).not.toBe(beforeA);
    expect(transform((x) => a.encryptBlock(x), BLOCK)).toBe(
      transform((x) => b.encryptBlock(x), BLOCK),
    );
    expect(transform((x) => a.decryptBlock(x), BLOCK)).toBe(
      transform((x) => b.decryptBlock(x), BLOCK),
    );
  });

  it.each([
    ['high half', '0123456700000000', 'fedcba9800000000'],
    ['low half', '0000000089abcdef', '0000000076543210'],
  ])('forgets the %s of the key for encryption and decryption', (_half, k1, k2) => {
    const a = new Ea07Cipher(bytes(k1));
    const b = new Ea07Cipher(bytes(k2));
    a.dispose();
    b.dispose();
    expect(transform((x) => a.encryptBlock(x), BLOCK)).toBe(
      transform((x) => b.encryptBlock(x), BLOCK),
    );
    expect(transform((x) => a.decryptBlock(x), BLOCK)).toBe(
      transform((x) => b.decryptBlock(x), BLOCK),
    );
  });

  it('through createCipher too, which leaves a caller’s key bytes alone', () => {
    const key = Uint8Array.from(KEY_A);
    const a = createCipher('07', key);
    const b = createCipher('07', KEY_B);
    a.dispose();
    b.dispose();
    expect(hex(key)).toBe('0123456789abcdef');
    expect(transform((x) => a.encryptBlock(x), BLOCK)).toBe(
      transform((x) => b.encryptBlock(x), BLOCK),
    );
  });
});
