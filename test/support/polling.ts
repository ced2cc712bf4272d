/**
 * Waiting in tests without fixed sleeps: poll with a deadline for what must happen (`eventually`, shared with
 * the CLIs in infra/local/shared/polling.ts), and watch a short window for what must not.
 */

export { eventually } from '../../infra/local/shared/polling';

const tick = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Polls a synchronous `condition` until it holds, or fails after `timeoutMs`. */
export async function until(condition: () => boolean, what = 'condition', timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`${what}: not reached within ${timeoutMs} ms`);
    await tick(1);
  }
}

/**
 * Whether `condition` stays false for a short window: how a test shows that something (a retry not yet due,
 * a write held behind a lock) did not happen. It can only pass wrongly, if the event is slower than the
 * window, never fail wrongly.
 */
export function staysFalse(condition: () => boolean, windowMs = 150): Promise<boolean> {
  return until(condition, 'condition', windowMs).then(
    () => false,
    () => true,
  );
}
