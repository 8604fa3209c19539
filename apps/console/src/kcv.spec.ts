import { secretKeyCheckValue } from '../../../libs/hsm/src/check-value';
import { DEV_COMPONENTS } from '../../../test/helpers/key-material';
import { checkValueOf, hexBytes } from './kcv';

/** The service's own check value (libs/hsm), the reference the page must equal. */
const reference = (algorithm: 'DES' | 'AES' | 'HMAC', hex: string) =>
  secretKeyCheckValue(algorithm, Buffer.from(hex, 'hex'));

describe('check values computed in the page', () => {
  it.each([
    ['DES', DEV_COMPONENTS.des[0]],
    ['DES', DEV_COMPONENTS.des[2]],
    ['AES', DEV_COMPONENTS.aes[0]],
    ['AES', `${DEV_COMPONENTS.aes[1]}0011223344556677`],
    ['AES', DEV_COMPONENTS.hmac[0]],
    ['HMAC', DEV_COMPONENTS.hmac[1]],
    ['HMAC', 'ab'],
  ] as const)('%s %s equals the service', async (algorithm, hex) => {
    const bytes = hexBytes(hex);
    expect(bytes).toBeDefined();
    expect(await checkValueOf(algorithm, bytes ?? new Uint8Array())).toBe(
      reference(algorithm, hex),
    );
  });

  it('pins the DES check value of a known key (E_K(0^64) of 0123456789abcdef)', async () => {
    expect(await checkValueOf('DES', hexBytes('0123456789abcdef') ?? new Uint8Array())).toBe(
      'd5d44f',
    );
  });

  it('refuses components of the wrong length for the algorithm', async () => {
    await expect(checkValueOf('DES', new Uint8Array(16))).rejects.toThrow(/8 bytes/);
    await expect(checkValueOf('AES', new Uint8Array(8))).rejects.toThrow(/16, 24 or 32/);
    await expect(checkValueOf('HMAC', new Uint8Array(0))).rejects.toThrow(/at least 1 byte/);
  });

  it('reads only whole bytes of hex', () => {
    expect(hexBytes(' 0aFF ')).toEqual(new Uint8Array([0x0a, 0xff]));
    expect(hexBytes('abc')).toBeUndefined();
    expect(hexBytes('zz')).toBeUndefined();
    expect(hexBytes('')).toBeUndefined();
  });
});
