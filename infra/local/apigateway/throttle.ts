/**
 * Token buckets, one per API, stage and route, as API Gateway throttles: a bucket holds up to `burstLimit`
 * tokens, refills at `rateLimit` per second on the shared clock, and each request takes one token.
 * Routes without configured limits are not throttled (AWS's account-level 10,000 rps is out of reach locally).
 */
import type { Clock } from '../clock';
import type { Stage, ThrottleLimits } from './model';

interface Bucket {
  tokens: number;
  updatedAt: number;
}

export class Throttler {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly clock: Clock) {}

  /**
   * Takes a token; when there is none, the whole seconds until the bucket holds one again (the request is
   * answered 429 with that Retry-After).
   */
  take(
    key: string,
    limits: ThrottleLimits,
  ): { readonly taken: true } | { readonly taken: false; readonly retryAfterSeconds: number } {
    const now = this.clock.now();
    const bucket = this.buckets.get(key) ?? { tokens: limits.burstLimit, updatedAt: now };
    const refilled = ((now - bucket.updatedAt) / 1000) * limits.rateLimit;
    bucket.tokens = Math.min(limits.burstLimit, bucket.tokens + (Number.isNaN(refilled) ? 0 : refilled));
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) {
      const seconds = limits.rateLimit > 0 ? Math.ceil((1 - bucket.tokens) / limits.rateLimit) : 1;
      return { taken: false, retryAfterSeconds: Math.max(1, seconds) };
    }
    bucket.tokens -= 1;
    return { taken: true };
  }
}

/** The most specific rule of the stage for a route: exact route key, then `* /path` (REST), then `*`. */
export function limitsFor(stage: Stage, routeKey: string): ThrottleLimits | undefined {
  const path = routeKey.slice(routeKey.indexOf(' ') + 1);
  const candidates = [routeKey, `* ${path}`, '*'];
  for (const candidate of candidates) {
    const rule = stage.throttles.find((throttle) => throttle.routeKey === candidate);
    if (rule) return rule.limits;
  }
  return undefined;
}
