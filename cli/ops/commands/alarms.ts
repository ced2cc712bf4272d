/** `alarms`: CloudWatch alarms and their state; says so plainly where CloudWatch is not emulated. */
import { CloudWatchClient, paginateDescribeAlarms } from '@aws-sdk/client-cloudwatch';
import type { OpsContext } from '../context';
import { table } from '../format';

export async function alarms(context: OpsContext): Promise<void> {
  const rows: { name: string; state: string; reason: string }[] = [];
  try {
    for await (const page of paginateDescribeAlarms({ client: new CloudWatchClient({}) }, {}))
      for (const alarm of page.MetricAlarms ?? [])
        rows.push({
          name: alarm.AlarmName ?? '',
          state: alarm.StateValue ?? '',
          reason: alarm.StateReason ?? '',
        });
  } catch (error) {
    const endpoint = process.env.AWS_ENDPOINT_URL;
    if (!endpoint) throw error;
    // The local edge does not emulate CloudWatch (its alarms are skipped at deploy): not an operator's failure.
    const note = `CloudWatch alarms are not available at ${endpoint} (${(error as Error).message}); on AWS, run without AWS_ENDPOINT_URL`;
    context.print({ alarms: [], note }, () => note);
    return;
  }
  context.print(rows, () =>
    table(
      ['ALARM', 'STATE', 'REASON'],
      rows.map((row) => [row.name, row.state, row.reason]),
    ),
  );
}
