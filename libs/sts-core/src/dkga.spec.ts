import { createHmac } from 'node:crypto';
import { desEncryptBlock } from './des';
import {
  controlBlock,
  derivedKeyBytes,
  dkga02,
  dkga02Input,
  dkga04,
  dkga04Message,
  oddParity,
  panBlock,
  parseDerivationInput,
} from './dkga';
import { parseMeterId } from './meter-id';
import { bytes, hex } from './test-helpers';

const meterA = { iin: '600727', drn: '00000000000' };
const meterB = { iin: '0000', drn: '0100000000008' };
const base02 = { dkga: '02', keyType: 2, sgc: '123456', tariffIndex: '01', krn: 1 };
const base04 = {
  dkga: '04',
  keyType: 2,
  sgc: '123457',
  tariffIndex: '01',
  krn: 1,
  baseDate: 1993,
  ea: '07',
};
const VK04 = bytes('abababababababab949494949494949401234567');

describe('DKGA common blocks (STS-SPEC §12.1)', () => {
  it('PAN block is the last 16 digits of IIN || DRN', () => {
    expect(hex(panBlock(parseMeterId(meterA.iin, meterA.drn), 2))).toBe('0072700000000000');
    expect(hex(panBlock(parseMeterId(meterB.iin, meterB.drn), 2))).toBe('0000100000000008');
  });

  it('zeroes the DRN for KT 3', () => {
    expect(hex(panBlock(parseMeterId('600727', '12123456787'), 3))).toBe('0072700000000000');
  });

  it('control block KT || SGC || TI || KRN || FFFFFF', () => {
    expect(hex(controlBlock({ keyType: 2, sgc: '123456', tariffIndex: '01', krn: 1 }))).toBe(
      '2123456011ffffff',
    );
  });
});

describe('DKGA02 (STS-SPEC §12.2)', () => {
  it.each([
    ['abababababababab', meterA, {}, 'e653341f9d5bf36f'],
    ['abababababababab', meterB, {}, 'e94023262e9993c2'],
    ['abababababababab', meterA, { tariffIndex: '02' }, '060b8643c59a27f1'],
    ['9494949494949494', meterA, { sgc: '888888' }, '2a6184f983c10ea5'],
  ])('VUDK %s -> %s', (vk, meter, extra, dk) => {
    expect(hex(dkga02(bytes(vk), parseDerivationInput({ ...base02, ...meter, ...extra })))).toBe(
      dk,
    );
  });

  it.each([
    ['A', 'abababababababab', meterA, {}, '2151356011ffffff', '6ca9aad4270fa73b'],
    ['B', 'abababababababab', meterB, {}, '2123556011fffff7', '63c8dded94cdc79e'],
    [
      'TI 02',
      'abababababababab',
      meterA,
      { tariffIndex: '02' },
      '2151356021ffffff',
      '8cf118884fce73a5',
    ],
    [
      'SGC 888888',
      '9494949494949494',
      meterA,
      { sgc: '888888' },
      '28faf88011ffffff',
      '960fe8ed06aa65ce',
    ],
  ])('case %s: X = %s... and DES_VUDK(X) as the table shows', (_case, vk, meter, extra, x, des) => {
    const input = parseDerivationInput({ ...base02, ...meter, ...extra });
    expect(hex(dkga02Input(input))).toBe(x);
    expect(hex(desEncryptBlock(bytes(vk), bytes(x)))).toBe(des);
  });

  it('the control blocks of the table (§12.1)', () => {
    expect(hex(controlBlock({ keyType: 2, sgc: '123456', tariffIndex: '02', krn: 1 }))).toBe(
      '2123456021ffffff',
    );
    expect(hex(controlBlock({ keyType: 2, sgc: '888888', tariffIndex: '01', krn: 1 }))).toBe(
      '2888888011ffffff',
    );
    expect(hex(controlBlock({ keyType: 0, sgc: '000046', tariffIndex: '01', krn: 1 }))).toBe(
      '0000046011ffffff',
    );
  });

  it('raw VUDK by default, parity-adjusted XOR as an option (§14 #2 example)', () => {
    // PAN block 0072747500150231, control block 0000046011FFFFFF.
    const input = parseDerivationInput({
      dkga: '02',
      iin: '600727',
      drn: '47500150231',
      keyType: 0,
      sgc: '000046',
      tariffIndex: '01',
      krn: 1,
    });
    const vk = bytes('0abc12def3456789');
    expect(hex(oddParity(vk))).toBe('0bbc13dff2456789');
    expect(hex(dkga02(vk, input))).toBe('eb4ad6d9e42e59f7');
    expect(hex(dkga02(vk, input, { parityAdjustedXor: true }))).toBe('ea4ad7d8e52e59f7');
  });

  it('refuses a vending key that is not 64 bits', () => {
    expect(() => dkga02(VK04, parseDerivationInput({ ...base02, ...meterA }))).toThrow(
      expect.objectContaining({ field: 'vendingKey' }),
    );
  });
});

describe('DKGA04 (STS-SPEC §12.3)', () => {
  it('builds the 49-byte message of the first example', () => {
    const msg = dkga04Message(parseDerivationInput({ ...base04, ...meterA }));
    expect(msg).toHaveLength(49);
    expect(hex(msg)).toBe(
      '04' +
        '023034' +
        '023933' +
        '023037' +
        '023031' +
        '00' +
        '04' +
        '06313233343537' +
        '0132' +
        '0131' +
        '12363030373237303030303030303030303039' +
        '00000040',
    );
  });

  it.each([
    [{}, '023037', '00000040', 'aa4baa8749c10d2738c95969717327daa112abe9f2db351e2c66cc042a8e7650'],
    [
      { ea: '11' },
      '023131',
      '00000080',
      'f94b6ed353c3bfdb113e2d3a7ea3c41df3797b0f9cca5a5cf632a31f91d88854',
    ],
  ])('the full HMAC of the examples (%o)', (extra, eaItem, length, mac) => {
    const msg = dkga04Message(parseDerivationInput({ ...base04, ...meterA, ...extra }));
    expect(hex(msg.subarray(7, 10))).toBe(eaItem);
    expect(hex(msg.subarray(45))).toBe(length);
    expect(createHmac('sha256', VK04).update(msg).digest('hex')).toBe(mac);
  });

  it('meter B puts its 18-digit PAN 000001000000000082 in the context', () => {
    const msg = dkga04Message(parseDerivationInput({ ...base04, ...meterB, ea: '11' }));
    expect(hex(msg.subarray(26, 45))).toBe('12303030303031303030303030303030303832');
  });

  it.each([
    [1993, '023933'],
    [2014, '023134'],
    [2035, '023335'],
  ])('base date %i is the item %s', (baseDate, item) => {
    const msg = dkga04Message(parseDerivationInput({ ...base04, ...meterA, baseDate }));
    expect(hex(msg.subarray(4, 7))).toBe(item);
  });

  it.each([
    [{ ...meterA }, 'aa4baa8749c10d27'],
    [{ ...meterA, ea: '11' }, 'f94b6ed353c3bfdb113e2d3a7ea3c41d'],
    [{ ...meterA, baseDate: 2014, krn: 4 }, '9dc0722c29a6cc0c'],
    [{ ...meterA, baseDate: 2035, krn: 5 }, 'b08205e074afc5d6'],
    [{ ...meterB, ea: '11' }, '290e2626f5a0d106aad1aab6411589df'],
  ])('%o -> %s', (extra, dk) => {
    expect(hex(dkga04(VK04, parseDerivationInput({ ...base04, ...extra })))).toBe(dk);
  });

  it('accepts any non-empty vending key length (§14 #4) and refuses an empty one', () => {
    const input = parseDerivationInput({ ...base04, ...meterA });
    expect(dkga04(bytes('01'), input)).toHaveLength(8);
    expect(() => dkga04(new Uint8Array(0), input)).toThrow(
      expect.objectContaining({ field: 'vendingKey' }),
    );
  });
});

describe('derivation input validation', () => {
  it.each([
    [{ ...base02, ...meterA, dkga: '01' }, 'UNSUPPORTED', 'dkga'],
    [{ ...base02, ...meterA, dkga: '05' }, 'INVALID_INPUT', 'dkga'],
    [{ ...base02, ...meterA, ea: '11' }, 'UNSUPPORTED_COMBINATION', 'ea'],
    [{ ...base04, ...meterA, ea: '09' }, 'UNSUPPORTED_COMBINATION', 'ea'],
    [{ ...base04, ...meterA, keyType: 3 }, 'UNSUPPORTED_COMBINATION', 'keyType'],
    [{ ...base04, ...meterA, baseDate: 2000 }, 'INVALID_INPUT', 'baseDate'],
    [{ ...base02, ...meterA, sgc: '12345' }, 'INVALID_INPUT', 'sgc'],
    [{ ...base02, ...meterA, sgc: 123456 }, 'INVALID_INPUT', 'sgc'],
    [{ ...base02, ...meterA, krn: 0 }, 'INVALID_INPUT', 'krn'],
    [{ ...base02, ...meterA, krn: 10 }, 'INVALID_INPUT', 'krn'],
    [{ ...base02, ...meterA, keyType: 4 }, 'INVALID_INPUT', 'keyType'],
    [{ ...base02, ...meterA, keyType: -1 }, 'INVALID_INPUT', 'keyType'],
    [{ ...base02, ...meterA, tariffIndex: '100' }, 'INVALID_INPUT', 'tariffIndex'],
    [{ ...base02, ...meterA, tariffIndex: 100 }, 'INVALID_INPUT', 'tariffIndex'],
    [{ ...base02, ...meterA, drn: '00000000001' }, 'INVALID_INPUT', 'drn'],
  ])('%o is refused with %s naming %s', (fields, code, field) => {
    expect(() => parseDerivationInput(fields)).toThrow(expect.objectContaining({ code, field }));
  });
});

describe('derivation inputs that never reach the algorithms', () => {
  const input02 = () => parseDerivationInput({ ...base02, ...meterA });

  it('makes 16-byte keys only for DKGA04 with EA11', () => {
    expect(derivedKeyBytes(parseDerivationInput({ ...base04, ...meterA, ea: '11' }))).toBe(16);
    expect(derivedKeyBytes(parseDerivationInput({ ...base04, ...meterA }))).toBe(8);
    expect(derivedKeyBytes({ ...input02(), ea: '11' })).toBe(8);
  });

  it('refuses a DKGA04 message for an input without dkga 04, a base date or an EA', () => {
    const full = parseDerivationInput({ ...base04, ...meterA });
    for (const input of [
      { ...full, dkga: '02' as const },
      { ...full, baseDate: undefined },
      { ...full, ea: undefined },
    ]) {
      expect(() => dkga04Message(input)).toThrow(
        expect.objectContaining({ code: 'INVALID_INPUT', field: 'dkga' }),
      );
    }
  });

  it('names the block that is not hex digits, and an empty DKGA04 vending key', () => {
    expect(() => panBlock({ iin: '60072x', drn: '00000000000' }, 2)).toThrow(
      expect.objectContaining({ field: 'pan' }),
    );
    expect(() => controlBlock({ keyType: 2, sgc: '12345x', tariffIndex: '01', krn: 1 })).toThrow(
      expect.objectContaining({ field: 'control' }),
    );
    expect(() => dkga04(new Uint8Array(0), parseDerivationInput({ ...base04, ...meterA }))).toThrow(
      expect.objectContaining({ code: 'INVALID_INPUT', field: 'vendingKey' }),
    );
  });

  it('sets odd parity on every byte value', () => {
    const all = Uint8Array.from({ length: 256 }, (_, i) => i);
    oddParity(all).forEach((b, i) => {
      const ones = b
        .toString(2)
        .split('')
        .filter((bit) => bit === '1').length;
      expect(ones % 2).toBe(1);
      expect(b >>> 1).toBe(i >>> 1);
    });
  });
});
