import type { TokenStateChange } from '../key-custody.port';
import { TokenHealth } from './token-health';

describe('TokenHealth', () => {
  let now = 1_000;
  const clock = () => now;

  it('reports each transition once, with the outage length on the way back', () => {
    const changes: TokenStateChange[] = [];
    const health = new TokenHealth((c) => changes.push(c), clock);
    health.recovered(); // a reconnection while available reports nothing
    expect(changes).toEqual([]);
    health.fault('sign: CKR_DEVICE_ERROR');
    now += 250;
    health.fault('sign: CKR_DEVICE_ERROR');
    health.fault('derive: no answer within 400 ms');
    expect(changes).toEqual([
      { state: 'unavailable', at: new Date(1_000), reason: 'sign: CKR_DEVICE_ERROR' },
    ]);
    expect(health.lastFault).toBe('derive: no answer within 400 ms');
    now += 750;
    health.recovered();
    expect(changes[1]).toEqual({
      state: 'available',
      at: new Date(2_000),
      unavailableForMs: 1_000,
    });
    expect(health.state).toBe('available');
    expect(health.reconnections).toBe(2);
  });

  it('keeps working when the listener throws', () => {
    const health = new TokenHealth(() => {
      throw new Error('listener failed');
    }, clock);
    expect(() => health.fault('x')).not.toThrow();
    expect(health.state).toBe('unavailable');
  });

  it('tells every subscriber, a throwing one included, until it unsubscribes', () => {
    const first: string[] = [];
    const second: string[] = [];
    const health = new TokenHealth(undefined, clock);
    const stopFirst = health.subscribe((c) => first.push(c.state));
    health.subscribe(() => {
      throw new Error('listener failed');
    });
    health.subscribe((c) => second.push(c.state));
    health.fault('sign: CKR_DEVICE_ERROR');
    stopFirst();
    health.recovered();
    expect(first).toEqual(['unavailable']);
    expect(second).toEqual(['unavailable', 'available']);
  });

  it('gives p50, p99 and max of the recent call durations, none before the first', () => {
    const health = new TokenHealth(undefined, clock);
    expect(health.latency()).toEqual({ samples: 0, p50Ms: null, p99Ms: null, maxMs: null });
    for (let ms = 1; ms <= 100; ms++) health.recordDuration(ms);
    expect(health.latency()).toEqual({ samples: 100, p50Ms: 50, p99Ms: 99, maxMs: 100 });
  });

  it('forgets durations older than its window', () => {
    const health = new TokenHealth(undefined, clock);
    health.recordDuration(10_000);
    for (let i = 0; i < 600; i++) health.recordDuration(1);
    expect(health.latency()).toMatchObject({ samples: 512, maxMs: 1 });
  });
});
