/** `failures [--since 24h]`: failed executions grouped by machine, failing state and error. */
import type { OpsContext } from '../context';
import { groupFailures, mapBounded, table } from '../format';
import { failedExecutions, history } from '../state-machines';
import { foldHistory } from '../timeline';

export async function failures(context: OpsContext): Promise<void> {
  const failed = await failedExecutions(context, context.since('24h'));
  const detailed = await mapBounded(failed, 8, async ({ machine, arn }) => {
    const failure = foldHistory(await history(context, arn)).failure;
    return { machine, arn, state: failure?.state ?? '', error: failure?.error ?? '' };
  });
  const groups = groupFailures(detailed);
  context.print(groups, () =>
    table(
      ['MACHINE', 'STATE', 'ERROR', 'COUNT', 'EXAMPLE'],
      groups.map((group) => [group.machine, group.state, group.error, String(group.count), group.example]),
    ),
  );
}
