/**
 * Per-client token buckets for request rate limiting. The map of clients is bounded: idle buckets
 * (refilled to full) are swept, and past `maxClients` the oldest entry is evicted.
 */

/** Enough distinct addresses for a busy public node; each bucket is ~100 bytes. */
export const MAX_RATE_LIMITED_CLIENTS = 65_536;

type Bucket = { tokens: number; lastMs: number };

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;

  constructor(
    requestsPerSecond: number,
    private readonly burst: number,
    private readonly maxClients: number = MAX_RATE_LIMITED_CLIENTS,
  ) {
    this.perMs = requestsPerSecond / 1000;
  }

  get size(): number {
    return this.buckets.size;
  }

  /** True if the client has at least one token (a cheap check before reading a request body). */
  hasToken(key: string, nowMs: number = Date.now()): boolean {
    const b = this.buckets.get(key);
    if (b === undefined) return true;
    return b.tokens + (nowMs - b.lastMs) * this.perMs >= 1;
  }

  /**
   * Take `cost` tokens. Returns 0 when allowed, otherwise the milliseconds until they will be
   * available (nothing is taken then). A cost above the burst needs a full bucket and drains it.
   */
  take(key: string, cost: number, nowMs: number = Date.now()): number {
    const need = Math.min(cost, this.burst);
    let b = this.buckets.get(key);
    if (b === undefined) {
      if (this.buckets.size >= this.maxClients) this.makeRoom(nowMs);
      b = { tokens: this.burst, lastMs: nowMs };
      this.buckets.set(key, b);
    } else if (nowMs > b.lastMs) {
      const refilled = b.tokens + (nowMs - b.lastMs) * this.perMs;
      b.tokens = Math.min(refilled, this.burst);
      b.lastMs = nowMs;
    }
    if (b.tokens >= need) {
      b.tokens -= need;
      return 0;
    }
    return Math.max(1, Math.ceil((need - b.tokens) / this.perMs));
  }

  /** Drop the buckets that have refilled to full: forgetting them changes nothing. */
  sweep(nowMs: number = Date.now()): void {
    for (const [key, b] of this.buckets) {
      if (b.tokens + (nowMs - b.lastMs) * this.perMs >= this.burst) this.buckets.delete(key);
    }
  }

  clear(): void {
    this.buckets.clear();
  }

  private makeRoom(nowMs: number): void {
    this.sweep(nowMs);
    // Still full: evict the oldest-inserted client. It may be active, which only resets its bucket.
    if (this.buckets.size >= this.maxClients) {
      const oldest = this.buckets.keys().next();
      if (!oldest.done) this.buckets.delete(oldest.value);
    }
  }
}
