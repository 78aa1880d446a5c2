/**
 * A token bucket per credential, per process. With N API processes a credential can reach
 * N × the rate; that bound is documented rather than paid for with a database round trip.
 */
export function createRateLimiter(perSecond: number, burst: number, now: () => number = Date.now) {
  const buckets = new Map<string, { tokens: number; at: number }>();
  return function take(key: string): { ok: true } | { ok: false; retryAfterSeconds: number } {
    const t = now();
    const b = buckets.get(key) ?? { tokens: burst, at: t };
    b.tokens = Math.min(burst, b.tokens + ((t - b.at) / 1000) * perSecond);
    b.at = t;
    if (buckets.size > 50_000) buckets.clear();
    buckets.set(key, b);
    if (b.tokens >= 1) {
      b.tokens -= 1;
      return { ok: true };
    }
    return { ok: false, retryAfterSeconds: Math.max(1, Math.ceil((1 - b.tokens) / perSecond)) };
  };
}
