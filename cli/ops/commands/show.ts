/** `show <arn|name> [--all]`: a timeline by state, the failing state with error and cause, input and output. */
import { DescribeExecutionCommand } from '@aws-sdk/client-sfn';
import type { OpsContext } from '../context';
import { formatDuration, outcomeOf, prettyJson, table } from '../format';
import { history, resolveExecution } from '../state-machines';
import { foldHistory } from '../timeline';

export async function show(context: OpsContext, [reference]: readonly string[]): Promise<void> {
  if (!reference) throw new Error('show needs an execution ARN or name');
  const executionArn = await resolveExecution(context, reference);
  const described = await context.sfn.send(new DescribeExecutionCommand({ executionArn }));
  const timeline = foldHistory(await history(context, executionArn));
  const all = context.options.all === true;
  const data = {
    executionArn,
    status: described.status,
    outcome: outcomeOf(described.output),
    redriveCount: described.redriveCount ?? 0,
    states: timeline.states.map((span) => ({
      name: span.name,
      enteredAt: span.enteredAt.toISOString(),
      durationMs: span.exitedAt ? span.exitedAt.getTime() - span.enteredAt.getTime() : undefined,
      retries: Math.max(0, span.attempts - 1),
      ...(span.failed ? { failed: span.failed } : {}),
    })),
    failure:
      timeline.failure ??
      (described.error ? { state: '', error: described.error, cause: described.cause ?? '' } : undefined),
    input: described.input,
    output: described.output,
  };
  context.print(data, () =>
    [
      `${executionArn}\n${data.status}${data.outcome ? ` (outcome ${data.outcome})` : ''}, redriven ${data.redriveCount} times`,
      '',
      table(
        ['STATE', 'ENTERED', 'DURATION', 'RETRIES', 'ERROR'],
        data.states.map((span) => [
          span.name,
          span.enteredAt,
          span.durationMs === undefined ? 'running' : formatDuration(span.durationMs),
          String(span.retries),
          span.failed?.error ?? '',
        ]),
      ),
      ...(data.failure
        ? [
            '',
            `failed in ${data.failure.state || '?'}: ${data.failure.error}`,
            `cause: ${data.failure.cause}`,
          ]
        : []),
      '',
      `input:\n${prettyJson(described.input, all)}`,
      `output:\n${prettyJson(described.output, all)}`,
    ].join('\n'),
  );
}
