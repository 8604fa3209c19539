import { crc16Modbus, tokenCrc } from './crc';

describe('CRC (STS-SPEC §4)', () => {
  it('is CRC-16/MODBUS: check value of "123456789" is 0x4B37', () => {
    expect(crc16Modbus(Buffer.from('123456789'))).toBe(0x4b37);
  });

  it.each([
    [0, 0x0b19eb23, 0x0100, 0xc207], // IEC example block 0b19eb230100c207
    [0, 0x05599863, 0x0001, 0x19e6], // CTSA01 step 1
    [1, 0x0fffffff, 0xff00, 0x5eff], // class 1, CTSA02-1
    [0, 0x004a2d90, 0x0ff2, 0x0ffa],
  ])('class %i data %s/%s gives the byte-swapped field %s', (cls, hi, low, crc) => {
    expect(tokenCrc(cls, hi, low)).toBe(crc);
  });

  it('register before the swap matches the table (07c2 for the IEC example)', () => {
    expect(crc16Modbus([0x00, 0x0b, 0x19, 0xeb, 0x23, 0x01, 0x00])).toBe(0x07c2);
  });

  it('CRC_C appends 01: 4065f0d4dff6 gives c645 where the standard CRC gives f286', () => {
    expect(tokenCrc(0, 0x4065f0d4, 0xdff6, true)).toBe(0xc645);
    expect(tokenCrc(0, 0x4065f0d4, 0xdff6, false)).toBe(0xf286);
  });
});
