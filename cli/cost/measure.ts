/**
 * Measures what one login and one reminder make the system do, on a local cloud running the synthesized app
 * with a manual clock, through the app's own REST API as a person's browser would call it: a code requested
 * and verified, then a reminder created and, once the clock is moved past it, delivered. Step Functions
 * figures come from each execution's history (GetExecutionHistory); Lambda's from the invocations and their
 * REPORT lines; DynamoDB, EventBridge, Firehose, Secrets Manager and SQS from the calls the edge answered.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type HistoryEvent,
  paginateListExecutions,
  paginateListStateMachines,
  SFNClient,
} from '@aws-sdk/client-sfn';
import { type LocalCloud, startLocalCloud } from '../../infra/local/cloud';
import { isolatedCloudConfig } from '../../infra/local/config';
import type { JsonProtocolService, Operation } from '../../infra/local/edge/contracts';
import { eventually } from '../../infra/local/shared/polling';
import { executionHistory } from '../ops/state-machines';
import type { FunctionFigures, Measurement, ScenarioFigures, WorkflowFigures } from './model';

/** Where the manual clock starts: a fixed instant, so that two measurements see the same calendar. */
const CLOCK_START = Date.parse('2026-11-22T09:00:00.000Z');
const POLL_MS = 20;
/** The system counts as settled after this long with nothing running and no new invocation. */
const QUIET_MS = 300;
const SCENARIO_TIMEOUT_MS = 60_000;
/** Step Functions logging at level ALL without execution data: about one log event of this size per history event. */
const STATE_MACHINE_LOG_BYTES_PER_EVENT = 300;
/** One API Gateway access log line (JSON with the standard fields). */
const ACCESS_LOG_BYTES_PER_REQUEST = 400;
const EVENT_CHUNK_BYTES = 64 * 1024;
const FIREHOSE_RECORD_UNIT_BYTES = 5 * 1024;

const READ_OPERATIONS = new Set(['GetItem', 'Query', 'Scan', 'BatchGetItem', 'TransactGetItems']);
const WRITE_OPERATIONS = new Set([
  'PutItem',
  'UpdateItem',
  'DeleteItem',
  'BatchWriteItem',
  'TransactWriteItems',
]);

export const MEASUREMENT_METHOD = [
  'state transitions: states entered plus retries, counted in each execution history (GetExecutionHistory)',
  'workflow durations: observed by polling ListExecutions every 20 ms on the local cloud (an upper bound)',
  'Lambda: every invocation the local runtime ran, billed duration from its REPORT line (local worker threads: slower cold starts than AWS)',
  'DynamoDB: the capacity units the emulator reports for each call (ReturnConsumedCapacity); writes to GSIs are not included',
  'EventBridge, Firehose, Secrets Manager, SQS: the calls and entries the edge answered',
  'Scheduler: the schedules the workflows created (each one-off schedule fires once)',
  'emails: the local SES inbox; API requests: the requests the measurement made',
  'logs: Lambda log lines measured; Step Functions (~300 B per history event) and API access logs (~400 B per request) estimated',
  'X-Ray traces: one per API request and per schedule firing (estimated)',
];

/** Counters of the calls the edge answered for the JSON-protocol services. */
interface CallMeter {
  calls: Map<string, number>;
  dynamoReadUnits: number;
  dynamoWriteUnits: number;
  eventsPut: number;
  eventBytes: number;
  eventChunks: number;
  firehoseRecords: number;
  firehoseBilledBytes: number;
}

function newMeter(): CallMeter {
  return {
    calls: new Map(),
    dynamoReadUnits: 0,
    dynamoWriteUnits: 0,
    eventsPut: 0,
    eventBytes: 0,
    eventChunks: 0,
    firehoseRecords: 0,
    firehoseBilledBytes: 0,
  };
}

type ConsumedCapacity = { CapacityUnits?: number };

/** Capacity units in a DynamoDB answer (one object, or one per table for batches and transactions). */
function capacityUnits(result: unknown): number | undefined {
  const consumed = (result as { ConsumedCapacity?: ConsumedCapacity | ConsumedCapacity[] } | undefined)
    ?.ConsumedCapacity;
  if (consumed === undefined) return undefined;
  return [consumed].flat().reduce((sum, entry) => sum + (entry.CapacityUnits ?? 0), 0);
}

/** The items a DynamoDB call touches, for calls whose answer carries no capacity. */
function itemCount(operation: string, input: Record<string, unknown>): number {
  if (operation === 'TransactWriteItems' || operation === 'TransactGetItems')
    return 2 * ((input.TransactItems as unknown[] | undefined)?.length ?? 1);
  if (operation === 'BatchWriteItem' || operation === 'BatchGetItem') {
    const requests = (input.RequestItems ?? {}) as Record<string, unknown[] | { Keys?: unknown[] }>;
    return Object.values(requests).reduce<number>(
      (sum, entry) => sum + (Array.isArray(entry) ? entry.length : (entry.Keys?.length ?? 0)),
      0,
    );
  }
  return 1;
}

function utf8Bytes(value: unknown): number {
  return typeof value === 'string' ? Buffer.byteLength(value) : 0;
}

/**
 * Wraps every operation of the JSON-protocol services so that each call is counted; DynamoDB calls ask the
 * emulator for their consumed capacity and answer the caller as if they had not.
 */
function meterServices(services: readonly JsonProtocolService[], meter: () => CallMeter): void {
  for (const service of services) {
    // The edge looks operations up per request, so wrapping them in place meters every later call.
    const operations = service.operations as Record<string, Operation>;
    for (const [name, original] of Object.entries(operations)) {
      operations[name] = async (input: Record<string, unknown> | undefined, context) => {
        const current = meter();
        const key = `${service.signingName}:${name}`;
        current.calls.set(key, (current.calls.get(key) ?? 0) + 1);
        const isRead = READ_OPERATIONS.has(name);
        if (service.signingName !== 'dynamodb' || (!isRead && !WRITE_OPERATIONS.has(name))) {
          recordPayload(current, service.signingName, name, input ?? {});
          return original(input, context);
        }
        const asked = input?.ReturnConsumedCapacity;
        const result = await original({ ...input, ReturnConsumedCapacity: 'TOTAL' }, context);
        const units = capacityUnits(result) ?? itemCount(name, input ?? {});
        if (isRead) current.dynamoReadUnits += units;
        else current.dynamoWriteUnits += units;
        if (asked === 'TOTAL' || asked === 'INDEXES' || typeof result !== 'object' || result === null)
          return result;
        const { ConsumedCapacity: _, ...unasked } = result as Record<string, unknown>;
        return unasked;
      };
    }
  }
}

function recordPayload(meter: CallMeter, service: string, operation: string, input: Record<string, unknown>) {
  if (service === 'events' && operation === 'PutEvents') {
    for (const entry of (input.Entries as Array<Record<string, unknown>> | undefined) ?? []) {
      const bytes = utf8Bytes(entry.Source) + utf8Bytes(entry.DetailType) + utf8Bytes(entry.Detail);
      meter.eventsPut++;
      meter.eventBytes += bytes;
      meter.eventChunks += Math.max(1, Math.ceil(bytes / EVENT_CHUNK_BYTES));
    }
  } else if (service === 'firehose' && (operation === 'PutRecord' || operation === 'PutRecordBatch')) {
    const records = (operation === 'PutRecord' ? [input.Record] : (input.Records as unknown[])) ?? [];
    for (const record of records) {
      const bytes = Buffer.from(
        String((record as { Data?: string } | undefined)?.Data ?? ''),
        'base64',
      ).length;
      meter.firehoseRecords++;
      meter.firehoseBilledBytes +=
        Math.max(1, Math.ceil(bytes / FIREHOSE_RECORD_UNIT_BYTES)) * FIREHOSE_RECORD_UNIT_BYTES;
    }
  }
}

/** Billed transitions of one execution: every state entered, plus every retry of a task. */
export function transitionsIn(events: readonly HistoryEvent[]): number {
  const entered = events.filter((event) => event.type?.endsWith('StateEntered')).length;
  const tasksEntered = events.filter((event) => event.type === 'TaskStateEntered').length;
  const scheduled = events.filter(
    (event) => event.type === 'TaskScheduled' || event.type === 'LambdaFunctionScheduled',
  ).length;
  return entered + Math.max(0, scheduled - tasksEntered);
}

/** Polls until `probe` answers, or throws after the scenario timeout. */
const waitFor = <T>(probe: () => Promise<T | undefined>, what: string): Promise<T> =>
  eventually(probe, SCENARIO_TIMEOUT_MS, `cost measurement: ${what}`, POLL_MS);

interface ExecutionSeen {
  readonly stateMachine: string;
  readonly firstSeen: number;
  finishedSeen?: number;
}

/** The app driven as a person's browser drives it, against a running local cloud, with every figure metered. */
class MeasuredCloud {
  private meter = newMeter();
  private readonly invocations = new Map<string, Array<{ requestId: string }>>();
  private apiRequests = 0;
  private readonly sfn: SFNClient;
  private readonly functionIds: Map<string, string>;
  private stateMachineArns: string[] = [];
  private lastInvocationAt = Date.now();
  private readonly stopWatchingInvocations: () => void;

  constructor(private readonly cloud: LocalCloud) {
    this.sfn = new SFNClient({
      endpoint: cloud.edgeUrl,
      region: cloud.config.region,
      credentials: { accessKeyId: 'cost', secretAccessKey: 'cost' },
    });
    this.functionIds = new Map(
      cloud.deployment.resources
        .filter((resource) => resource.type === 'AWS::Lambda::Function')
        .map((resource) => [resource.identity.ref, resource.logicalId]),
    );
    const jsonServices = cloud.services
      .edgeServices({ accountId: cloud.config.account, region: cloud.config.region })
      .filter(
        (service): service is JsonProtocolService =>
          'protocol' in service && service.protocol.startsWith('awsJson'),
      );
    meterServices(jsonServices, () => this.meter);
    this.stopWatchingInvocations = cloud.services.lambda.onInvocation((record) => {
      this.lastInvocationAt = Date.now();
      const list = this.invocations.get(record.functionName) ?? [];
      list.push({ requestId: record.requestId });
      this.invocations.set(record.functionName, list);
    });
  }

  destroy(): void {
    this.stopWatchingInvocations();
    this.sfn.destroy();
  }

  async api(
    method: string,
    path: string,
    body: unknown,
    token?: string,
  ): Promise<{ status: number; body: Record<string, unknown> }> {
    this.apiRequests++;
    const response = await fetch(`${this.cloud.apiUrl}${path}`, {
      method,
      headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  }

  async mailCount(): Promise<number> {
    const response = await fetch(`${this.cloud.edgeUrl}/_aurora/ses/messages`);
    return ((await response.json()) as unknown[]).length;
  }

  async latestCode(email: string, before: number): Promise<string> {
    const mails = await waitFor(async () => {
      const response = await fetch(
        `${this.cloud.edgeUrl}/_aurora/ses/messages?to=${encodeURIComponent(email)}`,
      );
      const list = (await response.json()) as Array<{ text?: string }>;
      return list.length > before ? list : undefined;
    }, `the code mailed to ${email}`);
    const code = /\b(\d{6})\b/.exec(mails[0]?.text ?? '')?.[1];
    if (!code) throw new Error('cost measurement: no code in the OTP mail');
    return code;
  }

  async advanceClock(duration: string): Promise<void> {
    const response = await fetch(`${this.cloud.edgeUrl}/_aurora/clock`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ advanceBy: duration }),
    });
    if (response.status !== 200) throw new Error(`cost measurement: the clock answered ${response.status}`);
  }

  private async executionsByArn(): Promise<Map<string, { stateMachine: string; running: boolean }>> {
    if (this.stateMachineArns.length === 0) {
      for await (const page of paginateListStateMachines({ client: this.sfn }, {}))
        for (const machine of page.stateMachines ?? [])
          this.stateMachineArns.push(machine.stateMachineArn ?? '');
    }
    const found = new Map<string, { stateMachine: string; running: boolean }>();
    for (const stateMachineArn of this.stateMachineArns) {
      const stateMachine = stateMachineArn.split(':').at(-1) ?? stateMachineArn;
      for await (const page of paginateListExecutions(
        { client: this.sfn, pageSize: 1000 },
        { stateMachineArn },
      ))
        for (const execution of page.executions ?? [])
          found.set(execution.executionArn ?? '', { stateMachine, running: execution.status === 'RUNNING' });
    }
    return found;
  }

  /**
   * Runs `drive` and meters everything it causes, until the system has settled: no execution running, no
   * asynchronous invocation pending, and no invocation for a while.
   */
  async scenario(
    drive: () => Promise<void>,
    settledWhen: (executions: readonly ExecutionSeen[]) => boolean,
  ): Promise<{ figures: ScenarioFigures; executionArns: Record<string, string[]> }> {
    const before = new Set((await this.executionsByArn()).keys());
    const mailsBefore = await this.mailCount();
    this.meter = newMeter();
    this.apiRequests = 0;
    this.invocations.clear();
    const seen = new Map<string, ExecutionSeen>();
    let driving = true;
    let failure: unknown;
    /** One look at the executions; answers once everything has settled. */
    const settled = async (): Promise<true | undefined> => {
      if (failure) return true;
      const now = Date.now();
      for (const [arn, execution] of await this.executionsByArn()) {
        if (before.has(arn)) continue;
        let entry = seen.get(arn);
        if (!entry) {
          entry = { stateMachine: execution.stateMachine, firstSeen: now };
          seen.set(arn, entry);
        }
        if (!execution.running && entry.finishedSeen === undefined) entry.finishedSeen = now;
      }
      const entries = [...seen.values()];
      const quiet =
        !driving &&
        entries.every((entry) => entry.finishedSeen !== undefined) &&
        this.cloud.services.lambda.pendingAsync().length === 0 &&
        Date.now() - this.lastInvocationAt > QUIET_MS &&
        settledWhen(entries);
      return quiet ? true : undefined;
    };
    const watching = waitFor(settled, 'the system to settle');
    try {
      await drive();
    } catch (error) {
      failure = error;
    } finally {
      driving = false;
    }
    await watching;
    if (failure) throw failure;
    return this.figures(seen, (await this.mailCount()) - mailsBefore);
  }

  private async figures(
    seen: Map<string, ExecutionSeen>,
    emails: number,
  ): Promise<{ figures: ScenarioFigures; executionArns: Record<string, string[]> }> {
    const workflows: Record<string, WorkflowFigures> = {};
    const executionArns: Record<string, string[]> = {};
    let historyEvents = 0;
    let schedulerInvocations = 0;
    for (const [arn, execution] of seen) {
      const events = await executionHistory(this.sfn, arn);
      historyEvents += events.length;
      schedulerInvocations += events.filter((event) =>
        event.taskScheduledEventDetails?.resource?.toLowerCase().includes('createschedule'),
      ).length;
      const previous = workflows[execution.stateMachine] ?? { executions: 0, transitions: 0, durationMs: 0 };
      workflows[execution.stateMachine] = {
        executions: previous.executions + 1,
        transitions: previous.transitions + transitionsIn(events),
        durationMs:
          previous.durationMs +
          Math.max(POLL_MS, (execution.finishedSeen ?? Date.now()) - execution.firstSeen),
      };
      executionArns[execution.stateMachine] = [...(executionArns[execution.stateMachine] ?? []), arn];
    }
    const functions: Record<string, FunctionFigures> = {};
    let lambdaLogBytes = 0;
    for (const [functionName, invocations] of this.invocations) {
      const id = this.functionIds.get(functionName) ?? functionName;
      const requestIds = new Set(invocations.map((invocation) => invocation.requestId));
      const lines = this.cloud.services.lambda
        .logs(functionName)
        .filter((line) => line.requestId !== undefined && requestIds.has(line.requestId));
      lambdaLogBytes += lines.reduce((sum, line) => sum + Buffer.byteLength(line.message), 0);
      const billedMs = lines.reduce(
        (sum, line) => sum + Number(/Billed Duration: (\d+) ms/.exec(line.message)?.[1] ?? 0),
        0,
      );
      const previous = functions[id] ?? { invocations: 0, billedMs: 0 };
      functions[id] = {
        invocations: previous.invocations + invocations.length,
        billedMs: previous.billedMs + billedMs,
      };
    }
    const calls = (prefix: string) =>
      [...this.meter.calls]
        .filter(([key]) => key.startsWith(prefix))
        .reduce((sum, [, count]) => sum + count, 0);
    return {
      executionArns,
      figures: {
        workflows,
        functions,
        apiRequests: this.apiRequests,
        eventsPut: this.meter.eventChunks,
        eventBytes: this.meter.eventBytes,
        schedulerInvocations,
        emails,
        dynamoReadUnits: this.meter.dynamoReadUnits,
        dynamoWriteUnits: this.meter.dynamoWriteUnits,
        secretsCalls: calls('secretsmanager:GetSecretValue'),
        sqsRequests: calls('sqs:'),
        firehoseRecords: this.meter.firehoseRecords,
        firehoseBilledBytes: this.meter.firehoseBilledBytes,
        logBytes:
          lambdaLogBytes +
          historyEvents * STATE_MACHINE_LOG_BYTES_PER_EVENT +
          this.apiRequests * ACCESS_LOG_BYTES_PER_REQUEST,
        traces: this.apiRequests + schedulerInvocations,
      },
    };
  }
}

/**
 * One login and one reminder on a running local cloud (fresh state, manual clock). The cloud's JSON services
 * stay metered for the rest of its life: measure on a cloud of its own.
 */
export async function measureOn(cloud: LocalCloud, sourceHash: string): Promise<Measurement> {
  const measured = new MeasuredCloud(cloud);
  try {
    const email = 'cost.measure@example.com';
    let token = '';
    const login = await measured.scenario(
      async () => {
        const mails = await measured.mailCount();
        const requested = await measured.api('POST', '/auth/otp/request', { email });
        if (requested.status !== 202)
          throw new Error(`cost measurement: code request answered ${requested.status}`);
        const code = await measured.latestCode(email, mails);
        const verified = await measured.api('POST', '/auth/otp/verify', { email, code });
        if (verified.status !== 200) throw new Error(`cost measurement: verify answered ${verified.status}`);
        token = String(verified.body.accessToken);
      },
      (executions) => executions.length > 0,
    );
    const reminder = await measured.scenario(
      async () => {
        const created = await measured.api(
          'POST',
          '/reminders',
          { title: 'measure the cost', when: 'in 10 minutes' },
          token,
        );
        if (created.status !== 201) throw new Error(`cost measurement: reminder answered ${created.status}`);
        await measured.advanceClock('PT11M');
      },
      // Settled once the firing's delivery ran, not merely the lifecycle that scheduled it.
      (executions) => executions.some((execution) => execution.stateMachine.includes('delivery')),
    );
    return {
      sourceHash,
      measuredAt: new Date().toISOString(),
      scenarios: { login: login.figures, reminder: reminder.figures },
      executionArns: { login: login.executionArns, reminder: reminder.executionArns },
      method: MEASUREMENT_METHOD,
    };
  } finally {
    measured.destroy();
  }
}

/** Starts a throwaway local cloud on free ports with a manual clock, measures, and removes it. */
export async function measure(sourceHash: string, assemblyDirectory?: string): Promise<Measurement> {
  const stateDir = mkdtempSync(join(tmpdir(), 'aurora-cost-'));
  const cloud = await startLocalCloud(isolatedCloudConfig(stateDir, CLOCK_START), {
    ...(assemblyDirectory ? { assemblyDirectory } : {}),
    log: () => {},
  });
  try {
    return await measureOn(cloud, sourceHash);
  } finally {
    await cloud.stop();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
