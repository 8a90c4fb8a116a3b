/**
 * Token buckets keyed by peer. A bucket holds up to `burst` tokens and refills at `perSecond`; a
 * take that finds too few tokens fails and takes nothing. Buckets are refilled lazily, on use, so an
 * idle peer costs no timer.
 */
export type RateLimit = {
  /** Sustained rate, in tokens (messages, requests or blocks) per second. */
  perSecond: number;
  /** The most tokens a peer can spend at once. */
  burst: number;
};

type Bucket = { tokens: number; atMs: number };

/** Past this many buckets, full (idle) ones are dropped before a new one is added. */
const PRUNE_AT_BUCKETS = 4096;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();

  constructor(
    readonly limit: RateLimit,
    private readonly nowMs: () => number = Date.now,
  ) {
    if (!(limit.perSecond > 0) || !(limit.burst >= 1)) {
      throw new RangeError(`Invalid rate limit ${JSON.stringify(limit)}: perSecond > 0 and burst >= 1 are required`);
    }
  }

  /** Spend `cost` tokens of `key`'s bucket; false (and nothing spent) when it holds fewer. */
  take(key: string, cost = 1): boolean {
    const now = this.nowMs();
    let bucket = this.buckets.get(key);
    if (!bucket) {
      if (this.buckets.size >= PRUNE_AT_BUCKETS) this.prune(now);
      bucket = { tokens: this.limit.burst, atMs: now };
      this.buckets.set(key, bucket);
    } else {
      const refill = ((now - bucket.atMs) / 1000) * this.limit.perSecond;
      bucket.tokens = Math.min(this.limit.burst, bucket.tokens + refill);
      bucket.atMs = now;
    }
    if (bucket.tokens < cost) return false;
    bucket.tokens -= cost;
    return true;
  }

  /** Drop buckets that have refilled completely: they behave exactly like a new one. */
  private prune(now: number): void {
    const fullAfterMs = (this.limit.burst / this.limit.perSecond) * 1000;
    for (const [key, b] of this.buckets) if (now - b.atMs >= fullAfterMs) this.buckets.delete(key);
  }
}
