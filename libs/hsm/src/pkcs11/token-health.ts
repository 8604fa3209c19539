import type { TokenLatency, TokenState, TokenStateChange } from '../key-custody.port';

/** How many recent call durations the latency figures cover. */
const LATENCY_WINDOW = 512;

/**
 * The state of one token connection as its calls see it: available until a call meets a device
 * fault, unavailable until a reconnection succeeds. Reports each transition once to each
 * listener (with the outage's length on the way back), and keeps a sliding window of call
 * durations.
 */
export class TokenHealth {
  #state: TokenState = 'available';
  #since: number;
  #lastFault: string | undefined;
  #reconnections = 0;
  readonly #durations = new Float64Array(LATENCY_WINDOW);
  #recorded = 0;
  readonly #listeners = new Set<(change: TokenStateChange) => void>();

  constructor(
    listener: ((change: TokenStateChange) => void) | undefined,
    private readonly now: () => number = Date.now,
  ) {
    this.#since = now();
    if (listener !== undefined) this.#listeners.add(listener);
  }

  /** Adds a listener of state changes; the returned function removes it. */
  subscribe(listener: (change: TokenStateChange) => void): () => void {
    const own = (change: TokenStateChange): void => listener(change);
    this.#listeners.add(own);
    return () => {
      this.#listeners.delete(own);
    };
  }

  get state(): TokenState {
    return this.#state;
  }

  get since(): Date {
    return new Date(this.#since);
  }

  get lastFault(): string | undefined {
    return this.#lastFault;
  }

  get reconnections(): number {
    return this.#reconnections;
  }

  /** A call met a device fault: the token is unavailable from now (reported once). */
  fault(reason: string): void {
    this.#lastFault = reason;
    if (this.#state === 'unavailable') return;
    this.#state = 'unavailable';
    this.#since = this.now();
    this.#emit({ state: 'unavailable', at: new Date(this.#since), reason });
  }

  /** A reconnection succeeded: available again (reported once, with the outage's length). */
  recovered(): void {
    this.#reconnections += 1;
    if (this.#state === 'available') return;
    const at = this.now();
    const unavailableForMs = at - this.#since;
    this.#state = 'available';
    this.#since = at;
    this.#emit({ state: 'available', at: new Date(at), unavailableForMs });
  }

  /** Records how long one completed token call took. */
  recordDuration(ms: number): void {
    this.#durations[this.#recorded % LATENCY_WINDOW] = ms;
    this.#recorded += 1;
  }

  latency(): TokenLatency {
    const samples = Math.min(this.#recorded, LATENCY_WINDOW);
    if (samples === 0) return { samples, p50Ms: null, p99Ms: null, maxMs: null };
    const sorted = Float64Array.from(this.#durations.subarray(0, samples)).sort();
    const at = (q: number): number =>
      round(sorted[Math.min(samples - 1, Math.ceil(q * samples) - 1)]);
    return { samples, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: round(sorted[samples - 1]) };
  }

  #emit(change: TokenStateChange): void {
    for (const listener of this.#listeners) {
      try {
        listener(change);
      } catch {
        // A failing listener must not turn a token call into a failure.
      }
    }
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
