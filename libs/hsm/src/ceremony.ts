import { HsmError } from './key-custody.port';

/**
 * The part of the key-component ceremony that both adapters share: which stored
 * components make a complete set, and how they combine.
 */

/** A stored component as an adapter knows it (the value is only present while combining). */
export interface ComponentSlot<T> {
  readonly index: number;
  readonly algorithm: string;
  readonly length: number;
  readonly payload: T;
}

/**
 * Returns components 1..count in order; INVALID_INPUT when one is missing, when there are more
 * than `count`, or when their algorithms or lengths differ.
 */
export function completeComponentSet<T>(
  stored: readonly ComponentSlot<T>[],
  count: number,
): ComponentSlot<T>[] {
  const ordered: ComponentSlot<T>[] = [];
  for (let i = 1; i <= count; i++) {
    const slot = stored.find((s) => s.index === i);
    if (slot === undefined) throw new HsmError('INVALID_INPUT', `component ${i} is missing`);
    ordered.push(slot);
  }
  if (stored.length !== count) {
    throw new HsmError('INVALID_INPUT', `ceremony has ${stored.length} components, not ${count}`);
  }
  const first = ordered[0];
  if (ordered.some((s) => s.algorithm !== first.algorithm || s.length !== first.length)) {
    throw new HsmError('INVALID_INPUT', 'components differ in algorithm or length');
  }
  return ordered;
}

/** XOR of equal-length components: the combined key (key-component ceremony). */
export function xorComponents(parts: readonly Uint8Array[]): Buffer {
  if (parts.length === 0 || parts.some((p) => p.length !== parts[0].length)) {
    throw new HsmError('INVALID_INPUT', 'components must be non-empty and of equal length');
  }
  const out = Buffer.alloc(parts[0].length);
  for (const part of parts) for (let i = 0; i < out.length; i++) out[i] ^= part[i];
  return out;
}
