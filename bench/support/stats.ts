/** What the benchmarks compute and print alike: percentiles of samples, the time an action takes, sizes. */

/** The sample at `fraction` of the way through the sorted samples (nearest rank); NaN when there are none. */
export function percentile(samples: readonly number[], fraction: number): number {
  const sorted = [...samples].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * fraction))] ?? Number.NaN;
}

export const median = (samples: readonly number[]): number => percentile(samples, 0.5);

/** Milliseconds `action` took. */
export async function timed(action: () => Promise<unknown>): Promise<number> {
  const started = performance.now();
  await action();
  return performance.now() - started;
}

export const ms = (value: number, digits = 1): string => `${value.toFixed(digits)} ms`;

export const megabytes = (bytes: number, digits: number): string =>
  `${(bytes / 1024 / 1024).toFixed(digits)} MB`;
