/**
 * The local Lambda runtime: runs each registered function's bundled code in worker threads (see sandbox.ts)
 * and answers invocations as the Invoke API does. Synchronous invocations return the function's result or
 * error document; asynchronous ones (`Event`) are queued and retried on error, one minute and then two
 * minutes later on the shared clock (so a clock jump fires the retries), as Lambda does: twice within six
 * hours unless the function's event invoke configuration says otherwise. A finished one's record then goes to
 * the configuration's OnSuccess or OnFailure destination, if it names one (async-destinations.ts).
 *
 * Every accepted `Event` invocation is journalled (async-journal.ts) before Invoke answers 202 and until it
 * finished or was dropped and its destination, if any, accepted its record, so a restart on the same state
 * directory resumes it with its attempt count and due time, or resends the record: at-least-once, as
 * Lambda's own async queue. A stopped runtime leaves the journal to the next one.
 */
import { randomUUID } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { dirname, join } from 'node:path';
import { Clock, type TimerHandle } from '../clock';
import type { RestJsonService } from '../edge/contracts';
import type { LocalAccount, TargetPorts } from '../shared/ports';
import { retryDelayMs, sendToTarget } from '../shared/targets';
import {
  functionNotFound,
  invalidParameterValue,
  invalidRequestContent,
  payloadTooLarge,
  reservedConcurrencyThrottled,
} from './api-errors';
import {
  afterEventAttempt,
  checkedEventInvokeConfig,
  destinationDelivery,
  destinationFor,
  type EventInvokeConfig,
  type FinishCondition,
  invocationRecord,
  type PendingDestination,
} from './async-destinations';
import { AsyncInvocationJournal, type PendingInvocation } from './async-journal';
import { CpuGauge } from './cpu-gauge';
import { FUNCTION_VERSION, logGroupNameOf, newLogStreamName, sandboxEnvironment } from './environment';
import { LAMBDA_RESPONSE_LIMIT_BYTES, responseTooLargeError } from './function-errors';
import { InstancePool } from './instance-pool';
import { LogStore } from './log-store';
import { Sandbox, type SandboxResult } from './sandbox';
import { lambdaEdgeService } from './service';
import type {
  InvocationRecord,
  InvocationType,
  InvokeOptions,
  InvokeResult,
  LocalFunctionConfig,
  LogEvent,
} from './types';

export interface LambdaRuntimeOptions {
  readonly account: LocalAccount;
  /** Where the functions' SDK clients send their calls (AWS_ENDPOINT_URL). */
  readonly edgeUrl: string;
  /** With a folder, each function's log is also appended to `<logDir>/<functionName>.log`. */
  readonly logDir?: string;
  /**
   * Where accepted `Event` invocations are journalled until they finish, for a restart to resume them. By
   * default the `async` folder beside `logDir` (`${stateDir}/lambda/async`, as services.ts lays the state
   * directory out); with neither, async invocations live in memory only.
   */
  readonly asyncJournalDir?: string;
  /** Times the async retries; default: a real-time clock. */
  readonly clock?: Clock;
  /** Environments per function when it has no reserved concurrency (further invocations wait). */
  readonly maxConcurrencyPerFunction?: number;
  /** Environments per function created without delay (default: one per core, at least 2); see InstancePool. */
  readonly eagerEnvironmentsPerFunction?: number;
  /** How long an invocation waits for a busy environment before the pool grows past the eager ones. */
  readonly scaleOutDelayMs?: number;
  readonly idleTimeoutMs?: number;
  readonly onLog?: (functionName: string, event: LogEvent) => void;
  /** Where the invocation records of finished `Event` invocations go; without, destinations are ignored. */
  readonly destinations?: TargetPorts;
}

/** A registered function as the Lambda API describes it. */
export interface FunctionDescription {
  readonly config: LocalFunctionConfig;
  readonly lastModified: Date;
  readonly revisionId: string;
}

/** A function's event invoke configuration and when it was last put. */
export interface StoredEventInvokeConfig {
  readonly config: EventInvokeConfig;
  readonly lastModified: Date;
}

interface RegisteredFunction extends FunctionDescription {
  readonly pool: InstancePool<Sandbox>;
}

interface Invocation {
  readonly functionName: string;
  readonly requestId: string;
  readonly payload: string;
  readonly clientContext?: unknown;
  readonly invocationType: InvocationType;
  readonly attempt: number;
}

interface AttemptResult {
  readonly payload: string;
  readonly functionError?: 'Unhandled';
}

const SYNC_PAYLOAD_LIMIT_BYTES = 6_291_456;
const ASYNC_PAYLOAD_LIMIT_BYTES = 1_048_576;
/**
 * How long an invocation read back at start waits for its function to be deployed again before it is
 * dropped: six hours, Lambda's default MaximumEventAgeInSeconds. Counted from the start, not from the event's
 * acceptance, so that downtime alone never discards an event.
 */
const UNCLAIMED_TIMEOUT_MS = 6 * 3_600_000;
/** How long a graceful stop lets running Event attempts finish: well inside what a Ctrl-C user waits. */
const DRAIN_GRACE_MS = 5_000;

export class LambdaRuntime {
  private readonly functions = new Map<string, RegisteredFunction>();
  /** Each function's event invoke configuration, by function name: kept when the function is replaced. */
  private readonly invokeConfigs = new Map<string, StoredEventInvokeConfig>();
  private readonly logStore: LogStore;
  private readonly clock: Clock;
  private readonly listeners = new Set<(record: InvocationRecord) => void>();
  /** The clock timer of each async invocation waiting for a (re)try, by request id. */
  private readonly retryTimers = new Map<string, TimerHandle>();
  private readonly cpu = new CpuGauge();
  private readonly journal: AsyncInvocationJournal;
  /**
   * Invocations read back from the journal whose function is not registered yet, by function name, oldest
   * first: the local cloud redeploys its templates after the services start.
   */
  private readonly unclaimed = new Map<string, PendingInvocation[]>();
  private unclaimedTimer: TimerHandle | undefined;
  private stopped = false;
  /** Set by drain(): no Event attempt starts any more; accepted ones stay journalled for the next start. */
  private draining = false;
  /** Event attempts under way, for drain() to let them finish and be recorded. */
  private readonly runningEvents = new Set<Promise<void>>();
  private apiService: RestJsonService | undefined;

  constructor(private readonly options: LambdaRuntimeOptions) {
    this.logStore = new LogStore(options.logDir);
    this.clock = options.clock ?? new Clock('real');
    const journalDir =
      options.asyncJournalDir ??
      (options.logDir === undefined ? undefined : join(dirname(options.logDir), 'async'));
    this.journal = new AsyncInvocationJournal(journalDir);
    const unfinished = this.journal
      .pending()
      .sort((a, b) => a.dueAt - b.dueAt || a.acceptedAt - b.acceptedAt);
    for (const invocation of unfinished) {
      const waiting = this.unclaimed.get(invocation.functionName) ?? [];
      waiting.push(invocation);
      this.unclaimed.set(invocation.functionName, waiting);
    }
    if (this.unclaimed.size > 0) {
      this.unclaimedTimer = this.clock.after(UNCLAIMED_TIMEOUT_MS, () => {
        this.unclaimedTimer = undefined;
        for (const functionName of [...this.unclaimed.keys()]) this.dropUnclaimed(functionName);
      });
    }
  }

  /** Accepted `Event` invocations not finished: queued, running, awaiting a retry or their function. */
  pendingAsync(): PendingInvocation[] {
    return this.journal.pending();
  }

  /** The Lambda API for the edge server (restJson1, signing name `lambda`). */
  get edgeService(): RestJsonService {
    this.apiService ??= lambdaEdgeService(this);
    return this.apiService;
  }

  /** Adds a function, or replaces it (new code or configuration): its warm environments are retired. */
  register(config: LocalFunctionConfig): void {
    this.install(config, { lastModified: new Date(), revisionId: randomUUID() });
    // Events an earlier run accepted for this function: due ones run at once, oldest first (the clock fires
    // timers in due order), pending retries when their time comes.
    const resumed = this.unclaimed.get(config.functionName);
    if (!resumed) return;
    this.unclaimed.delete(config.functionName);
    for (const invocation of resumed) this.schedule(invocation);
    this.releaseUnclaimedTimer();
  }

  unregister(functionName: string): void {
    this.functions.get(functionName)?.pool.retire();
    this.functions.delete(functionName);
    this.logStore.forget(functionName);
    this.invokeConfigs.delete(functionName);
    // Lambda drops the queued events of a deleted function; the ones queued or running here fail to find it.
    this.dropUnclaimed(functionName);
  }

  /** PutFunctionConcurrency / DeleteFunctionConcurrency (undefined); code, version and revision stay. */
  setReservedConcurrency(functionNameOrArn: string, reservedConcurrency: number | undefined): void {
    const registered = this.lookup(functionNameOrArn);
    this.install({ ...registered.config, reservedConcurrency }, registered);
  }

  /** PutFunctionEventInvokeConfig (AWS::Lambda::EventInvokeConfig): replaces the function's whole config. */
  putEventInvokeConfig(functionNameOrArn: string, config: EventInvokeConfig, qualifier?: string): void {
    const { functionName } = this.lookup(functionNameOrArn, qualifier).config;
    const stored = { config: checkedEventInvokeConfig(config), lastModified: new Date(this.clock.now()) };
    this.invokeConfigs.set(functionName, stored);
  }

  /** GetFunctionEventInvokeConfig; undefined when the function has none. */
  eventInvokeConfig(functionNameOrArn: string, qualifier?: string): StoredEventInvokeConfig | undefined {
    return this.invokeConfigs.get(this.lookup(functionNameOrArn, qualifier).config.functionName);
  }

  private install(
    config: LocalFunctionConfig,
    version: Pick<FunctionDescription, 'lastModified' | 'revisionId'>,
  ): void {
    this.functions.get(config.functionName)?.pool.retire();
    const reserved = config.reservedConcurrency;
    const pool = new InstancePool({
      create: () => this.createSandbox(config),
      concurrency: reserved ?? this.options.maxConcurrencyPerFunction ?? 8,
      throttles: reserved !== undefined,
      eagerEnvironments: this.options.eagerEnvironmentsPerFunction ?? Math.max(2, availableParallelism()),
      scaleOutDelayMs: this.options.scaleOutDelayMs ?? 100,
      hasSpareCpu: () => this.cpu.idleCores >= 1,
      idleTimeoutMs: this.options.idleTimeoutMs ?? 10 * 60_000,
    });
    this.functions.set(config.functionName, {
      config,
      pool,
      lastModified: version.lastModified,
      revisionId: version.revisionId,
    });
  }

  /** Finds a function by name, ARN or partial ARN (`123456789012:function:name`), optionally qualified. */
  describe(functionNameOrArn: string, qualifier?: string): FunctionDescription {
    return this.lookup(functionNameOrArn, qualifier);
  }

  /** Sorted by name in code-unit order, which ListFunctions' marker relies on. */
  list(): FunctionDescription[] {
    const byName = [...this.functions.values()];
    return byName.sort((a, b) => (a.config.functionName < b.config.functionName ? -1 : 1));
  }

  async invoke(
    functionNameOrArn: string,
    payload: string,
    options: InvokeOptions = {},
  ): Promise<InvokeResult> {
    const invocationType = options.invocationType ?? 'RequestResponse';
    const { config } = this.lookup(functionNameOrArn, options.qualifier);
    const event = checkedPayload(payload, invocationType);
    const requestId = randomUUID();
    if (invocationType === 'DryRun') return { statusCode: 204, requestId };
    const clientContext = decodeClientContext(options.clientContext);
    if (invocationType === 'Event') {
      const now = this.clock.now();
      const pending: PendingInvocation = {
        requestId,
        functionName: config.functionName,
        payload: event,
        ...(clientContext === undefined ? {} : { clientContext }),
        attempt: 0,
        dueAt: now,
        acceptedAt: now,
      };
      // On disk before the 202: an acknowledged event survives a crash from here on.
      this.journal.put(pending);
      if (!this.draining) this.runEvent(pending);
      return { statusCode: 202, requestId };
    }
    const invocation: Invocation = {
      functionName: config.functionName,
      requestId,
      payload: event,
      clientContext,
      invocationType,
      attempt: 0,
    };
    const result = await this.attempt(invocation, false);
    return {
      statusCode: 200,
      payload: result.payload,
      functionError: result.functionError,
      logResult: options.logType === 'Tail' ? this.logStore.tail(config.functionName, requestId) : undefined,
      executedVersion: FUNCTION_VERSION,
      requestId,
    };
  }

  /** The function's most recent log events, oldest first (START/END/REPORT lines included). */
  logs(functionName: string, options: { limit?: number; requestId?: string } = {}): LogEvent[] {
    return this.logStore.list(functionName, options);
  }

  /** Called after every attempt of every invocation; returns an unsubscribe function. */
  onInvocation(listener: (record: InvocationRecord) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  /**
   * The first half of a graceful stop, while the edge still answers the functions' SDK calls: no Event
   * attempt starts any more, and those under way get up to `graceMs` (real time: a manual clock must not
   * hold a stop) to finish and be recorded, so that a Ctrl-C does not run them a second time after the
   * restart. New and retried events stay in the journal for the next start.
   */
  async drain(graceMs = DRAIN_GRACE_MS): Promise<void> {
    this.draining = true;
    for (const timer of this.retryTimers.values()) this.clock.cancel(timer);
    this.retryTimers.clear();
    if (this.runningEvents.size === 0) return;
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<void>((resolve) => {
      timer = setTimeout(resolve, graceMs);
    });
    await Promise.race([Promise.allSettled([...this.runningEvents]), deadline]);
    clearTimeout(timer);
  }

  /**
   * Stops every environment, busy or not, and every pending async retry. Unfinished async invocations,
   * running ones included, stay in the journal for the next start (at-least-once).
   */
  shutdown(): void {
    // First: the attempts the retired environments abort must not count as failures or completions.
    this.stopped = true;
    for (const timer of this.retryTimers.values()) this.clock.cancel(timer);
    this.retryTimers.clear();
    this.releaseUnclaimedTimer(true);
    this.unclaimed.clear();
    for (const { pool } of this.functions.values()) pool.retire(true);
    this.functions.clear();
    this.logStore.close();
    this.cpu.stop();
  }

  private lookup(functionNameOrArn: string, qualifier?: string): RegisteredFunction {
    const parsed = parseFunctionIdentifier(functionNameOrArn);
    const version = qualifier ?? parsed.qualifier;
    const registered = this.functions.get(parsed.name);
    const arn = this.functionArnOf(parsed.name);
    if (!registered || (parsed.arn !== undefined && parsed.arn !== arn)) {
      throw functionNotFound(parsed.arn ?? arn);
    }
    if (version !== undefined && version !== FUNCTION_VERSION) throw functionNotFound(`${arn}:${version}`);
    return registered;
  }

  private arnOf(functionName: string): string {
    const { region, accountId } = this.options.account;
    return `arn:aws:lambda:${region}:${accountId}:function:${functionName}`;
  }

  private createSandbox(config: LocalFunctionConfig): Sandbox {
    const logStreamName = newLogStreamName(new Date());
    return new Sandbox({
      data: {
        codeDirectory: config.codeDirectory,
        handler: config.handler,
        functionName: config.functionName,
        functionVersion: FUNCTION_VERSION,
        memoryLimitInMB: String(config.memorySizeMb),
        logGroupName: logGroupNameOf(config.functionName),
        logStreamName,
        clockView: this.clock.view,
      },
      env: sandboxEnvironment(config, this.options.account, this.options.edgeUrl, logStreamName),
      memorySizeMb: config.memorySizeMb,
      onLog: (timestamp, message, requestId) =>
        this.appendLog(config.functionName, { timestamp, message, requestId, logStreamName }),
    });
  }

  private appendLog(functionName: string, event: LogEvent): void {
    this.logStore.append(functionName, event);
    this.options.onLog?.(functionName, event);
  }

  /** One attempt in an environment of the function as registered now (it may be replaced meanwhile). */
  private async attempt(invocation: Invocation, waitForCapacity: boolean): Promise<AttemptResult> {
    for (;;) {
      const registered = this.functions.get(invocation.functionName);
      if (!registered) throw functionNotFound(this.arnOf(invocation.functionName));
      const acquired = await registered.pool.acquire(waitForCapacity);
      if (acquired === 'retired') continue;
      if (acquired === 'throttled') throw reservedConcurrencyThrottled();
      try {
        return await this.run(registered.config, acquired.sandbox, invocation);
      } finally {
        registered.pool.release(acquired.sandbox);
      }
    }
  }

  private async run(
    config: LocalFunctionConfig,
    sandbox: Sandbox,
    invocation: Invocation,
  ): Promise<AttemptResult> {
    const { requestId } = invocation;
    const log = (message: string): void =>
      this.appendLog(config.functionName, {
        timestamp: Date.now(),
        message,
        requestId,
        logStreamName: sandbox.logStreamName,
      });
    await sandbox.whenInitialised();
    log(`START RequestId: ${requestId} Version: ${FUNCTION_VERSION}`);
    const result = await sandbox.invoke({
      requestId,
      payload: invocation.payload,
      invokedFunctionArn: config.functionArn,
      clientContext: invocation.clientContext,
      timeoutSeconds: config.timeoutSeconds,
    });
    const { outcome } = result;
    if (outcome.kind === 'timeout') {
      log(
        `${new Date().toISOString()} ${requestId} Task timed out after ${config.timeoutSeconds.toFixed(2)} seconds`,
      );
    }
    log(`END RequestId: ${requestId}`);
    log(reportLine(requestId, config, result));
    // The invocation's lines are in the file by the time its caller hears back.
    this.logStore.flush();
    let attempt: AttemptResult;
    if (outcome.kind !== 'response') {
      attempt = { payload: JSON.stringify(outcome.error), functionError: 'Unhandled' };
    } else if (Buffer.byteLength(outcome.payload) > LAMBDA_RESPONSE_LIMIT_BYTES) {
      attempt = { payload: JSON.stringify(responseTooLargeError()), functionError: 'Unhandled' };
    } else {
      attempt = { payload: outcome.payload };
    }
    const record: InvocationRecord = {
      functionName: config.functionName,
      requestId,
      invocationType: invocation.invocationType,
      attempt: invocation.attempt,
      payload: attempt.payload,
      functionError: attempt.functionError,
    };
    for (const listener of this.listeners) listener(record);
    return attempt;
  }

  /** Starts the invocation's next attempt, or the next send of its record once it finished. */
  private runEvent(pending: PendingInvocation): void {
    const running = pending.destination
      ? this.sendRecord(pending, pending.destination)
      : this.attemptEvent(pending);
    this.runningEvents.add(running);
    void running.finally(() => this.runningEvents.delete(running));
  }

  private attemptEvent(pending: PendingInvocation): Promise<void> {
    return this.attempt({ ...pending, invocationType: 'Event' }, true).then(
      (result) => {
        // A stopped runtime leaves the record alone: the next start owns the journal.
        if (this.stopped) return;
        const config = this.invokeConfigs.get(pending.functionName)?.config;
        const failed = result.functionError !== undefined;
        const now = this.clock.now();
        const decision = afterEventAttempt(
          config,
          { number: pending.attempt, failed, acceptedAt: pending.acceptedAt },
          now,
        );
        if ('finished' in decision) {
          this.finish(pending, result, destinationFor(config, decision.finished), decision.finished);
          return;
        }
        const retry = { ...pending, attempt: pending.attempt + 1, dueAt: decision.retryAt };
        this.journal.put(retry);
        this.schedule(retry);
      },
      () => {
        // The function was deleted while the event waited: Lambda drops such events too.
        if (!this.stopped) this.journal.done(pending.requestId);
      },
    );
  }

  /** Clears the invocation, or journals its record for the destination its configuration names. */
  private finish(
    pending: PendingInvocation,
    result: AttemptResult,
    targetArn: string | undefined,
    condition: FinishCondition,
  ): void {
    if (targetArn === undefined || this.options.destinations === undefined) {
      this.journal.done(pending.requestId);
      return;
    }
    const now = this.clock.now();
    const attempt = {
      requestId: pending.requestId,
      functionArn: this.functionArnOf(pending.functionName),
      requestPayload: pending.payload,
      responsePayload: result.payload,
      ...(result.functionError ? { functionError: result.functionError } : {}),
      invokeCount: pending.attempt + 1,
    };
    const record = invocationRecord(attempt, condition, now);
    const destination = { targetArn, record, succeeded: condition === 'Success', failedSends: 0 };
    const sending = { ...pending, destination, dueAt: now };
    this.journal.put(sending);
    this.schedule(sending);
  }

  /** Clears the invocation once its destination accepted the record; a refusal is retried, backing off. */
  private async sendRecord(pending: PendingInvocation, destination: PendingDestination): Promise<void> {
    const ports = this.options.destinations;
    const delivery = destinationDelivery(destination, this.functionArnOf(pending.functionName));
    try {
      // Read back by a runtime without destinations: kept for one that has them.
      if (ports === undefined) throw new Error('no destinations are wired');
      await sendToTarget(ports, destination.targetArn, delivery);
    } catch {
      if (this.stopped) return;
      const failedSends = destination.failedSends + 1;
      const dueAt = this.clock.now() + retryDelayMs(failedSends);
      const retry = { ...pending, destination: { ...destination, failedSends }, dueAt };
      this.journal.put(retry);
      this.schedule(retry);
      return;
    }
    if (!this.stopped) this.journal.done(pending.requestId);
  }

  private functionArnOf(functionName: string): string {
    return this.functions.get(functionName)?.config.functionArn ?? this.arnOf(functionName);
  }

  /** Runs the invocation once the clock reaches its due time (on the next tick if that has passed). */
  private schedule(pending: PendingInvocation): void {
    if (this.draining) return;
    const timer = this.clock.at(pending.dueAt, () => {
      this.retryTimers.delete(pending.requestId);
      this.runEvent(pending);
    });
    this.retryTimers.set(pending.requestId, timer);
  }

  private dropUnclaimed(functionName: string): void {
    const dropped = this.unclaimed.get(functionName);
    if (!dropped) return;
    this.unclaimed.delete(functionName);
    for (const invocation of dropped) this.journal.done(invocation.requestId);
    this.releaseUnclaimedTimer();
  }

  /** Cancels the timer that drops unclaimed invocations once none is left (or, forced, on shutdown). */
  private releaseUnclaimedTimer(force = false): void {
    if (this.unclaimedTimer === undefined || (!force && this.unclaimed.size > 0)) return;
    this.clock.cancel(this.unclaimedTimer);
    this.unclaimedTimer = undefined;
  }
}

function reportLine(requestId: string, config: LocalFunctionConfig, result: SandboxResult): string {
  const { outcome } = result;
  const durationMs = outcome.kind === 'timeout' ? config.timeoutSeconds * 1000 : result.durationMs;
  const fields = [
    `REPORT RequestId: ${requestId}`,
    `Duration: ${durationMs.toFixed(2)} ms`,
    `Billed Duration: ${Math.max(1, Math.ceil(durationMs + (result.initDurationMs ?? 0)))} ms`,
    `Memory Size: ${config.memorySizeMb} MB`,
    `Max Memory Used: ${result.maxMemoryUsedMb} MB`,
  ];
  if (result.initDurationMs !== undefined)
    fields.push(`Init Duration: ${result.initDurationMs.toFixed(2)} ms`);
  if (outcome.kind === 'timeout') fields.push('Status: timeout');
  if (outcome.kind === 'crash') fields.push('Status: error', `Error Type: ${outcome.error.errorType}`);
  return fields.join('\t');
}

interface FunctionIdentifier {
  readonly name: string;
  readonly qualifier?: string;
  /** Set when the caller gave a full ARN (without qualifier), which must then match the function's. */
  readonly arn?: string;
}

/** `name`, `name:qualifier`, `123456789012:function:name[:qualifier]` or a full ARN. */
function parseFunctionIdentifier(identifier: string): FunctionIdentifier {
  const parts = identifier.split(':');
  if (parts[0] === 'arn' && parts[5] === 'function' && parts[6]) {
    return { name: parts[6], qualifier: parts[7], arn: parts.slice(0, 7).join(':') };
  }
  if (parts[1] === 'function' && parts[2]) return { name: parts[2], qualifier: parts[3] };
  return { name: parts[0] ?? identifier, qualifier: parts[1] };
}

function checkedPayload(payload: string, invocationType: InvocationType): string {
  const limit = invocationType === 'Event' ? ASYNC_PAYLOAD_LIMIT_BYTES : SYNC_PAYLOAD_LIMIT_BYTES;
  const size = Buffer.byteLength(payload);
  if (size > limit) throw payloadTooLarge(size, invocationType, limit);
  // An empty payload reaches the handler as an empty object.
  if (payload.trim() === '') return '{}';
  try {
    JSON.parse(payload);
  } catch (error) {
    throw invalidRequestContent(
      `Could not parse request body into json: Could not parse payload into json: ${(error as Error).message}`,
    );
  }
  return payload;
}

function decodeClientContext(encoded: string | undefined): unknown {
  if (encoded === undefined || encoded === '') return undefined;
  try {
    return JSON.parse(Buffer.from(encoded, 'base64').toString('utf8'));
  } catch {
    throw invalidParameterValue('Client context must be a valid Base64-encoded JSON object.');
  }
}
