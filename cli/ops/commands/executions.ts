/** `executions [--machine NAME] [--status FAILED] [--since 24h]`: a table, newest first, with each OUTCOME. */
import { DescribeExecutionCommand, type ExecutionStatus } from '@aws-sdk/client-sfn';
import type { OpsContext } from '../context';
import { mapBounded, outcomeOf, table } from '../format';
import { listExecutions, machines } from '../state-machines';

export async function executions(context: OpsContext): Promise<void> {
  const status = context.options.status?.toUpperCase() as ExecutionStatus | undefined;
  const listed = (
    await mapBounded(await machines(context), 4, async (machine) =>
      (
        await listExecutions(context, machine.arn, status, context.since())
      ).map((execution) => ({
        machine: machine.name,
        execution,
      })),
    )
  ).flat();
  const rows = await mapBounded(listed, 8, async ({ machine, execution }) => {
    // The list has no output; the outcome is in it.
    const described = await context.sfn.send(
      new DescribeExecutionCommand({ executionArn: execution.executionArn }),
    );
    return {
      machine,
      name: execution.name ?? '',
      arn: execution.executionArn ?? '',
      status: execution.status ?? '',
      outcome: outcomeOf(described.output),
      startDate: execution.startDate?.toISOString() ?? '',
      stopDate: execution.stopDate?.toISOString() ?? '',
      redriveCount: described.redriveCount ?? 0,
    };
  });
  rows.sort((a, b) => b.startDate.localeCompare(a.startDate));
  context.print(rows, () =>
    table(
      ['MACHINE', 'NAME', 'STATUS', 'OUTCOME', 'STARTED', 'STOPPED'],
      rows.map((row) => [row.machine, row.name, row.status, row.outcome, row.startDate, row.stopDate]),
    ),
  );
}
