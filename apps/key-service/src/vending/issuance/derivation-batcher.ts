import type { DerivationInput } from '@sts/core';
import { HsmError, type KeyCustody } from '@sts/hsm';

interface Waiter {
  readonly input: DerivationInput;
  readonly resolve: (key: Uint8Array) => void;
  readonly reject: (error: unknown) => void;
}

/** Most derivations in one token call. */
export const DERIVATION_BATCH_MAX = 64;

/**
 * Decoder-key derivations asked for in the same turn of the event loop, one token call per
 * vending key (`deriveDecoderKeys`) instead of one per request: in the token, most of a
 * derivation's cost is the per-call setup (a cipher context, the key share), not the block.
 *
 * - Calls are gathered until the event loop's check phase (`setImmediate`): the requests read in
 *   one poll phase share a call, and a lone request waits for nothing but the end of that phase.
 * - Each caller receives its own key, which it zeroes (as from `deriveDecoderKey`).
 * - When a batched call fails for the whole token (unavailable, not logged in), every caller gets
 *   that error. When it fails otherwise, every input is derived again on its own, so that an input
 *   the token refuses fails its own caller only.
 */
export class DerivationBatcher {
  private pending = new Map<string, Waiter[]>();
  private scheduled = false;

  constructor(
    private readonly custody: Pick<KeyCustody, 'deriveDecoderKey' | 'deriveDecoderKeys'>,
    private readonly maxBatch = DERIVATION_BATCH_MAX,
  ) {}

  derive(vendingKeyLabel: string, input: DerivationInput): Promise<Uint8Array> {
    return new Promise<Uint8Array>((resolve, reject) => {
      const waiters = this.pending.get(vendingKeyLabel);
      if (waiters) waiters.push({ input, resolve, reject });
      else this.pending.set(vendingKeyLabel, [{ input, resolve, reject }]);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => this.flush());
      }
    });
  }

  private flush(): void {
    const batches = this.pending;
    this.pending = new Map();
    this.scheduled = false;
    for (const [label, waiters] of batches) {
      for (let i = 0; i < waiters.length; i += this.maxBatch) {
        void this.run(label, waiters.slice(i, i + this.maxBatch));
      }
    }
  }

  private async run(label: string, waiters: readonly Waiter[]): Promise<void> {
    if (waiters.length > 1) {
      let keys: Uint8Array[] | undefined;
      try {
        keys = await this.custody.deriveDecoderKeys(
          label,
          waiters.map((w) => w.input),
        );
      } catch (error) {
        if (tokenWide(error)) {
          for (const w of waiters) w.reject(error);
          return;
        }
        keys = undefined; // each input again on its own, below
      }
      if (keys && keys.length === waiters.length) {
        waiters.forEach((w, i) => w.resolve(keys[i]));
        return;
      }
      keys?.forEach((k) => k.fill(0));
    }
    for (const w of waiters) {
      this.custody.deriveDecoderKey(label, w.input).then(w.resolve, w.reject);
    }
  }
}

/** A failure that any call to the token would meet now, whatever its input. */
function tokenWide(error: unknown): boolean {
  return (
    error instanceof HsmError &&
    (error.code === 'UNAVAILABLE' || error.code === 'AUTHENTICATION_FAILED')
  );
}
