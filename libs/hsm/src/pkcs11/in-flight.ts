import { HsmError } from '../key-custody.port';

/**
 * Bounds the token calls of one process that are in flight at once (sized for the HSM's
 * session limit). `acquire` waits in arrival order for a free place, at most `timeoutMs`; the
 * returned release function frees it (idempotent).
 */
export class InFlightLimit {
  #inFlight = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(readonly max: number) {
    if (!Number.isInteger(max) || max < 1) {
      throw new HsmError('INVALID_INPUT', 'maxInFlight: must be a positive integer');
    }
  }

  get inFlight(): number {
    return this.#inFlight;
  }

  acquire(operation: string, timeoutMs: number): Promise<() => void> {
    if (this.#inFlight < this.max) {
      this.#inFlight += 1;
      return Promise.resolve(this.#releaser());
    }
    return new Promise((resolve, reject) => {
      const grant = (): void => {
        clearTimeout(timer);
        this.#inFlight += 1;
        resolve(this.#releaser());
      };
      const timer = setTimeout(() => {
        const index = this.#waiting.indexOf(grant);
        if (index >= 0) this.#waiting.splice(index, 1);
        reject(
          new HsmError(
            'UNAVAILABLE',
            `${operation}: no token session free within ${timeoutMs} ms (${this.max} in flight)`,
          ),
        );
      }, timeoutMs);
      this.#waiting.push(grant);
    });
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.#inFlight -= 1;
      this.#waiting.shift()?.();
    };
  }
}
