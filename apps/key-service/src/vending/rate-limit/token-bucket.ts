/**
 * A token bucket: `burst` tokens, refilled continuously at `ratePerSecond`. Time is passed in
 * (milliseconds, monotonic), so the arithmetic is exact and testable without sleeping.
 */
export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    readonly ratePerSecond: number,
    readonly burst: number,
    nowMs: number,
  ) {
    if (!(ratePerSecond > 0) || !Number.isFinite(ratePerSecond)) {
      throw new RangeError('ratePerSecond must be a positive number');
    }
    if (!Number.isInteger(burst) || burst < 1) throw new RangeError('burst must be >= 1');
    this.tokens = burst;
    this.updatedAt = nowMs;
  }

  /**
   * Takes one token. Returns 0 when granted, otherwise the milliseconds until one is available
   * (the caller answers 429 with that as `Retry-After`).
   */
  take(nowMs: number): number {
    this.refill(nowMs);
    if (this.tokens >= 1) {
      this.tokens -= 1;
      return 0;
    }
    return Math.ceil(((1 - this.tokens) * 1000) / this.ratePerSecond);
  }

  /** Tokens available now (for tests and metrics). */
  available(nowMs: number): number {
    this.refill(nowMs);
    return this.tokens;
  }

  private refill(nowMs: number): void {
    const elapsed = nowMs - this.updatedAt;
    if (elapsed > 0) {
      this.tokens = Math.min(this.burst, this.tokens + (elapsed * this.ratePerSecond) / 1000);
      this.updatedAt = nowMs;
    }
  }
}

/** Buckets by client, created on first use with that client's rate; bounded in size. */
export class RateLimiter {
  private readonly buckets = new Map<string, TokenBucket>();

  constructor(private readonly maxClients = 10_000) {}

  /** 0 when the request may proceed, else milliseconds to wait. */
  take(clientId: string, ratePerSecond: number, burst: number, nowMs: number): number {
    let bucket = this.buckets.get(clientId);
    if (!bucket || bucket.ratePerSecond !== ratePerSecond || bucket.burst !== burst) {
      if (!bucket && this.buckets.size >= this.maxClients) {
        const oldest = this.buckets.keys().next().value;
        if (oldest !== undefined) this.buckets.delete(oldest);
      }
      bucket = new TokenBucket(ratePerSecond, burst, nowMs);
      this.buckets.set(clientId, bucket);
    }
    return bucket.take(nowMs);
  }
}
