/** `redrive <arn|name>` or `redrive --failed [--since 1h]`, with `--dry-run`: RedriveExecution and a summary. */
import { DescribeExecutionCommand, RedriveExecutionCommand } from '@aws-sdk/client-sfn';
import type { OpsContext } from '../context';
import { table } from '../format';
import { failedExecutions, resolveExecution } from '../state-machines';

type Result = 'redriven' | 'would redrive' | 'not redrivable';

export async function redrive(context: OpsContext, [reference]: readonly string[]): Promise<void> {
  const { failed, 'dry-run': dryRun } = context.options;
  if (!failed && !reference) throw new Error('redrive needs an execution ARN or name, or --failed');
  const targets = failed
    ? (await failedExecutions(context, context.since('1h'))).map((execution) => execution.arn)
    : [await resolveExecution(context, reference ?? '')];
  const results: { executionArn: string; result: Result; reason?: string }[] = [];
  for (const [index, executionArn] of targets.entries()) {
    context.progress(`[${index + 1}/${targets.length}] ${executionArn}`);
    const described = await context.sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (described.redriveStatus && described.redriveStatus !== 'REDRIVABLE') {
      results.push({
        executionArn,
        result: 'not redrivable',
        reason: described.redriveStatusReason ?? described.redriveStatus,
      });
    } else if (dryRun) {
      results.push({ executionArn, result: 'would redrive' });
    } else {
      try {
        await context.sfn.send(new RedriveExecutionCommand({ executionArn }));
        results.push({ executionArn, result: 'redriven' });
      } catch (error) {
        results.push({ executionArn, result: 'not redrivable', reason: (error as Error).message });
      }
    }
  }
  const count = (result: Result) => results.filter((entry) => entry.result === result).length;
  const summary = {
    redriven: count('redriven'),
    wouldRedrive: count('would redrive'),
    notRedrivable: count('not redrivable'),
  };
  context.print({ summary, results }, () =>
    [
      table(
        ['EXECUTION', 'RESULT', 'REASON'],
        results.map((entry) => [entry.executionArn, entry.result, entry.reason ?? '']),
      ),
      `${summary.redriven} redriven, ${summary.wouldRedrive} would be (dry run), ${summary.notRedrivable} not redrivable`,
    ].join('\n'),
  );
}
