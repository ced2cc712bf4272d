/**
 * The local Step Functions service: the AWS API (awsJson1_0, `AWSStepFunctions.*`) over the engine, with
 * state machines and executions kept under `${stateDir}/stepfunctions/` so that running executions resume
 * after a restart.
 */
import { randomUUID } from 'node:crypto';
import { createRequire } from 'node:module';
import type {
  CreateStateMachineInput,
  GetExecutionHistoryInput,
  ListExecutionsInput,
  SFN,
  StartExecutionInput,
  StartSyncExecutionInput,
  UpdateStateMachineInput,
} from '@aws-sdk/client-sfn';
import type { Clock } from '../clock';
import { consoleService } from '../console/service';
import {
  AwsServiceError,
  type HttpService,
  type JsonProtocolService,
  type OperationsOf,
  validationError,
} from '../edge/contracts';
import { codeUnitOrder, descendingOrder, type ListPaging, numberKey, paginate } from '../shared/pagination';
import type { EventEntry, LocalAccount } from '../shared/ports';
import { constraint, validationMessage } from '../shared/validation';
import { pickFields } from '../shared/wire-fields';
import { Activities } from './activities';
import { Execution } from './engine/execution';
import type { HistoryEvent } from './engine/history';
import type { NestedExecutions } from './engine/interpreter';
import { TaskTokens } from './engine/task-tokens';
import { AwsCallError, type PermissionCheck, type TaskPort } from './engine/tasks';
import type { Checkpoint, MachineDefinition } from './engine/types';
import { type ExecutionRecord, type StateMachineRecord, StepFunctionsStore } from './store';
import { runTestState } from './test-state';

export interface StepFunctionsServiceOptions {
  readonly clock: Clock;
  readonly stateDir: string;
  readonly account: LocalAccount;
  /** How tasks reach Lambda, DynamoDB, EventBridge, SQS and other services. */
  readonly tasks: TaskPort;
  /** IAM check of each task call against the execution role (supplied by the local cloud). */
  readonly checkPermission?: PermissionCheck;
  /** Refuse calls `checkPermission` denies (default: only log them). */
  readonly enforceIam?: boolean;
  readonly log?: (message: string) => void;
  /**
   * Where 'Step Functions Execution Status Change' events go (the default bus): called on every status
   * change of a Standard execution, as AWS emits them. A failure is logged, never felt by the execution.
   */
  readonly publishEvents?: (entries: readonly EventEntry[]) => Promise<{ failedEntryCount: number }>;
}

interface AslValidation {
  readonly isValid: boolean;
  readonly errors: ReadonlyArray<{ readonly 'Error code'?: string; readonly Message?: string }>;
}
/** asl-validator ships no type declarations; this is the part of its API used here. */
const aslValidator = createRequire(import.meta.url)('asl-validator') as (
  definition: unknown,
  options: { checkPaths: boolean; checkArn: boolean },
) => AslValidation;

const EXPRESS_MAX_SECONDS = 300;
/** 256 KiB: the most a task, state or execution input may hold. */
const MAX_INPUT_BYTES = 262_144;
const NAME = /^[A-Za-z0-9_-]{1,80}$/;
const seconds = (epochMs: number | undefined): number | undefined =>
  epochMs === undefined ? undefined : epochMs / 1000;

interface LiveExecution {
  readonly record: ExecutionRecord;
  readonly execution: Execution;
}

export class StepFunctionsService {
  readonly edgeService: JsonProtocolService;
  /** The ops console (`/_aurora/console`) over this service. */
  readonly consoleService: HttpService = consoleService(this);
  private readonly clock: Clock;
  private readonly account: LocalAccount;
  private readonly store: StepFunctionsStore;
  private readonly tokens = new TaskTokens();
  private readonly machines = new Map<string, StateMachineRecord>();
  private readonly executions = new Map<string, ExecutionRecord>();
  private readonly live = new Map<string, LiveExecution>();
  private readonly enginePort: TaskPort;
  private readonly activities: Activities;
  private closed = false;

  constructor(private readonly options: StepFunctionsServiceOptions) {
    this.clock = options.clock;
    this.account = options.account;
    this.store = new StepFunctionsStore(options.stateDir);
    this.activities = new Activities({
      clock: options.clock,
      account: options.account,
      isAwaited: (token) => this.tokens.has(token),
    });
    this.enginePort = this.selfAwarePort(options.tasks);
    for (const machine of this.store.loadStateMachines()) this.machines.set(machine.stateMachineArn, machine);
    for (const record of this.store.loadExecutions()) this.executions.set(record.executionArn, record);
    this.edgeService = {
      protocol: 'awsJson1_0',
      signingName: 'states',
      targetPrefix: 'AWSStepFunctions',
      operations: this.operations(),
    };
    for (const record of this.executions.values()) {
      if (record.status === 'RUNNING' && record.type === 'STANDARD') this.resume(record);
    }
  }

  /** Stops writing to disk and abandons running executions (a test's stand-in for `kill -9`). */
  close(): void {
    this.closed = true;
    this.activities.close();
    this.store.close();
    for (const { execution } of this.live.values())
      execution.stop('States.Aborted', 'The local cloud stopped');
    this.live.clear();
  }

  // ---- plain methods for the deployer and the ops console -------------------------------------------------

  /** `definition` is the ASL text, substitutions already applied. */
  createStateMachine(input: CreateStateMachineInput): { stateMachineArn: string; creationDate: number } {
    const { name } = input;
    if (typeof name !== 'string' || !NAME.test(name))
      throw new AwsServiceError('InvalidName', `Invalid Name: '${name}'`);
    const type = input.type ?? 'STANDARD';
    if (type !== 'STANDARD' && type !== 'EXPRESS')
      throw new AwsServiceError('ValidationException', `Invalid type: ${type}`);
    // JSON.parse reads any value as its text; a definition that parses was text.
    const text = String(input.definition);
    this.validateOrThrow(parseDefinition(text));
    const { roleArn } = input;
    if (typeof roleArn !== 'string') {
      throw validationError(
        validationMessage([{ value: null, member: 'roleArn', constraint: constraint.notNull }]),
      );
    }
    const stateMachineArn = this.arn('stateMachine', name);
    const existing = this.machines.get(stateMachineArn);
    if (existing) {
      if (existing.definition === text && existing.roleArn === roleArn && existing.type === type) {
        return { stateMachineArn, creationDate: existing.creationDate };
      }
      throw new AwsServiceError(
        'StateMachineAlreadyExists',
        `State Machine Already Exists: '${stateMachineArn}'`,
      );
    }
    const record: StateMachineRecord = {
      stateMachineArn,
      name,
      definition: text,
      roleArn,
      type,
      creationDate: this.clock.now(),
    };
    this.machines.set(stateMachineArn, record);
    this.store.saveStateMachines(this.machines.values());
    return { stateMachineArn, creationDate: record.creationDate };
  }

  listStateMachines(): StateMachineRecord[] {
    return [...this.machines.values()].sort((left, right) => left.name.localeCompare(right.name));
  }

  /** Executions of one state machine, newest first, optionally only those with `status`. */
  listExecutions(stateMachineArn: string, status?: string): ExecutionRecord[] {
    return [...this.executions.values()]
      .filter((record) => record.stateMachineArn === stateMachineArn && (!status || record.status === status))
      .sort((left, right) => right.startDate - left.startDate);
  }

  getExecution(executionArn: string): { record: ExecutionRecord; history: HistoryEvent[] } | undefined {
    const record = this.executions.get(executionArn);
    if (!record) return undefined;
    return { record, history: this.historyOf(record) };
  }

  /** Resolves once the execution has ended (tests, `.sync` integrations). */
  async waitForExecution(executionArn: string): Promise<ExecutionRecord> {
    const live = this.live.get(executionArn);
    if (live) await live.execution.done;
    return this.describeRecord(executionArn);
  }

  // ---- the API ------------------------------------------------------------------------------------------------

  private operations(): OperationsOf<SFN> {
    return {
      ...this.activities.operations(),
      ListActivities: (input) =>
        pageOf(
          this.activities
            .list()
            .toSorted((left, right) => codeUnitOrder(activityKey(left), activityKey(right))),
          input,
          { list: 'states:ListActivities', keyOf: activityKey },
          'activities',
        ),
      CreateStateMachine: (input) => {
        // The plain method keeps epoch milliseconds like every record; the wire wants epoch seconds.
        const created = this.createStateMachine(input);
        return { stateMachineArn: created.stateMachineArn, creationDate: seconds(created.creationDate) };
      },
      DescribeStateMachine: ({ stateMachineArn }) => this.describeMachine(this.machine(stateMachineArn)),
      UpdateStateMachine: (input) => this.updateStateMachine(input),
      ListStateMachines: (input) =>
        pageOf(
          this.listStateMachines().map((machine) => ({
            stateMachineArn: machine.stateMachineArn,
            name: machine.name,
            type: machine.type,
            creationDate: seconds(machine.creationDate),
          })),
          input,
          {
            list: 'states:ListStateMachines',
            keyOf: (machine) => machine.name,
            compare: (left, right) => left.localeCompare(right),
          },
          'stateMachines',
        ),
      DeleteStateMachine: ({ stateMachineArn }) => {
        this.checkArn(stateMachineArn, 'stateMachine');
        this.machines.delete(stateMachineArn);
        this.store.saveStateMachines(this.machines.values());
        return {};
      },
      ValidateStateMachineDefinition: ({ definition }) => validateDefinition(definition),
      StartExecution: (input) => {
        const record = this.startExecution(input);
        return { executionArn: record.executionArn, startDate: seconds(record.startDate) };
      },
      StartSyncExecution: (input) => this.startSyncExecution(input),
      DescribeExecution: ({ executionArn }) => this.describeExecution(this.describeRecord(executionArn)),
      ListExecutions: (input) => this.listExecutionsPage(input),
      GetExecutionHistory: (input) => this.executionHistory(input),
      StopExecution: ({ executionArn, error, cause }) => {
        const record = this.describeRecord(executionArn);
        const live = this.live.get(record.executionArn);
        if (record.status !== 'RUNNING' || !live) {
          throw new AwsServiceError('ValidationException', `Execution is not running: '${executionArn}'`);
        }
        live.execution.stop(error, cause);
        return { stopDate: seconds(record.stopDate) };
      },
      RedriveExecution: ({ executionArn }) => this.redriveExecution(executionArn),
      DescribeStateMachineForExecution: ({ executionArn }) => {
        const record = this.describeRecord(executionArn);
        return {
          stateMachineArn: record.stateMachineArn,
          name: record.stateMachineArn.split(':').at(-1),
          definition: record.definition,
          roleArn: record.roleArn,
          updateDate: seconds(record.startDate),
        };
      },
      SendTaskSuccess: ({ taskToken, output }) => {
        let parsed: unknown;
        try {
          // JSON text only: an absent output fails like any text that is not JSON.
          parsed = JSON.parse(String(output));
        } catch {
          throw new AwsServiceError('InvalidOutput', 'The output is not valid JSON');
        }
        this.waiter(taskToken).succeed(parsed);
        return {};
      },
      SendTaskFailure: ({ taskToken, error, cause }) => {
        this.waiter(taskToken).fail(error, cause);
        return {};
      },
      SendTaskHeartbeat: ({ taskToken }) => {
        this.waiter(taskToken).heartbeat();
        return {};
      },
      TestState: (input) =>
        runTestState(input, {
          clock: this.clock,
          tasks: this.enginePort,
          tokens: this.tokens,
          region: this.account.region,
          accountId: this.account.accountId,
        }),
    };
  }

  /** ListExecutions: newest first, those started in the same millisecond in start order. */
  private listExecutionsPage(input: ListExecutionsInput) {
    const machine = this.machine(input.stateMachineArn);
    // Executions are never removed, so the start sequence names each one.
    const sequences = new Map([...this.executions.keys()].map((arn, sequence) => [arn, sequence]));
    const executionKey = (record: ExecutionRecord): string =>
      `${numberKey(record.startDate)}/${numberKey(Number.MAX_SAFE_INTEGER - (sequences.get(record.executionArn) ?? 0))}`;
    return pageOf(
      this.listExecutions(machine.stateMachineArn, input.statusFilter),
      input,
      {
        list: `states:ListExecutions:${machine.stateMachineArn}`,
        keyOf: executionKey,
        compare: descendingOrder,
      },
      'executions',
      (record) => ({ ...executionSummary(record), redriveCount: record.redriveCount }),
    );
  }

  private waiter(taskToken: string | undefined) {
    if (typeof taskToken !== 'string' || !/^[A-Za-z0-9_-]{16,}$/.test(taskToken)) {
      throw new AwsServiceError('InvalidToken', 'Invalid Token');
    }
    const waiter = this.tokens.get(taskToken);
    if (waiter) return waiter;
    if (this.tokens.wasFinished(taskToken)) {
      throw new AwsServiceError(
        'TaskTimedOut',
        'Task Timed Out: the task has already completed or timed out',
      );
    }
    throw new AwsServiceError('TaskDoesNotExist', 'Task does not exist anymore');
  }

  updateStateMachine(input: UpdateStateMachineInput) {
    const machine = this.machine(input.stateMachineArn);
    if (input.definition !== undefined) {
      this.validateOrThrow(parseDefinition(input.definition));
      machine.definition = input.definition;
    }
    if (input.roleArn !== undefined) machine.roleArn = input.roleArn;
    machine.updateDate = this.clock.now();
    this.store.saveStateMachines(this.machines.values());
    return { updateDate: seconds(machine.updateDate) };
  }

  private describeMachine(machine: StateMachineRecord) {
    return {
      stateMachineArn: machine.stateMachineArn,
      name: machine.name,
      status: 'ACTIVE',
      definition: machine.definition,
      roleArn: machine.roleArn,
      type: machine.type,
      creationDate: seconds(machine.creationDate),
      loggingConfiguration: { level: 'OFF', includeExecutionData: false },
      tracingConfiguration: { enabled: false },
    };
  }

  startExecution(input: StartExecutionInput): ExecutionRecord {
    checkInputSize(input.input);
    const machine = this.machine(input.stateMachineArn);
    const name = input.name ?? randomUUID();
    if (!NAME.test(name)) throw new AwsServiceError('InvalidName', `Invalid Name: '${name}'`);
    const parsedInput = parseInput(input.input);
    const executionArn =
      machine.type === 'EXPRESS'
        ? `${this.arn('express', `${machine.name}:${name}`)}:${randomUUID()}`
        : this.arn('execution', `${machine.name}:${name}`);
    const existing = this.executions.get(executionArn);
    if (existing) {
      // Same name and input as an open execution: AWS answers with that execution.
      if (existing.status === 'RUNNING' && JSON.stringify(existing.input) === JSON.stringify(parsedInput))
        return existing;
      throw new AwsServiceError('ExecutionAlreadyExists', `Execution Already Exists: '${executionArn}'`);
    }
    const record: ExecutionRecord = {
      executionArn,
      stateMachineArn: machine.stateMachineArn,
      name,
      type: machine.type,
      definition: machine.definition,
      roleArn: machine.roleArn,
      input: parsedInput,
      startDate: this.clock.now(),
      status: 'RUNNING',
      redriveCount: 0,
    };
    this.executions.set(executionArn, record);
    this.persist(record);
    // Before running: a machine that ends at once must not report its end ahead of its start.
    this.publishStatusChange(record);
    this.run(record, []);
    return record;
  }

  private async startSyncExecution(input: StartSyncExecutionInput) {
    const machine = this.machine(input.stateMachineArn);
    if (machine.type !== 'EXPRESS') {
      throw new AwsServiceError(
        'StateMachineTypeNotSupported',
        'This operation is only supported by EXPRESS state machines',
      );
    }
    const record = this.startExecution(input);
    await this.waitForExecution(record.executionArn);
    // An express execution cannot be redriven, and StartSyncExecution's output has no redrive members.
    const { redriveCount: _count, redriveStatus: _status, ...execution } = this.describeExecution(record);
    return {
      ...execution,
      billingDetails: { billedMemoryUsedInMB: 64, billedDurationInMilliseconds: 100 },
    };
  }

  private describeExecution(record: ExecutionRecord) {
    return {
      ...executionSummary(record),
      input: JSON.stringify(record.input),
      inputDetails: { included: true },
      ...(record.status === 'SUCCEEDED'
        ? { output: JSON.stringify(record.output), outputDetails: { included: true } }
        : {}),
      ...(record.error !== undefined ? { error: record.error } : {}),
      ...(record.cause !== undefined ? { cause: record.cause } : {}),
      redriveCount: record.redriveCount,
      ...(record.redriveDate !== undefined ? { redriveDate: seconds(record.redriveDate) } : {}),
      redriveStatus: this.redriveStatus(record),
    };
  }

  private redriveStatus(record: ExecutionRecord): string {
    if (record.type === 'EXPRESS') return 'NOT_REDRIVABLE';
    return ['FAILED', 'TIMED_OUT', 'ABORTED'].includes(record.status) ? 'REDRIVABLE' : 'NOT_REDRIVABLE';
  }

  private executionHistory(input: GetExecutionHistoryInput) {
    const record = this.describeRecord(input.executionArn);
    let events = this.historyOf(record).map((event) => ({ ...event, timestamp: event.timestamp / 1000 }));
    if (input.includeExecutionData === false) events = events.map(withoutData);
    if (input.reverseOrder) events.reverse();
    return pageOf(
      events,
      input,
      {
        list: `states:GetExecutionHistory:${record.executionArn}:${input.reverseOrder ? 'reverse' : 'forward'}`,
        keyOf: (event) => numberKey(event.id),
        ...(input.reverseOrder ? { compare: descendingOrder } : {}),
      },
      'events',
    );
  }

  private historyOf(record: ExecutionRecord): HistoryEvent[] {
    return (
      this.live.get(record.executionArn)?.execution.history.events ??
      this.store.loadHistory(record.executionArn)
    );
  }

  /** RedriveExecution: re-enters the state that failed, keeping the history so far (also the console's button). */
  redriveExecution(executionArn: string | undefined): { redriveDate: number | undefined } {
    const record = this.describeRecord(executionArn);
    if (this.redriveStatus(record) !== 'REDRIVABLE') {
      throw new AwsServiceError('ExecutionNotRedrivable', `Execution is not redrivable: '${executionArn}'`);
    }
    const checkpoint = this.store.loadCheckpoint(record.executionArn);
    const events = this.store.loadHistory(record.executionArn);
    record.status = 'RUNNING';
    record.redriveCount++;
    record.redriveDate = this.clock.now();
    delete record.stopDate;
    delete record.error;
    delete record.cause;
    this.persist(record);
    // Redrive re-enters the state that was running when the execution stopped.
    const from: Checkpoint | undefined = checkpoint
      ? {
          state: checkpoint.state,
          input: checkpoint.input,
          variables: checkpoint.variables,
          historyLength: events.length,
          threadLast: events.length,
        }
      : undefined;
    this.publishStatusChange(record);
    this.run(record, events, from, {
      type: 'ExecutionRedriven',
      details: { redriveCount: record.redriveCount },
    });
    return { redriveDate: seconds(record.redriveDate) };
  }

  /** Resumes an execution that was RUNNING when the service last stopped. */
  private resume(record: ExecutionRecord): void {
    const definition = parseDefinition(record.definition);
    const checkpoint: Checkpoint = this.store.loadCheckpoint(record.executionArn) ?? {
      state: definition.StartAt,
      input: record.input,
      variables: {},
      historyLength: 1,
      threadLast: 0,
    };
    // Events after the checkpoint came from work the resumed execution will do again.
    const events = this.store.loadHistory(record.executionArn).slice(0, checkpoint.historyLength);
    this.store.rewriteHistory(record.executionArn, events);
    this.run(record, events, checkpoint);
  }

  private run(
    record: ExecutionRecord,
    events: HistoryEvent[],
    checkpoint?: Checkpoint,
    opening?: { type: string; details: Record<string, unknown> },
  ): void {
    const persistent = record.type === 'STANDARD';
    const execution = new Execution(
      {
        executionArn: record.executionArn,
        name: record.name,
        stateMachineArn: record.stateMachineArn,
        stateMachineName: record.stateMachineArn.split(':').at(-1) ?? '',
        roleArn: record.roleArn,
        region: this.account.region,
        definition: parseDefinition(record.definition),
        input: record.input,
        startTime: record.startDate,
        redriveCount: record.redriveCount,
        ...(record.type === 'EXPRESS' ? { maxDurationSeconds: EXPRESS_MAX_SECONDS } : {}),
      },
      {
        clock: this.clock,
        tasks: this.enginePort,
        tokens: this.tokens,
        ...(this.options.checkPermission ? { checkPermission: this.options.checkPermission } : {}),
        enforceIam: this.options.enforceIam ?? false,
        ...(this.options.log ? { log: this.options.log } : {}),
        nested: this.nested(),
        ...(persistent
          ? {
              onEvent: (event: HistoryEvent) => this.store.appendEvent(record.executionArn, event),
              onCheckpoint: (point: Checkpoint) => this.store.saveCheckpoint(record.executionArn, point),
            }
          : {}),
        onEnd: (ended) => {
          Object.assign(record, ended.result());
          if (ended.stopDate !== undefined) record.stopDate = ended.stopDate;
          this.persist(record);
          this.live.delete(record.executionArn);
          // An execution abandoned by close() did not change status in AWS's sense: the cloud stopped.
          if (!this.closed) this.publishStatusChange(record);
        },
      },
      events,
    );
    this.live.set(record.executionArn, { record, execution });
    if (opening) execution.history.add({ last: events.length }, opening.type, opening.details);
    void execution.start(checkpoint);
  }

  /** AWS's 'Step Functions Execution Status Change' event on the default bus; Express executions emit none. */
  private publishStatusChange(record: ExecutionRecord): void {
    const { publishEvents } = this.options;
    if (!publishEvents || record.type !== 'STANDARD') return;
    const entry: EventEntry = {
      Source: 'aws.states',
      DetailType: 'Step Functions Execution Status Change',
      Resources: [record.executionArn],
      Time: new Date(this.clock.now()),
      Detail: JSON.stringify(statusChangeDetail(record, this.redriveStatus(record))),
    };
    const status = record.status;
    const report = (reason: string) =>
      this.options.log?.(
        `stepfunctions: could not publish the ${status} status change of ${record.executionArn}: ${reason}`,
      );
    publishEvents([entry]).then(
      ({ failedEntryCount }) => {
        if (failedEntryCount > 0) report('the default bus refused the event');
      },
      (error: unknown) => report(error instanceof Error ? error.message : String(error)),
    );
  }

  private persist(record: ExecutionRecord): void {
    if (record.type === 'STANDARD') this.store.saveExecution(record);
  }

  /** `states:startExecution(.sync)` from a Task: served by this service itself. */
  private nested(): NestedExecutions {
    return {
      start: async (input) => {
        const record = this.startExecution({
          stateMachineArn: String(input.StateMachineArn),
          ...(typeof input.Name === 'string' ? { name: input.Name } : {}),
          ...(input.Input !== undefined
            ? { input: typeof input.Input === 'string' ? input.Input : JSON.stringify(input.Input) }
            : {}),
        });
        return { executionArn: record.executionArn, startDate: record.startDate };
      },
      waitForCompletion: async (executionArn) =>
        this.describeExecution(await this.waitForExecution(executionArn)),
    };
  }

  /** The engine's port, with Step Functions' own API answered here rather than sent out. */
  private selfAwarePort(tasks: TaskPort): TaskPort {
    return {
      invokeLambda: (functionName, payload, options) => tasks.invokeLambda(functionName, payload, options),
      scheduleActivity: (activityArn, task, onStarted) =>
        this.activities.schedule(activityArn, task, onStarted),
      callAws: async (service, action, input, options) => {
        if (service !== 'states' && service !== 'sfn') return tasks.callAws(service, action, input, options);
        const operation = this.edgeService.operations[action];
        if (!operation) throw new AwsCallError('UnknownOperationException', `Unknown operation ${action}`);
        try {
          return await operation(input, {
            region: this.account.region,
            accountId: this.account.accountId,
            requestId: randomUUID(),
          });
        } catch (error) {
          if (error instanceof AwsServiceError)
            throw new AwsCallError(error.code, error.message, error.statusCode);
          throw error;
        }
      },
    };
  }

  private validateOrThrow(definition: unknown): void {
    const result = validateDefinition(JSON.stringify(definition));
    if (result.result !== 'OK') {
      const first = result.diagnostics[0];
      throw new AwsServiceError(
        'InvalidDefinition',
        `Invalid State Machine Definition: '${first?.code ?? 'SCHEMA_VALIDATION_FAILED'}: ${first?.message ?? 'invalid'}'`,
      );
    }
  }

  private arn(resource: string, name: string): string {
    return `arn:aws:states:${this.account.region}:${this.account.accountId}:${resource}:${name}`;
  }

  private checkArn(arn: unknown, resource: string): asserts arn is string {
    if (
      typeof arn !== 'string' ||
      !new RegExp(`^arn:aws[a-z-]*:states:[^:]+:\\d{12}:${resource}:`).test(arn)
    ) {
      throw new AwsServiceError('InvalidArn', `Invalid Arn: '${String(arn)}'`);
    }
  }

  private machine(stateMachineArn: string | undefined): StateMachineRecord {
    this.checkArn(stateMachineArn, 'stateMachine');
    const machine = this.machines.get(stateMachineArn);
    if (!machine)
      throw new AwsServiceError(
        'StateMachineDoesNotExist',
        `State Machine Does Not Exist: '${stateMachineArn}'`,
      );
    return machine;
  }

  private describeRecord(executionArn: string | undefined): ExecutionRecord {
    this.checkArn(executionArn, '(?:execution|express)');
    const record = this.executions.get(executionArn);
    if (!record)
      throw new AwsServiceError('ExecutionDoesNotExist', `Execution Does Not Exist: '${executionArn}'`);
    return record;
  }
}

/** Status-change events leave out input and output past this, to stay within EventBridge's event size. */
const EVENT_PAYLOAD_BYTES = 248 * 1024;

/**
 * The detail of a status-change event: epoch milliseconds, every member present (null when it does not
 * apply), input and output as JSON text, as AWS sends them. As AWS, an output over 248 KiB is left out, and
 * the input when input and output together are over it (`inputDetails` / `outputDetails` say so).
 */
function statusChangeDetail(record: ExecutionRecord, redriveStatus: string): Record<string, unknown> {
  const succeeded = record.status === 'SUCCEEDED';
  const input = JSON.stringify(record.input);
  const output = succeeded ? JSON.stringify(record.output ?? null) : undefined;
  const bytes = (text: string | undefined) => (text === undefined ? 0 : Buffer.byteLength(text, 'utf8'));
  const outputIncluded = bytes(output) <= EVENT_PAYLOAD_BYTES;
  const inputIncluded = bytes(input) + (outputIncluded ? bytes(output) : 0) <= EVENT_PAYLOAD_BYTES;
  return {
    executionArn: record.executionArn,
    stateMachineArn: record.stateMachineArn,
    name: record.name,
    status: record.status,
    startDate: record.startDate,
    stopDate: record.stopDate ?? null,
    input: inputIncluded ? input : null,
    output: output !== undefined && outputIncluded ? output : null,
    inputDetails: { included: inputIncluded },
    outputDetails: output !== undefined ? { included: outputIncluded } : null,
    error: record.error ?? null,
    cause: record.cause ?? null,
    stateMachineVersionArn: null,
    stateMachineAliasArn: null,
    redriveCount: record.redriveCount,
    redriveDate: record.redriveDate ?? null,
    redriveStatus,
    redriveStatusReason:
      redriveStatus === 'REDRIVABLE' ? null : `Execution is ${record.status} and cannot be redriven`,
  };
}

/** The fields DescribeExecution and ListExecutions both answer with. */
function executionSummary(record: ExecutionRecord) {
  return {
    ...pickFields(record, ['executionArn', 'stateMachineArn', 'name', 'status']),
    startDate: seconds(record.startDate),
    ...(record.stopDate !== undefined ? { stopDate: seconds(record.stopDate) } : {}),
  };
}

function parseDefinition(text: string): MachineDefinition {
  try {
    return JSON.parse(text) as MachineDefinition;
  } catch (error) {
    throw new AwsServiceError(
      'InvalidDefinition',
      `Invalid State Machine Definition: 'INVALID_JSON_DESCRIPTION: ${(error as Error).message}'`,
    );
  }
}

/**
 * StartExecution's `input` is modelled with a maximum length of 262144, counted in UTF-8 bytes; like every
 * modelled constraint it is checked before the request does anything, with the generic constraint error.
 */
function checkInputSize(text: string | undefined): void {
  if (typeof text === 'string' && Buffer.byteLength(text, 'utf8') > MAX_INPUT_BYTES) {
    throw new AwsServiceError(
      'ValidationException',
      validationMessage([{ member: 'input', constraint: constraint.maxLength(MAX_INPUT_BYTES) }]),
    );
  }
}

function parseInput(text: string | undefined): unknown {
  if (text === undefined || text === '') return {};
  try {
    return JSON.parse(text);
  } catch {
    throw new AwsServiceError(
      'InvalidExecutionInput',
      'Invalid execution input: the input is not valid JSON',
    );
  }
}

interface Diagnostic {
  severity: 'ERROR';
  code: string;
  message: string;
}

function validateDefinition(text: string | undefined): {
  result: 'OK' | 'FAIL';
  diagnostics: Diagnostic[];
  truncated: boolean;
} {
  let definition: unknown;
  try {
    definition = JSON.parse(String(text));
  } catch (error) {
    return {
      result: 'FAIL',
      diagnostics: [
        { severity: 'ERROR', code: 'INVALID_JSON_DESCRIPTION', message: (error as Error).message },
      ],
      truncated: false,
    };
  }
  // The validator writes defaults into what it checks; give it a copy.
  const outcome = aslValidator(structuredClone(definition), {
    checkPaths: true,
    checkArn: false,
  });
  return {
    result: outcome.isValid ? 'OK' : 'FAIL',
    diagnostics: outcome.errors.map((error) => ({
      severity: 'ERROR',
      code: 'SCHEMA_VALIDATION_FAILED',
      message: String(error['Error code'] ?? '') + (error.Message ? `: ${error.Message}` : ''),
    })),
    truncated: false,
  };
}

function withoutData<T extends Record<string, unknown>>(event: T): T {
  const copy: Record<string, unknown> = { ...event };
  for (const [key, value] of Object.entries(copy)) {
    if (key.endsWith('EventDetails') && value && typeof value === 'object') {
      const { input: _input, output: _output, ...rest } = value as Record<string, unknown>;
      copy[key] = rest;
    }
  }
  return copy as T;
}

const invalidToken = (): AwsServiceError => new AwsServiceError('InvalidToken', 'Invalid pagination token');
const activityKey = (activity: { creationDate: number; activityArn: string }): string =>
  `${numberKey(activity.creationDate * 1000)}/${activity.activityArn}`;

/** The page answered under `key`, each item as `render` shows it; maxResults 0 or absent means 100. */
function pageOf<T>(
  items: readonly T[],
  input: { readonly maxResults?: number | undefined; readonly nextToken?: string | undefined },
  paging: Omit<ListPaging<T>, 'invalidToken'>,
  key: string,
  render: (item: T) => unknown = (item) => item,
): Record<string, unknown> {
  const page = paginate(
    items,
    { token: input.nextToken, pageSize: input.maxResults && input.maxResults > 0 ? input.maxResults : 100 },
    { ...paging, invalidToken },
  );
  return { [key]: page.items.map(render), ...(page.nextToken ? { nextToken: page.nextToken } : {}) };
}
