import type { Clock } from './clock';

export interface ExpiringCacheOptions<V> {
  /** How long a loaded value is reused (ms); 0 keeps nothing and shares no load. */
  readonly ttlMs: number;
  /** Most values kept; the cache is emptied when it is full. */
  readonly maxEntries?: number;
  /** Whether a loaded value is kept (default: every value); a value not kept drops the old one. */
  readonly keep?: (value: V) => boolean;
  /** What ages the values (default: the system clock). */
  readonly clock?: Pick<Clock, 'now'>;
}

/**
 * Rows read from the database and reused briefly by one service process.
 *
 * - A loaded value is reused for at most `ttlMs`.
 * - Concurrent misses for one key share one load. Without that, every request waiting when an
 *   entry expires under load would read the same row at once.
 * - A failed load is not kept: each of its callers gets its error.
 * - `delete` and `clear` also detach the loads in flight, so a caller that comes after a change
 *   never gets a value read before it, and such a value is not kept.
 */
export class ExpiringCache<K, V> {
  private readonly entries = new Map<K, { readonly value: V; readonly until: number }>();
  private readonly loading = new Map<K, Promise<V>>();
  private readonly maxEntries: number;
  private readonly now: () => number;

  constructor(private readonly options: ExpiringCacheOptions<V>) {
    this.maxEntries = options.maxEntries ?? 10_000;
    const clock = options.clock;
    this.now = clock ? () => clock.now().getTime() : Date.now;
  }

  /** The kept value of `key` if it is not older than `ttlMs`. */
  peek(key: K): V | undefined {
    const hit = this.entries.get(key);
    return hit && hit.until > this.now() ? hit.value : undefined;
  }

  /** The kept value, else the load in flight for `key`, else a new load. */
  async get(key: K, load: () => Promise<V>): Promise<V> {
    const hit = this.peek(key);
    if (hit !== undefined) return hit;
    return this.loading.get(key) ?? this.start(key, load);
  }

  /** A new load whatever is kept or in flight (a fresh read); kept like any other. */
  reload(key: K, load: () => Promise<V>): Promise<V> {
    return this.start(key, load);
  }

  delete(key: K): void {
    this.entries.delete(key);
    this.loading.delete(key);
  }

  clear(): void {
    this.entries.clear();
    this.loading.clear();
  }

  private start(key: K, load: () => Promise<V>): Promise<V> {
    if (this.options.ttlMs <= 0) return load();
    const started = this.now();
    const loaded = load().then(
      (value) => {
        if (this.loading.get(key) === loaded) {
          this.loading.delete(key);
          this.store(key, value, started);
        }
        return value;
      },
      (error: unknown) => {
        if (this.loading.get(key) === loaded) this.loading.delete(key);
        throw error;
      },
    );
    this.loading.set(key, loaded);
    return loaded;
  }

  /** Keeps `value` until `ttlMs` after its load started (what it can be older than). */
  private store(key: K, value: V, started: number): void {
    if (this.options.keep && !this.options.keep(value)) {
      this.entries.delete(key);
      return;
    }
    if (this.entries.size >= this.maxEntries) this.entries.clear();
    this.entries.set(key, { value, until: started + this.options.ttlMs });
  }
}
