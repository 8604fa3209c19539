import { Clock } from './clock';
import { ExpiringCache } from './expiring-cache';

/** A clock the test moves by hand. */
class ManualClock extends Clock {
  private ms = Date.parse('2026-12-02T10:00:00Z');
  override now(): Date {
    return new Date(this.ms);
  }
  advance(ms: number): void {
    this.ms += ms;
  }
}

/** A load the test settles by hand, counting how often it was started. */
function manualLoads<V>() {
  const pending: { resolve: (v: V) => void; reject: (e: unknown) => void }[] = [];
  let started = 0;
  return {
    load: () =>
      new Promise<V>((resolve, reject) => {
        started += 1;
        pending.push({ resolve, reject });
      }),
    resolve: (i: number, v: V) => pending[i].resolve(v),
    reject: (i: number, e: unknown) => pending[i].reject(e),
    get started() {
      return started;
    },
  };
}

describe('ExpiringCache', () => {
  let clock: ManualClock;
  beforeEach(() => (clock = new ManualClock()));

  it('reuses a value for ttlMs after its load started, then loads again', async () => {
    const cache = new ExpiringCache<string, number>({ clock, ttlMs: 1000 });
    let loads = 0;
    const load = () => Promise.resolve(++loads);
    expect(await cache.get('a', load)).toBe(1);
    clock.advance(999);
    expect(await cache.get('a', load)).toBe(1);
    expect(cache.peek('a')).toBe(1);
    clock.advance(1);
    expect(cache.peek('a')).toBeUndefined();
    expect(await cache.get('a', load)).toBe(2);
    expect(await cache.get('b', load)).toBe(3);
  });

  it('shares one load among concurrent misses of a key', async () => {
    const cache = new ExpiringCache<string, string>({ clock, ttlMs: 1000 });
    const loads = manualLoads<string>();
    const callers = Array.from({ length: 16 }, () => cache.get('k', loads.load));
    expect(loads.started).toBe(1);
    loads.resolve(0, 'row');
    expect(await Promise.all(callers)).toEqual(Array(16).fill('row'));
    expect(await cache.get('k', loads.load)).toBe('row');
    expect(loads.started).toBe(1);
  });

  it('gives every caller of a failed load its error and keeps nothing', async () => {
    const cache = new ExpiringCache<string, string>({ clock, ttlMs: 1000 });
    const loads = manualLoads<string>();
    const callers = [cache.get('k', loads.load), cache.get('k', loads.load)];
    loads.reject(0, new Error('database unavailable'));
    for (const c of callers) await expect(c).rejects.toThrow('database unavailable');
    const again = cache.get('k', loads.load);
    expect(loads.started).toBe(2);
    loads.resolve(1, 'row');
    expect(await again).toBe('row');
  });

  it('never hands a value read before a delete or clear to a caller after it, nor keeps it', async () => {
    for (const forget of [
      (c: ExpiringCache<string, string>) => c.delete('k'),
      (c: ExpiringCache<string, string>) => c.clear(),
    ]) {
      const cache = new ExpiringCache<string, string>({ clock, ttlMs: 1000 });
      const loads = manualLoads<string>();
      const before = cache.get('k', loads.load);
      forget(cache);
      const after = cache.get('k', loads.load);
      expect(loads.started).toBe(2);
      loads.resolve(0, 'old');
      loads.resolve(1, 'new');
      expect(await before).toBe('old');
      expect(await after).toBe('new');
      expect(cache.peek('k')).toBe('new');
    }
  });

  it('reload reads again whatever is kept, and later callers share it', async () => {
    const cache = new ExpiringCache<string, string>({ clock, ttlMs: 1000 });
    const loads = manualLoads<string>();
    const first = cache.get('k', loads.load);
    loads.resolve(0, 'v1');
    await first;
    const fresh = cache.reload('k', loads.load);
    const joined = cache.get('k', loads.load);
    expect(cache.peek('k')).toBe('v1');
    expect(loads.started).toBe(2);
    loads.resolve(1, 'v2');
    expect(await fresh).toBe('v2');
    expect(await joined).toBe('v1'); // still kept when it asked
    expect(cache.peek('k')).toBe('v2');
  });

  it('keeps only the values `keep` accepts, and one refused drops the kept one', async () => {
    const cache = new ExpiringCache<string, string | null>({
      clock,
      ttlMs: 1000,
      keep: (v) => v !== null,
    });
    expect(await cache.get('k', () => Promise.resolve('row'))).toBe('row');
    expect(await cache.reload('k', () => Promise.resolve(null))).toBeNull();
    expect(cache.peek('k')).toBeUndefined();
    expect(await cache.get('k', () => Promise.resolve(null))).toBeNull();
    expect(cache.peek('k')).toBeUndefined();
  });

  it('with ttlMs 0 keeps nothing and shares no load', async () => {
    const cache = new ExpiringCache<string, number>({ clock, ttlMs: 0 });
    let loads = 0;
    const load = () => Promise.resolve(++loads);
    expect(await Promise.all([cache.get('k', load), cache.get('k', load)])).toEqual([1, 2]);
    expect(cache.peek('k')).toBeUndefined();
  });

  it('empties itself when full', async () => {
    const cache = new ExpiringCache<number, number>({ clock, ttlMs: 1000, maxEntries: 3 });
    for (const k of [1, 2, 3]) await cache.get(k, () => Promise.resolve(k));
    expect([1, 2, 3].map((k) => cache.peek(k))).toEqual([1, 2, 3]);
    await cache.get(4, () => Promise.resolve(4));
    expect([1, 2, 3, 4].map((k) => cache.peek(k))).toEqual([undefined, undefined, undefined, 4]);
  });
});
