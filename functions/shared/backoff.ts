/**
 * Retry timing shared by every function-side retry loop (PutEvents entries, Send API calls): exponential
 * backoff with full jitter, the sleep and the randomness injectable so tests need no real waiting.
 */
export interface RetryTiming {
  /** Attempts, the first included. */
  readonly maxAttempts?: number;
  readonly baseDelayMs?: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly random?: () => number;
}

export const realSleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** How long to wait before attempt `attempt` (1-based): nothing before the first, then up to base × 2^(n-2). */
export function backoffDelayMs(attempt: number, baseDelayMs: number, random: () => number): number {
  return attempt > 1 ? Math.floor(random() * baseDelayMs * 2 ** (attempt - 2)) : 0;
}
