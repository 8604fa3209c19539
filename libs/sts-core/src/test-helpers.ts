/** Shared helpers for this library's tests (not exported from the package). */
import { bytesToBlock, blockToBytes } from './des';

export const bytes = (hex: string): Uint8Array => Uint8Array.from(Buffer.from(hex, 'hex'));
export const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Runs an in-place block transform on hex text. */
export function transform(fn: (block: Uint32Array) => void, blockHex: string): string {
  const block = bytesToBlock(bytes(blockHex));
  fn(block);
  return hex(blockToBytes(block));
}
