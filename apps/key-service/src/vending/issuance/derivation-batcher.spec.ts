import type { DerivationInput } from '@sts/core';
import { HsmError, type KeyCustody } from '@sts/hsm';
import { DerivationBatcher } from './derivation-batcher';

/** A DerivationInput whose "key" the fake custody answers as [label byte, krn]. */
const input = (krn: number): DerivationInput => ({ krn }) as unknown as DerivationInput;

function fakeCustody(options: { refuseKrn?: number; down?: boolean } = {}) {
  const calls: { method: 'one' | 'many'; label: string; krns: number[] }[] = [];
  const keyFor = (label: string, i: DerivationInput) => {
    if (options.down) throw new HsmError('UNAVAILABLE', 'token unavailable');
    if (i.krn === options.refuseKrn) throw new Error(`refused ${i.krn}`);
    return Uint8Array.from([label.charCodeAt(0), i.krn]);
  };
  const custody: Pick<KeyCustody, 'deriveDecoderKey' | 'deriveDecoderKeys'> = {
    deriveDecoderKey: (label, i) => {
      calls.push({ method: 'one', label, krns: [i.krn] });
      return new Promise((resolve) => resolve(keyFor(label, i)));
    },
    deriveDecoderKeys: (label, inputs) => {
      calls.push({ method: 'many', label, krns: inputs.map((i) => i.krn) });
      return new Promise<Uint8Array[]>((resolve) => resolve(inputs.map((i) => keyFor(label, i))));
    },
  };
  return { custody, calls };
}

const settle = (promises: Promise<Uint8Array>[]) =>
  Promise.allSettled(promises).then((results) =>
    results.map((r) => (r.status === 'fulfilled' ? [...r.value] : String(r.reason))),
  );

describe('DerivationBatcher', () => {
  it('derives the calls of one turn in one token call per vending key, each its own key', async () => {
    const { custody, calls } = fakeCustody();
    const batcher = new DerivationBatcher(custody);
    const got = await settle([
      batcher.derive('a', input(1)),
      batcher.derive('b', input(2)),
      batcher.derive('a', input(3)),
    ]);
    expect(got).toEqual([
      [97, 1],
      [98, 2],
      [97, 3],
    ]);
    expect(calls).toEqual([
      { method: 'many', label: 'a', krns: [1, 3] },
      { method: 'one', label: 'b', krns: [2] },
    ]);
  });

  it('starts a new batch for calls made after the previous one was sent', async () => {
    const { custody, calls } = fakeCustody();
    const batcher = new DerivationBatcher(custody);
    await batcher.derive('a', input(1));
    await settle([batcher.derive('a', input(2)), batcher.derive('a', input(3))]);
    expect(calls.map((c) => c.krns)).toEqual([[1], [2, 3]]);
  });

  it('splits a turn into batches of at most maxBatch', async () => {
    const { custody, calls } = fakeCustody();
    const batcher = new DerivationBatcher(custody, 2);
    const got = await settle([1, 2, 3, 4, 5].map((k) => batcher.derive('a', input(k))));
    expect(got.map((k) => k[1])).toEqual([1, 2, 3, 4, 5]);
    expect(calls.map((c) => c.krns)).toEqual([[1, 2], [3, 4], [5]]);
  });

  it('fails only the caller whose input the token refuses', async () => {
    const { custody, calls } = fakeCustody({ refuseKrn: 2 });
    const batcher = new DerivationBatcher(custody);
    const got = await settle([1, 2, 3].map((k) => batcher.derive('a', input(k))));
    expect(got).toEqual([[97, 1], 'Error: refused 2', [97, 3]]);
    expect(calls.map((c) => c.method)).toEqual(['many', 'one', 'one', 'one']);
  });

  it('fails every caller with the token error, once, when the token is unavailable', async () => {
    const { custody, calls } = fakeCustody({ down: true });
    const batcher = new DerivationBatcher(custody);
    const got = await settle([1, 2].map((k) => batcher.derive('a', input(k))));
    expect(got).toEqual(['HsmError: token unavailable', 'HsmError: token unavailable']);
    expect(calls.map((c) => c.method)).toEqual(['many']);
  });
});
