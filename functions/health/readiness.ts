/** The readiness use case: probe every dependency in parallel; ready only when all of them answer. */
export interface Dependency {
  readonly name: string;
  readonly probe: () => Promise<void>;
}

export interface ReadinessReport {
  readonly ready: boolean;
  readonly checks: Record<string, 'ok' | string>;
}

export async function checkReadiness(dependencies: readonly Dependency[]): Promise<ReadinessReport> {
  const outcomes = await Promise.allSettled(dependencies.map((dependency) => dependency.probe()));
  const checks: Record<string, string> = {};
  dependencies.forEach((dependency, index) => {
    const outcome = outcomes[index];
    checks[dependency.name] =
      outcome?.status === 'fulfilled' ? 'ok' : `unavailable: ${(outcome?.reason as Error | undefined)?.name}`;
  });
  return { ready: Object.values(checks).every((check) => check === 'ok'), checks };
}
