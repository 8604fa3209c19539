/** STS-SPEC §4: CRC-16/MODBUS over `class || data48`, byte-swapped into the token block. */

const TABLE = (() => {
  const table = new Uint16Array(256);
  for (let b = 0; b < 256; b++) {
    let c = b;
    for (let i = 0; i < 8; i++) c = c & 1 ? (c >>> 1) ^ 0xa001 : c >>> 1;
    table[b] = c;
  }
  return table;
})();

/** CRC-16/MODBUS register (reflected 0xA001, init 0xFFFF, no final XOR) over `bytes`. */
export function crc16Modbus(bytes: ArrayLike<number>): number {
  let c = 0xffff;
  for (let i = 0; i < bytes.length; i++) c = (c >>> 8) ^ TABLE[(c ^ bytes[i]) & 0xff];
  return c;
}

/**
 * The 16-bit CRC field of a token block, for `data48 = hi32 * 2^16 + low16`.
 * `currency` selects CRC_C (2018 edition, class 0 subclasses 4..7): a trailing `01` byte.
 */
export function tokenCrc(
  tokenClass: number,
  hi32: number,
  low16: number,
  currency = false,
): number {
  let c = 0xffff;
  c = (c >>> 8) ^ TABLE[(c ^ tokenClass) & 0xff];
  c = (c >>> 8) ^ TABLE[(c ^ (hi32 >>> 24)) & 0xff];
  c = (c >>> 8) ^ TABLE[(c ^ (hi32 >>> 16)) & 0xff];
  c = (c >>> 8) ^ TABLE[(c ^ (hi32 >>> 8)) & 0xff];
  c = (c >>> 8) ^ TABLE[(c ^ hi32) & 0xff];
  c = (c >>> 8) ^ TABLE[(c ^ (low16 >>> 8)) & 0xff];
  c = (c >>> 8) ^ TABLE[(c ^ low16) & 0xff];
  if (currency) c = (c >>> 8) ^ TABLE[(c ^ 1) & 0xff];
  return ((c & 0xff) << 8) | (c >>> 8);
}
