/** `tail [--interval 2s] [--for 1m] [--until-idle 10s]`: new executions and status changes, a line each. */
import { type ExecutionListItem, ListExecutionsCommand } from '@aws-sdk/client-sfn';
import type { OpsContext } from '../context';
import { parseDuration } from '../format';
import { type Machine, machines } from '../state-machines';

/** Only the newest page per machine is polled: a new execution or a change lands there first. */
const NEWEST = 100;

export async function tail(context: OpsContext): Promise<void> {
  const { options } = context;
  const interval = parseDuration(options.interval ?? '2s');
  const stopAt = options.for ? Date.now() + parseDuration(options.for) : Number.POSITIVE_INFINITY;
  const idle = options['until-idle'] ? parseDuration(options['until-idle']) : undefined;
  let stop: () => void = () => {};
  const stopped = new Promise<void>((resolve) => {
    stop = resolve;
  });
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const)
    process.once(signal, () => {
      stopping = true;
      stop();
    });

  const known = new Map<string, string>();
  const poll = async (report: boolean) => {
    let changed = false;
    const found = await machines(context);
    for (const machine of found)
      for (const execution of await newest(context, machine)) {
        const arn = execution.executionArn ?? '';
        const status = execution.status ?? '';
        if (known.get(arn) === status) continue;
        known.set(arn, status);
        changed = true;
        if (report) printChange(context, machine, execution);
      }
    return { changed, machines: found.length };
  };

  // What exists already is the baseline, not news.
  const baseline = await poll(false);
  context.progress(
    `following ${baseline.machines} state machines every ${options.interval ?? '2s'} (Ctrl-C stops)`,
  );
  let lastChange = Date.now();
  while (!stopping && Date.now() < stopAt && (idle === undefined || Date.now() - lastChange < idle)) {
    await Promise.race([stopped, new Promise((resolve) => setTimeout(resolve, interval))]);
    if (stopping) break;
    if ((await poll(true)).changed) lastChange = Date.now();
  }
}

async function newest(context: OpsContext, machine: Machine): Promise<ExecutionListItem[]> {
  const page = await context.sfn.send(
    new ListExecutionsCommand({ stateMachineArn: machine.arn, maxResults: NEWEST }),
  );
  return page.executions ?? [];
}

function printChange(context: OpsContext, machine: Machine, execution: ExecutionListItem): void {
  const change = {
    at: (execution.stopDate ?? execution.startDate)?.toISOString() ?? '',
    machine: machine.name,
    name: execution.name ?? '',
    arn: execution.executionArn ?? '',
    status: execution.status ?? '',
  };
  console.log(
    context.json
      ? JSON.stringify(change)
      : `${change.at}  ${change.machine}  ${change.name}  ${change.status}`,
  );
}
