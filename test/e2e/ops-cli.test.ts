/**
 * The ops CLI (`npm run ops`) end to end: run as a child process against a bare local cloud, with state
 * machines created through the SDK that fail (a task on a queue that does not exist yet, a Fail state), a
 * dead-letter message put there by a real failed EventBridge delivery, and a redrive after the fix.
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { promisify } from 'node:util';
import {
  EventBridgeClient,
  PutEventsCommand,
  PutRuleCommand,
  PutTargetsCommand,
} from '@aws-sdk/client-eventbridge';
import {
  CreateStateMachineCommand,
  DescribeExecutionCommand,
  ListExecutionsCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { REPOSITORY_ROOT } from '../../infra/constructs/aurora-function';
import { useTestCloud } from '../support/local-cloud';
import { eventually, until } from '../support/polling';

const ACCOUNT = '000000000000';
const REGION = 'us-east-1';
const ROLE = `arn:aws:iam::${ACCOUNT}:role/ops-e2e`;
const NOTICES_QUEUE = 'ops-notices';
const EVENTS_DLQ = 'ops-events-dlq';
const REPLAYED_MACHINE = 'ops-replayed';
const machineArn = (name: string) => `arn:aws:states:${REGION}:${ACCOUNT}:stateMachine:${name}`;
const executionArnOf = (machine: string, name: string) =>
  `arn:aws:states:${REGION}:${ACCOUNT}:execution:${machine}:${name}`;

const test = useTestCloud();
const children: ChildProcess[] = [];
const sfn = () => new SFNClient(test.clientConfig);
const sqs = () => new SQSClient(test.clientConfig);

const cliEnvironment = () => ({
  ...process.env,
  AWS_ENDPOINT_URL: test.cloud.edgeUrl,
  AWS_REGION: REGION,
  AWS_ACCESS_KEY_ID: 'test',
  AWS_SECRET_ACCESS_KEY: 'test',
});
const CLI = ['--import', 'tsx', 'cli/ops/main.ts'];

interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** Runs `npm run ops -- …args` to its end; a non-zero exit is a result, not a throw. */
async function ops(...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await promisify(execFile)(process.execPath, [...CLI, ...args], {
      cwd: REPOSITORY_ROOT,
      env: cliEnvironment(),
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: number; stdout?: string; stderr?: string };
    return { code: failed.code ?? -1, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** The parsed --json output of a command that must succeed. */
async function opsJson<T>(...args: string[]): Promise<T> {
  const result = await ops(...args, '--json');
  expect(result, result.stderr).toMatchObject({ code: 0 });
  return JSON.parse(result.stdout) as T;
}

async function createMachine(name: string, definition: unknown): Promise<void> {
  await sfn().send(
    new CreateStateMachineCommand({ name, roleArn: ROLE, definition: JSON.stringify(definition) }),
  );
}

async function startAndSettle(machine: string, name: string, input: unknown): Promise<string> {
  // A second apart on the manual clock, so that newest first is one order.
  test.cloud.clock.advanceBy(1000);
  const { executionArn = '' } = await sfn().send(
    new StartExecutionCommand({ stateMachineArn: machineArn(machine), name, input: JSON.stringify(input) }),
  );
  await settled(executionArn);
  return executionArn;
}

const settled = (executionArn: string) =>
  eventually(
    async () => {
      const described = await sfn().send(new DescribeExecutionCommand({ executionArn }));
      return described.status === 'RUNNING' ? undefined : described;
    },
    15_000,
    `${executionArn} to end`,
  );

const visibleMessages = async (queueName: string) => {
  const { QueueUrl } = await sqs().send(new CreateQueueCommand({ QueueName: queueName }));
  const { Attributes } = await sqs().send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['ApproximateNumberOfMessages'] }),
  );
  return Number(Attributes?.ApproximateNumberOfMessages);
};

beforeAll(async () => {
  // Notify sends to a queue that is created only later: the fix a redrive follows.
  await createMachine('ops-notify', {
    StartAt: 'Prepare',
    States: {
      Prepare: { Type: 'Pass', Result: { text: 'hello' }, ResultPath: '$.notice', Next: 'Notify' },
      Notify: {
        Type: 'Task',
        Resource: 'arn:aws:states:::sqs:sendMessage',
        Parameters: {
          QueueUrl: `${test.cloud.edgeUrl}/${ACCOUNT}/${NOTICES_QUEUE}`,
          'MessageBody.$': '$.notice',
        },
        End: true,
      },
    },
  });
  await createMachine('ops-guard', {
    StartAt: 'Check',
    States: {
      Check: {
        Type: 'Choice',
        Choices: [{ Variable: '$.ok', BooleanEquals: true, Next: 'Accepted' }],
        Default: 'Refused',
      },
      Accepted: { Type: 'Pass', Result: { outcome: 'accepted' }, End: true },
      Refused: { Type: 'Fail', Error: 'Guard.Refused', Cause: 'ok was not true' },
    },
  });
  await startAndSettle('ops-notify', 'notify-1', { user: 'ada' });
  await startAndSettle('ops-notify', 'notify-2', { user: 'bob' });
  await startAndSettle('ops-guard', 'guard-refused', { ok: false });
  await startAndSettle('ops-guard', 'guard-accepted', { ok: true });
});

afterAll(async () => {
  for (const child of children) child.kill('SIGKILL');
});

interface ExecutionRow {
  machine: string;
  name: string;
  status: string;
  outcome: string;
}

describe('npm run ops against the local cloud', { timeout: 60_000 }, () => {
  it('lists executions newest first, filtered by machine and status, with their outcome', async () => {
    const all = await opsJson<ExecutionRow[]>('executions');
    expect(all.map((row) => row.name).sort()).toEqual([
      'guard-accepted',
      'guard-refused',
      'notify-1',
      'notify-2',
    ]);
    expect(all.find((row) => row.name === 'guard-accepted')).toMatchObject({
      status: 'SUCCEEDED',
      outcome: 'accepted',
    });

    const guard = await opsJson<ExecutionRow[]>('executions', '--machine', 'ops-guard');
    expect(guard.map((row) => row.name)).toEqual(['guard-accepted', 'guard-refused']);
    const failed = await opsJson<ExecutionRow[]>('executions', '--status', 'failed');
    expect(failed.map((row) => row.name).sort()).toEqual(['guard-refused', 'notify-1', 'notify-2']);

    const text = await ops('executions', '--machine', 'ops-guard', '--status', 'SUCCEEDED');
    expect(text.stdout).toMatch(/^MACHINE\s+NAME\s+STATUS\s+OUTCOME/);
    expect(text.stdout).toMatch(/ops-guard\s+guard-accepted\s+SUCCEEDED\s+accepted/);
  });

  it('shows an execution by name: its states in order, the failing state, error and cause', async () => {
    const shown = await opsJson<{
      status: string;
      states: { name: string; failed?: { error: string } }[];
      failure: { state: string; error: string; cause: string };
      input: string;
    }>('show', 'notify-1');
    expect(shown.status).toBe('FAILED');
    expect(shown.states.map((state) => state.name)).toEqual(['Prepare', 'Notify']);
    expect(shown.failure).toMatchObject({ state: 'Notify', error: expect.stringMatching(/^SQS\./) });
    expect(shown.failure.cause).toMatch(/queue/i);
    expect(JSON.parse(shown.input)).toEqual({ user: 'ada' });

    const text = await ops('show', 'guard-refused');
    expect(text.stdout).toContain('failed in Refused: Guard.Refused');
    expect(text.stdout).toContain('cause: ok was not true');
    expect((await ops('show', 'no-such-execution')).stderr).toContain('no execution named no-such-execution');
  });

  it('groups failures by machine, state and error, with a count and an example', async () => {
    const groups = await opsJson<
      { machine: string; state: string; error: string; count: number; example: string }[]
    >('failures', '--since', '24h');
    expect(groups).toHaveLength(2);
    expect(groups[0]).toMatchObject({ machine: 'ops-notify', state: 'Notify', count: 2 });
    expect(groups[0]?.example).toMatch(/:ops-notify:notify-[12]$/);
    expect(groups[1]).toMatchObject({
      machine: 'ops-guard',
      state: 'Refused',
      error: 'Guard.Refused',
      count: 1,
    });
  });

  it('redrives: a dry run changes nothing, a real one succeeds once the cause is fixed', async () => {
    const dryRun = await opsJson<{ summary: Record<string, number> }>('redrive', '--failed', '--dry-run');
    expect(dryRun.summary).toEqual({ redriven: 0, wouldRedrive: 3, notRedrivable: 0 });
    expect(await opsJson<ExecutionRow[]>('executions', '--status', 'FAILED')).toHaveLength(3);

    await sqs().send(new CreateQueueCommand({ QueueName: NOTICES_QUEUE }));
    const redriven = await ops('redrive', 'notify-1');
    expect(redriven.code).toBe(0);
    expect(redriven.stdout).toContain('1 redriven, 0 would be (dry run), 0 not redrivable');
    const executionArn = executionArnOf('ops-notify', 'notify-1');
    expect(await settled(executionArn)).toMatchObject({ status: 'SUCCEEDED', redriveCount: 1 });
    const { QueueUrl } = await sqs().send(new CreateQueueCommand({ QueueName: NOTICES_QUEUE }));
    const { Messages = [] } = await sqs().send(
      new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(Messages.map((message) => JSON.parse(message.Body ?? '{}'))).toEqual([{ text: 'hello' }]);

    expect(await opsJson<{ status: string; redriveCount: number }>('show', 'notify-1')).toMatchObject({
      status: 'SUCCEEDED',
      redriveCount: 1,
    });
    const again = await opsJson<{ summary: Record<string, number>; results: { reason?: string }[] }>(
      'redrive',
      executionArn,
    );
    expect(again.summary).toMatchObject({ redriven: 0, notRedrivable: 1 });
    expect(again.results[0]?.reason).toBeTruthy();
  });

  it('finds a dead-letter message from a failed EventBridge delivery, peeks without consuming, replays it', async () => {
    const { QueueUrl: dlqUrl = '' } = await sqs().send(new CreateQueueCommand({ QueueName: EVENTS_DLQ }));
    const { Attributes } = await sqs().send(
      new GetQueueAttributesCommand({ QueueUrl: dlqUrl, AttributeNames: ['QueueArn'] }),
    );
    const eventbridge = new EventBridgeClient(test.clientConfig);
    await eventbridge.send(
      new PutRuleCommand({ Name: 'ops-replay', EventPattern: JSON.stringify({ source: ['ops.test'] }) }),
    );
    // The target machine does not exist yet: EventBridge dead-letters the event at once, without retries.
    await eventbridge.send(
      new PutTargetsCommand({
        Rule: 'ops-replay',
        Targets: [
          {
            Id: 'machine',
            Arn: machineArn(REPLAYED_MACHINE),
            RoleArn: ROLE,
            DeadLetterConfig: { Arn: Attributes?.QueueArn },
          },
        ],
      }),
    );
    await eventbridge.send(
      new PutEventsCommand({ Entries: [{ Source: 'ops.test', DetailType: 'Replay me', Detail: '{"n":7}' }] }),
    );
    await eventually(
      async () => ((await visibleMessages(EVENTS_DLQ)) === 1 ? true : undefined),
      10_000,
      'the DLQ',
    );

    const queues = await opsJson<{ name: string; depth: number }[]>('dlq');
    expect(queues).toEqual([expect.objectContaining({ name: EVENTS_DLQ, depth: 1 })]);
    const peeked = await opsJson<{ target: string; attributes: Record<string, string>; body: string }[]>(
      'dlq',
      'peek',
      EVENTS_DLQ,
    );
    expect(peeked).toHaveLength(1);
    expect(peeked[0]?.target).toBe(machineArn(REPLAYED_MACHINE));
    expect(peeked[0]?.attributes).toMatchObject({ ERROR_CODE: 'StateMachineDoesNotExist' });
    expect(JSON.parse(peeked[0]?.body ?? '{}')).toMatchObject({ source: 'ops.test', detail: { n: 7 } });
    expect(await visibleMessages(EVENTS_DLQ)).toBe(1);

    const dryRun = await opsJson<{ replayed: number; results: { result: string }[] }>(
      'dlq',
      'replay',
      EVENTS_DLQ,
      '--dry-run',
    );
    expect(dryRun).toMatchObject({ replayed: 0, results: [{ result: 'would replay' }] });
    expect(await visibleMessages(EVENTS_DLQ)).toBe(1);

    // Still missing: the replay fails and the message stays.
    const refused = await opsJson<{ replayed: number; results: { result: string }[] }>(
      'dlq',
      'replay',
      EVENTS_DLQ,
    );
    expect(refused.replayed).toBe(0);
    expect(refused.results[0]?.result).toMatch(/^failed: /);
    expect(await visibleMessages(EVENTS_DLQ)).toBe(1);

    await createMachine(REPLAYED_MACHINE, { StartAt: 'Done', States: { Done: { Type: 'Succeed' } } });
    const replayed = await ops('dlq', 'replay', EVENTS_DLQ);
    expect(replayed.stdout).toContain('1 of 1 replayed');
    expect(await visibleMessages(EVENTS_DLQ)).toBe(0);
    const { executions = [] } = await sfn().send(
      new ListExecutionsCommand({ stateMachineArn: machineArn(REPLAYED_MACHINE) }),
    );
    expect(executions).toHaveLength(1);
    const described = await settled(executions[0]?.executionArn ?? '');
    expect(JSON.parse(described.input ?? '{}')).toMatchObject({
      source: 'ops.test',
      'detail-type': 'Replay me',
    });
  });

  it('tails: a new execution appears as a line, what existed before does not', async () => {
    const child = spawn(process.execPath, [...CLI, 'tail', '--interval', '1s', '--json'], {
      cwd: REPOSITORY_ROOT,
      env: cliEnvironment(),
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    children.push(child);
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    await until(() => stderr.includes('following'), 'tail to start', 20_000);
    await startAndSettle('ops-guard', 'tailed', { ok: true });
    await until(
      () => /"status": ?"SUCCEEDED"/.test(stdout) && stdout.includes('"tailed"'),
      'the tailed line',
      10_000,
    );
    const lines = stdout
      .trim()
      .split('\n')
      .map((line) => JSON.parse(line) as { machine: string; name: string; status: string });
    expect(lines.every((line) => line.name === 'tailed' && line.machine === 'ops-guard')).toBe(true);
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGINT');
    expect(await exited).toBe(0);
  });

  it('says plainly that CloudWatch alarms are not emulated, and exits 0', async () => {
    const result = await ops('alarms');
    expect(result.code).toBe(0);
    expect(result.stdout).toContain(`CloudWatch alarms are not available at ${test.cloud.edgeUrl}`);
  });

  it('measures --since on the service clock', async () => {
    expect(await opsJson<ExecutionRow[]>('executions', '--since', '1h')).toHaveLength(6);
    test.cloud.clock.advanceBy(2 * 3_600_000);
    expect(await opsJson<ExecutionRow[]>('executions', '--since', '1h')).toEqual([]);
    expect(await opsJson<ExecutionRow[]>('executions', '--since', '3h')).toHaveLength(6);
  });

  it('refuses an unknown command with the usage, and hints when nothing answers', async () => {
    expect(await ops('frobnicate')).toMatchObject({ code: 2, stderr: expect.stringContaining('usage:') });
    const nothing = await promisify(execFile)(process.execPath, [...CLI, 'executions'], {
      cwd: REPOSITORY_ROOT,
      env: { ...cliEnvironment(), AWS_ENDPOINT_URL: 'http://127.0.0.1:9', AWS_MAX_ATTEMPTS: '1' },
    }).catch((error: { code: number; stderr: string }) => error);
    expect(nothing).toMatchObject({ code: 1, stderr: expect.stringContaining('is the local cloud running') });
  });
});
