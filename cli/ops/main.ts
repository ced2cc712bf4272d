/**
 * `npm run ops -- <command>`: operate the state machines and dead-letter queues. Clients take only the
 * standard AWS settings (AWS_ENDPOINT_URL, AWS_REGION, AWS_PROFILE), so it runs unchanged on AWS and on
 * the local edge (`AWS_ENDPOINT_URL=http://localhost:4566`).
 */
import { parseArgs } from 'node:util';
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  DescribeExecutionCommand,
  type ExecutionListItem,
  type ExecutionStatus,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  RedriveExecutionCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  type Message,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import {
  formatDuration,
  groupFailures,
  isDlqName,
  mapBounded,
  outcomeOf,
  parseDuration,
  prettyJson,
  table,
} from './format';
import { foldHistory } from './timeline';

const USAGE = `usage: npm run ops -- <command> [options] [--json]
  executions [--machine NAME] [--status FAILED] [--since 24h]   executions with STATUS and OUTCOME
  show <arn|name> [--all]                                      timeline, failing state, input and output
  failures [--since 24h]                                       failures grouped by machine, state and error
  redrive <arn> | redrive --failed [--since 1h] [--dry-run]    redrive failed executions
  dlq | dlq peek <queue> | dlq replay <queue> [--dry-run]      dead-letter queues
  tail [--interval 2s] [--for 1m] [--until-idle 10s]           follow new executions and status changes
  alarms                                                       CloudWatch alarms and their state`;

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    json: { type: 'boolean' },
    machine: { type: 'string' },
    status: { type: 'string' },
    since: { type: 'string' },
    all: { type: 'boolean' },
    failed: { type: 'boolean' },
    'dry-run': { type: 'boolean' },
    interval: { type: 'string' },
    for: { type: 'string' },
    'until-idle': { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  },
});

const sfn = new SFNClient({});
const sqs = new SQSClient({});
const json = values.json === true;
const progress = (text: string) => process.stderr.write(`${text}\n`);
const print = (data: unknown, text: () => string) =>
  console.log(json ? JSON.stringify(data, null, 2) : text());

async function machines(): Promise<{ name: string; arn: string }[]> {
  const found: { name: string; arn: string }[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(new ListStateMachinesCommand({ nextToken }));
    for (const machine of page.stateMachines ?? [])
      if (machine.name && machine.stateMachineArn)
        found.push({ name: machine.name, arn: machine.stateMachineArn });
    nextToken = page.nextToken;
  } while (nextToken);
  return values.machine ? found.filter((machine) => machine.name === values.machine) : found;
}

async function listExecutions(
  machineArn: string,
  statusFilter: ExecutionStatus | undefined,
  sinceMs: number | undefined,
): Promise<ExecutionListItem[]> {
  const found: ExecutionListItem[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: machineArn, statusFilter, nextToken }),
    );
    for (const execution of page.executions ?? []) {
      // Newest first: once one is older than the window, the rest are too.
      if (sinceMs !== undefined && (execution.startDate?.getTime() ?? 0) < Date.now() - sinceMs) return found;
      found.push(execution);
    }
    nextToken = page.nextToken;
  } while (nextToken);
  return found;
}

const since = (fallback?: string) => {
  const text = values.since ?? fallback;
  return text === undefined ? undefined : parseDuration(text);
};

async function executions(): Promise<void> {
  const status = values.status?.toUpperCase() as ExecutionStatus | undefined;
  const listed = (
    await mapBounded(await machines(), 4, async (machine) =>
      (
        await listExecutions(machine.arn, status, since())
      ).map((execution) => ({ machine: machine.name, execution })),
    )
  ).flat();
  const rows = await mapBounded(listed, 8, async ({ machine, execution }) => {
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn: execution.executionArn }));
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
  print(rows, () =>
    table(
      ['MACHINE', 'NAME', 'STATUS', 'OUTCOME', 'STARTED', 'STOPPED'],
      rows.map((row) => [row.machine, row.name, row.status, row.outcome, row.startDate, row.stopDate]),
    ),
  );
}

async function resolveExecution(reference: string): Promise<string> {
  if (reference.startsWith('arn:')) return reference;
  for (const machine of await machines())
    for (const execution of await listExecutions(machine.arn, undefined, undefined))
      if (execution.name === reference && execution.executionArn) return execution.executionArn;
  throw new Error(`no execution named ${reference}`);
}

async function history(executionArn: string): Promise<HistoryEvent[]> {
  const events: HistoryEvent[] = [];
  let nextToken: string | undefined;
  do {
    const page = await sfn.send(
      new GetExecutionHistoryCommand({ executionArn, nextToken, maxResults: 1000 }),
    );
    events.push(...(page.events ?? []));
    nextToken = page.nextToken;
  } while (nextToken);
  return events;
}

async function show(reference: string | undefined): Promise<void> {
  if (!reference) throw new Error('show needs an execution ARN or name');
  const executionArn = await resolveExecution(reference);
  const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
  const timeline = foldHistory(await history(executionArn));
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
  print(data, () =>
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
      `input:\n${prettyJson(described.input, values.all === true)}`,
      `output:\n${prettyJson(described.output, values.all === true)}`,
    ].join('\n'),
  );
}

const FAILED_STATUSES: ExecutionStatus[] = ['FAILED', 'TIMED_OUT', 'ABORTED'];

async function failedExecutions(window: number | undefined) {
  const found: { machine: string; arn: string }[] = [];
  for (const machine of await machines())
    for (const status of FAILED_STATUSES)
      for (const execution of await listExecutions(machine.arn, status, window))
        if (execution.executionArn) found.push({ machine: machine.name, arn: execution.executionArn });
  return found;
}

async function failures(): Promise<void> {
  const failed = await failedExecutions(since('24h'));
  const detailed = await mapBounded(failed, 8, async ({ machine, arn }) => {
    const failure = foldHistory(await history(arn)).failure;
    return { machine, arn, state: failure?.state ?? '', error: failure?.error ?? '' };
  });
  const groups = groupFailures(detailed);
  print(groups, () =>
    table(
      ['MACHINE', 'STATE', 'ERROR', 'COUNT', 'EXAMPLE'],
      groups.map((group) => [group.machine, group.state, group.error, String(group.count), group.example]),
    ),
  );
}

async function redrive(reference: string | undefined): Promise<void> {
  const targets = values.failed
    ? (await failedExecutions(since('1h'))).map((failed) => failed.arn)
    : reference
      ? [await resolveExecution(reference)]
      : [];
  if (targets.length === 0 && !values.failed) throw new Error('redrive needs an ARN or --failed');
  const results: { executionArn: string; result: string; reason?: string }[] = [];
  for (const [index, executionArn] of targets.entries()) {
    if (!json) progress(`[${index + 1}/${targets.length}] ${executionArn}`);
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    if (described.redriveStatus && described.redriveStatus !== 'REDRIVABLE') {
      results.push({
        executionArn,
        result: 'not redrivable',
        reason: described.redriveStatusReason ?? described.redriveStatus,
      });
    } else if (values['dry-run']) {
      results.push({ executionArn, result: 'would redrive' });
    } else {
      try {
        await sfn.send(new RedriveExecutionCommand({ executionArn }));
        results.push({ executionArn, result: 'redriven' });
      } catch (error) {
        results.push({ executionArn, result: 'not redrivable', reason: (error as Error).message });
      }
    }
  }
  const count = (result: string) => results.filter((entry) => entry.result === result).length;
  const summary = {
    redriven: count('redriven'),
    wouldRedrive: count('would redrive'),
    notRedrivable: count('not redrivable'),
  };
  print({ summary, results }, () =>
    [
      table(
        ['EXECUTION', 'RESULT', 'REASON'],
        results.map((entry) => [entry.executionArn, entry.result, entry.reason ?? '']),
      ),
      `${summary.redriven} redriven, ${summary.wouldRedrive} would be (dry run), ${summary.notRedrivable} not redrivable`,
    ].join('\n'),
  );
}

async function queueUrl(nameOrUrl: string): Promise<string> {
  if (/^https?:/.test(nameOrUrl)) return nameOrUrl;
  return (await sqs.send(new GetQueueUrlCommand({ QueueName: nameOrUrl }))).QueueUrl ?? '';
}

async function deadLetterQueues() {
  const urls: string[] = [];
  let NextToken: string | undefined;
  do {
    const page = await sqs.send(new ListQueuesCommand({ NextToken }));
    urls.push(...(page.QueueUrls ?? []));
    NextToken = page.NextToken;
  } while (NextToken);
  const attributes = await mapBounded(urls, 8, async (url) => ({
    url,
    name: url.split('/').at(-1) ?? url,
    attributes:
      (await sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] })))
        .Attributes ?? {},
  }));
  // A queue is a DLQ by its name or because another queue's RedrivePolicy points at it.
  const targets = new Set(
    attributes.flatMap((queue) => {
      const policy = queue.attributes.RedrivePolicy;
      return policy
        ? [String((JSON.parse(policy) as { deadLetterTargetArn?: string }).deadLetterTargetArn)]
        : [];
    }),
  );
  return attributes
    .filter((queue) => isDlqName(queue.name) || targets.has(queue.attributes.QueueArn ?? ''))
    .map((queue) => ({
      name: queue.name,
      url: queue.url,
      depth: Number(queue.attributes.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(queue.attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    }));
}

/** Receives every message of a queue; VisibilityTimeout 0 leaves them visible so a peek consumes nothing. */
async function receiveAll(QueueUrl: string, VisibilityTimeout: number): Promise<Message[]> {
  const seen = new Map<string, Message>();
  for (;;) {
    const page = await sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    const fresh = (page.Messages ?? []).filter(
      (message) => message.MessageId && !seen.has(message.MessageId),
    );
    if (fresh.length === 0) return [...seen.values()];
    for (const message of fresh) seen.set(message.MessageId as string, message);
  }
}

/** Where a dead-lettered message was going: EventBridge and Scheduler put the target's ARN in TARGET_ARN. */
const targetOf = (message: Message): string | undefined => message.MessageAttributes?.TARGET_ARN?.StringValue;

async function replayTo(targetArn: string, body: string): Promise<void> {
  const [, , service, region, account, ...rest] = targetArn.split(':');
  if (service === 'states')
    await sfn.send(new StartExecutionCommand({ stateMachineArn: targetArn, input: body }));
  else if (service === 'lambda')
    await new LambdaClient({}).send(
      new InvokeCommand({
        FunctionName: targetArn,
        InvocationType: 'Event',
        Payload: new TextEncoder().encode(body),
      }),
    );
  else if (service === 'sqs') {
    const QueueUrl = (
      await sqs.send(new GetQueueUrlCommand({ QueueName: rest.join(':'), QueueOwnerAWSAccountId: account }))
    ).QueueUrl;
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
  } else throw new Error(`cannot replay to ${service} (${region})`);
}

async function dlq(action: string | undefined, queue: string | undefined): Promise<void> {
  if (!action) {
    const queues = await deadLetterQueues();
    print(queues, () =>
      table(
        ['QUEUE', 'DEPTH', 'IN FLIGHT'],
        queues.map((q) => [q.name, String(q.depth), String(q.inFlight)]),
      ),
    );
    return;
  }
  if (!queue) throw new Error(`dlq ${action} needs a queue name or URL`);
  const url = await queueUrl(queue);
  if (action === 'peek') {
    const messages = (await receiveAll(url, 0)).map((message) => ({
      messageId: message.MessageId,
      target: targetOf(message),
      attributes: Object.fromEntries(
        Object.entries(message.MessageAttributes ?? {}).map(([key, value]) => [key, value.StringValue]),
      ),
      body: message.Body,
    }));
    print(
      messages,
      () =>
        messages
          .map(
            (m) =>
              `${m.messageId} → ${m.target ?? '(unknown target)'}\n${prettyJson(m.body, values.all === true, 400)}`,
          )
          .join('\n\n') || '(empty)',
    );
    return;
  }
  if (action !== 'replay') throw new Error(`unknown dlq action ${action}`);
  // Held invisible for a minute while replaying so nothing is sent twice; deleted only after the send worked.
  const messages = await receiveAll(url, values['dry-run'] ? 0 : 60);
  const results: { messageId: string; target: string; result: string }[] = [];
  for (const [index, message] of messages.entries()) {
    const target = targetOf(message);
    const entry = { messageId: message.MessageId ?? '', target: target ?? '' };
    if (!json) progress(`[${index + 1}/${messages.length}] ${entry.messageId} → ${entry.target || '?'}`);
    if (!target) results.push({ ...entry, result: 'skipped: no TARGET_ARN attribute' });
    else if (values['dry-run']) results.push({ ...entry, result: 'would replay' });
    else {
      try {
        await replayTo(target, message.Body ?? '');
        await sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
        results.push({ ...entry, result: 'replayed' });
      } catch (error) {
        results.push({ ...entry, result: `failed: ${(error as Error).message}` });
      }
    }
  }
  const replayed = results.filter((entry) => entry.result === 'replayed').length;
  print({ replayed, total: results.length, results }, () =>
    [
      table(
        ['MESSAGE', 'TARGET', 'RESULT'],
        results.map((r) => [r.messageId, r.target, r.result]),
      ),
      `${replayed} of ${results.length} replayed`,
    ].join('\n'),
  );
}

async function tail(): Promise<void> {
  const interval = parseDuration(values.interval ?? '2s');
  const stopAt = values.for ? Date.now() + parseDuration(values.for) : Number.POSITIVE_INFINITY;
  const idle = values['until-idle'] ? parseDuration(values['until-idle']) : undefined;
  const known = new Map<string, string>();
  let first = true;
  let lastChange = Date.now();
  let stopped = false;
  process.once('SIGINT', () => {
    stopped = true;
  });
  while (!stopped && Date.now() < stopAt && (idle === undefined || Date.now() - lastChange < idle)) {
    for (const machine of await machines())
      for (const execution of await listExecutions(machine.arn, undefined, first ? 0 : undefined)) {
        const arn = execution.executionArn ?? '';
        const status = execution.status ?? '';
        if (known.get(arn) === status) continue;
        known.set(arn, status);
        lastChange = Date.now();
        const event = {
          at: new Date().toISOString(),
          machine: machine.name,
          name: execution.name,
          arn,
          status,
        };
        console.log(
          json ? JSON.stringify(event) : `${event.at}  ${machine.name}  ${execution.name}  ${status}`,
        );
      }
    first = false;
    await new Promise((resolve) => setTimeout(resolve, interval));
  }
}

async function alarms(): Promise<void> {
  try {
    const page = await new CloudWatchClient({}).send(new DescribeAlarmsCommand({}));
    const rows = (page.MetricAlarms ?? []).map((alarm) => ({
      name: alarm.AlarmName ?? '',
      state: alarm.StateValue ?? '',
      reason: alarm.StateReason ?? '',
    }));
    print(rows, () =>
      table(
        ['ALARM', 'STATE', 'REASON'],
        rows.map((row) => [row.name, row.state, row.reason]),
      ),
    );
  } catch (error) {
    if (!process.env.AWS_ENDPOINT_URL) throw error;
    // The local edge may not emulate CloudWatch; that is not an operator's failure.
    const note = `CloudWatch is not answering at ${process.env.AWS_ENDPOINT_URL}: ${(error as Error).message}`;
    print({ alarms: [], note }, () => note);
  }
}

async function main(): Promise<number> {
  const [command, first, second] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  switch (command) {
    case 'executions':
      await executions();
      break;
    case 'show':
      await show(first);
      break;
    case 'failures':
      await failures();
      break;
    case 'redrive':
      await redrive(first);
      break;
    case 'dlq':
      await dlq(first, second);
      break;
    case 'tail':
      await tail();
      break;
    case 'alarms':
      await alarms();
      break;
    default:
      console.error(USAGE);
      return 2;
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error & { code?: string; cause?: { code?: string } }) => {
    console.error(`ops: ${error.message}`);
    if (
      error.code === 'ECONNREFUSED' ||
      error.cause?.code === 'ECONNREFUSED' ||
      /ECONNREFUSED/.test(String(error))
    )
      console.error(
        'hint: nothing answered; is the local cloud running (npm start) and AWS_ENDPOINT_URL set?',
      );
    process.exit(1);
  },
);
