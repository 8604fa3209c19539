import { RateLimiter, TokenBucket } from './token-bucket';

describe('TokenBucket', () => {
  it('grants the burst at once, then refuses with the wait until the next token', () => {
    const b = new TokenBucket(10, 3, 0);
    expect([b.take(0), b.take(0), b.take(0)]).toEqual([0, 0, 0]);
    expect(b.take(0)).toBe(100);
    expect(b.take(50)).toBe(50);
    expect(b.take(100)).toBe(0);
    expect(b.take(100)).toBe(100);
  });

  it('refills continuously but never above the burst', () => {
    const b = new TokenBucket(2, 4, 0);
    for (let i = 0; i < 4; i++) b.take(0);
    expect(b.available(1000)).toBeCloseTo(2);
    expect(b.available(60_000)).toBe(4);
  });

  it('ignores a clock that goes backwards', () => {
    const b = new TokenBucket(1, 1, 1000);
    expect(b.take(1000)).toBe(0);
    expect(b.take(500)).toBe(1000);
  });

  it('refuses nonsensical parameters', () => {
    expect(() => new TokenBucket(0, 1, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 0, 0)).toThrow(RangeError);
    expect(() => new TokenBucket(1, 1.5, 0)).toThrow(RangeError);
  });
});

describe('RateLimiter', () => {
  it('keeps one bucket per client', () => {
    const r = new RateLimiter();
    expect(r.take('a', 1, 1, 0)).toBe(0);
    expect(r.take('a', 1, 1, 0)).toBe(1000);
    expect(r.take('b', 1, 1, 0)).toBe(0);
  });

  it('starts a fresh bucket when the client profile changes its rate', () => {
    const r = new RateLimiter();
    expect(r.take('a', 1, 1, 0)).toBe(0);
    expect(r.take('a', 5, 2, 0)).toBe(0);
    expect(r.take('a', 5, 2, 0)).toBe(0);
    expect(r.take('a', 5, 2, 0)).toBe(200);
  });

  it('evicts the oldest client beyond its capacity', () => {
    const r = new RateLimiter(2);
    r.take('a', 1, 1, 0);
    r.take('b', 1, 1, 0);
    r.take('c', 1, 1, 0);
    expect(r.take('a', 1, 1, 0)).toBe(0);
  });
});
