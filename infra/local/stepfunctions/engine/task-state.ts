/**
 * The Task state: builds the parameters, dispatches by resource ARN through the task port, waits for a
 * callback token when asked to, enforces TimeoutSeconds and HeartbeatSeconds on the shared clock, and
 * records the Task* (or legacy LambdaFunction*) history events.
 */
import type { TimerHandle } from '../../clock';
import { callerContextOf, integrationRequests } from '../../iam/integration-requests';
import { runtimeError, StatesError, toStatesError } from './errors';
import { jsonText, payloadDetails } from './history';
import {
  checkpointState,
  type ExecutionHost,
  invalidSetting,
  readSetting,
  type StateResult,
  type StateRun,
} from './interpreter';
import { isObject } from './json-values';
import { evaluateTemplate, type JsonataBindings } from './jsonata-eval';
import { compileTemplate } from './payload-template';
import type { DataScope } from './references';
import { TaskTokens } from './task-tokens';
import {
  AwsCallError,
  callService,
  integrationError,
  invokeLambda,
  parseResource,
  type TaskCallOptions,
  type TaskResource,
} from './tasks';
import { BranchAborted, type Frame } from './types';

export async function task(run: StateRun): Promise<StateResult> {
  const { state, frame, host } = run;
  if (typeof state.Resource !== 'string') throw runtimeError('A Task state needs a Resource');
  const resource = parseResource(state.Resource);
  const resumeToken = run.resume?.kind === 'token' ? run.resume : undefined;
  const token =
    resource.pattern === 'waitForTaskToken' ? (resumeToken?.token ?? TaskTokens.create()) : undefined;
  const context = token ? { ...run.context, Task: { Token: token } } : run.context;
  const scope: DataScope = { input: run.effectiveInput, context, variables: frame.variables };
  const bindings: JsonataBindings = { variables: frame.variables, states: { input: run.rawInput, context } };

  const timeoutSeconds = await durationField(run, scope, bindings, 'TimeoutSeconds');
  const heartbeatSeconds = await durationField(run, scope, bindings, 'HeartbeatSeconds');
  const parameters = await taskParameters(run, scope, bindings);
  const options: TaskCallOptions = {
    roleArn: host.roleArn,
    region: host.region,
    executionArn: host.executionArn,
    ...(token ? { taskToken: token } : {}),
  };
  const events = new TaskEvents(run, resource);
  if (!resumeToken) events.scheduled(parameters, timeoutSeconds, heartbeatSeconds);

  const deadline =
    resumeToken?.timeoutAt ??
    (timeoutSeconds !== undefined ? host.clock.now() + timeoutSeconds * 1000 : undefined);
  try {
    const work = resumeToken
      ? resumeAwaitingToken(run, resource, resumeToken.token, parameters, events, heartbeatSeconds)
      : dispatch(run, resource, parameters, options, events, token, heartbeatSeconds, deadline);
    const result = await host.scheduler.whileBlocked(
      frame.order,
      frame.abort.race(withTimeout(host, work, deadline)),
    );
    events.succeeded(result);
    return { result };
  } catch (thrown) {
    if (thrown instanceof BranchAborted) throw thrown;
    const error = toStatesError(thrown);
    if (error.error === 'States.Timeout' || error.error === 'States.HeartbeatTimeout') events.timedOut(error);
    else events.failed(error);
    throw error;
  } finally {
    if (token) host.tokens.release(token);
  }
}

async function taskParameters(run: StateRun, scope: DataScope, bindings: JsonataBindings): Promise<unknown> {
  const { state } = run;
  if (run.language === 'JSONata') {
    return 'Arguments' in state ? evaluateTemplate(state.Arguments, bindings, 'Arguments') : run.rawInput;
  }
  return isObject(state.Parameters) ? compileTemplate(state.Parameters)(scope) : run.effectiveInput;
}

/** TimeoutSeconds / HeartbeatSeconds: a number, a `...Path`, or a JSONata expression. */
async function durationField(
  run: StateRun,
  scope: DataScope,
  bindings: JsonataBindings,
  field: 'TimeoutSeconds' | 'HeartbeatSeconds',
): Promise<number | undefined> {
  const setting = await readSetting(run, field, scope, bindings);
  if (!setting) return undefined;
  if ('path' in setting && !setting.found.found) {
    throw runtimeError(`The ${field}Path parameter does not reference an input value: ${setting.path}`);
  }
  const value = 'path' in setting ? setting.found.value : setting.given;
  if (typeof value !== 'number' || !Number.isInteger(value) || value <= 0) {
    throw invalidSetting(run, `The ${field} field must be a positive integer: ${JSON.stringify(value)}`);
  }
  return value;
}

async function dispatch(
  run: StateRun,
  resource: TaskResource,
  parameters: unknown,
  options: TaskCallOptions,
  events: TaskEvents,
  token: string | undefined,
  heartbeatSeconds: number | undefined,
  deadline: number | undefined,
): Promise<unknown> {
  const { host } = run;
  if (resource.activity && token) {
    // The worker answers through the token; its IAM permissions are its own, not the execution role's.
    const answer = expectToken(run, token, heartbeatSeconds, deadline);
    scheduleActivity(run, resource, token, parameters, events);
    return answer;
  }
  checkPermission(host, resource, parameters);
  events.started();
  if (resource.legacyLambda) return invokeLambda(host.tasks, resource, resource.arn, parameters, options);
  const fields = isObject(parameters) ? parameters : {};
  if (token) {
    const answer = expectToken(run, token, heartbeatSeconds, deadline);
    const submitted = await callIntegration(run, resource, fields, options);
    events.submitted(submitted);
    return answer;
  }
  if (
    resource.service === 'states' &&
    resource.action === 'StartExecution' &&
    resource.pattern !== 'request-response'
  ) {
    return startNestedAndWait(run, resource, fields, events);
  }
  return callIntegration(run, resource, fields, options);
}

function callIntegration(
  run: StateRun,
  resource: TaskResource,
  fields: Record<string, unknown>,
  options: TaskCallOptions,
): Promise<unknown> {
  if (resource.service === 'lambda' && resource.action === 'Invoke') {
    const lambdaOptions =
      typeof fields.LogType === 'string' ? { ...options, logType: fields.LogType } : options;
    return invokeLambda(run.host.tasks, resource, String(fields.FunctionName), fields.Payload, lambdaOptions);
  }
  return callService(run.host.tasks, resource, fields, options);
}

async function startNestedAndWait(
  run: StateRun,
  resource: TaskResource,
  fields: Record<string, unknown>,
  events: TaskEvents,
): Promise<unknown> {
  const nested = run.host.nested;
  if (!nested) throw runtimeError('Nested executions (.sync) are not available here');
  let started: { executionArn: string; startDate: number };
  try {
    started = await nested.start(fields, run.host.executionArn);
  } catch (error) {
    throw integrationError(resource, error);
  }
  events.submitted({ ExecutionArn: started.executionArn, StartDate: started.startDate });
  const description = await nested.waitForCompletion(started.executionArn);
  if (description.Status !== 'SUCCEEDED') {
    throw new StatesError('States.TaskFailed', JSON.stringify(description));
  }
  if (resource.pattern === 'sync:2' && typeof description.Output === 'string') {
    return { ...description, Output: JSON.parse(description.Output) };
  }
  return description;
}

/**
 * Asks, before the call, whether the execution's role may make it: for each action-on-resource that IAM
 * would authorize (derived from the integration and the call's parameters, not from the integration ARN).
 * Every refusal is reported; with enforcement on, the first refuses the call as AWS would, with an
 * AccessDenied error of the integration.
 */
function checkPermission(host: ExecutionHost, resource: TaskResource, parameters: unknown): void {
  const { checkPermission: check } = host;
  if (!check) return;
  const requests = integrationRequests(resource.arn, parameters, callerContextOf(host.executionArn));
  let refusal: string | undefined;
  for (const { action, resource: target } of requests) {
    const verdict = check(host.roleArn, action, target);
    if (verdict === 'allowed') continue;
    host.log(`IAM: role ${host.roleArn} may not call ${action} on ${target}: ${verdict}`);
    refusal ??= verdict;
  }
  if (refusal !== undefined && host.enforceIam) {
    throw integrationError(resource, new AwsCallError('AccessDeniedException', refusal, 403));
  }
}

/**
 * Registers the task's token before anyone can answer it (the callee may answer before the call returns)
 * and checkpoints the state, so a restart waits for the same token.
 */
function expectToken(
  run: StateRun,
  token: string,
  heartbeatSeconds: number | undefined,
  deadline: number | undefined,
): Promise<unknown> {
  const { host, frame } = run;
  const answer = awaitToken(host, frame, token, heartbeatSeconds);
  // If the call out fails, nobody awaits the answer; keep its later rejection from going unhandled.
  answer.catch(() => undefined);
  checkpointState(host, frame, run.name, run.rawInput, {
    enteredEventId: run.enteredEventId,
    resume: {
      kind: 'token',
      token,
      ...(deadline !== undefined ? { timeoutAt: deadline } : {}),
      ...(heartbeatSeconds !== undefined ? { heartbeatSeconds } : {}),
    },
  });
  return answer;
}

/** After a restart: waits for the token again; an activity task is queued again, since queues are not kept. */
function resumeAwaitingToken(
  run: StateRun,
  resource: TaskResource,
  token: string,
  parameters: unknown,
  events: TaskEvents,
  heartbeatSeconds: number | undefined,
): Promise<unknown> {
  const answer = awaitToken(run.host, run.frame, token, heartbeatSeconds);
  if (resource.activity) {
    answer.catch(() => undefined);
    scheduleActivity(run, resource, token, parameters, events);
  }
  return answer;
}

function scheduleActivity(
  run: StateRun,
  resource: TaskResource,
  token: string,
  parameters: unknown,
  events: TaskEvents,
): void {
  const { tasks } = run.host;
  if (!tasks.scheduleActivity) throw runtimeError(`Activities are not hosted here: ${resource.arn}`);
  tasks.scheduleActivity(resource.arn, { token, input: jsonText(parameters) }, (workerName) =>
    events.activityStarted(workerName),
  );
}

/** Resolves with SendTaskSuccess's output, rejects on SendTaskFailure or a missed heartbeat. */
function awaitToken(
  host: ExecutionHost,
  frame: Frame,
  token: string,
  heartbeatSeconds: number | undefined,
): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let heartbeatTimer: TimerHandle | undefined;
    const armHeartbeat = () => {
      host.clock.cancel(heartbeatTimer);
      if (heartbeatSeconds === undefined) return;
      heartbeatTimer = host.clock.after(heartbeatSeconds * 1000, () => {
        host.tokens.release(token);
        reject(new StatesError('States.HeartbeatTimeout', undefined));
      });
    };
    armHeartbeat();
    const stopAbort = frame.abort.onAbort(() => host.clock.cancel(heartbeatTimer));
    const settle = () => {
      host.clock.cancel(heartbeatTimer);
      stopAbort();
      host.tokens.release(token);
    };
    host.tokens.register(token, {
      succeed: (output) => {
        settle();
        resolve(output);
      },
      fail: (error, cause) => {
        settle();
        reject(new StatesError(error ?? '', cause));
      },
      heartbeat: armHeartbeat,
    });
  });
}

function withTimeout<T>(host: ExecutionHost, work: Promise<T>, deadline: number | undefined): Promise<T> {
  if (deadline === undefined) return work;
  let timer: TimerHandle | undefined;
  const timedOut = new Promise<never>((_, reject) => {
    timer = host.clock.at(deadline, () => reject(new StatesError('States.Timeout', undefined)));
  });
  return Promise.race([work, timedOut]).finally(() => host.clock.cancel(timer));
}

/** Task* events for service integrations, LambdaFunction* events for plain function ARNs. */
class TaskEvents {
  constructor(
    private readonly run: StateRun,
    private readonly resource: TaskResource,
  ) {}

  private add(type: string, details?: Record<string, unknown>): void {
    this.run.frame.history.add(this.run.frame.thread, type, details);
  }

  private get ids(): Record<string, unknown> {
    return { resourceType: this.resource.resourceType, resource: this.resource.resource };
  }

  scheduled(
    parameters: unknown,
    timeoutSeconds: number | undefined,
    heartbeatSeconds: number | undefined,
  ): void {
    const timeouts = {
      ...(timeoutSeconds !== undefined ? { timeoutInSeconds: timeoutSeconds } : {}),
      ...(heartbeatSeconds !== undefined ? { heartbeatInSeconds: heartbeatSeconds } : {}),
    };
    if (this.resource.activity) {
      this.add('ActivityScheduled', {
        resource: this.resource.arn,
        ...payloadDetails('input', parameters),
        ...timeouts,
      });
    } else if (this.resource.legacyLambda) {
      this.add('LambdaFunctionScheduled', {
        resource: this.resource.arn,
        ...payloadDetails('input', parameters),
        ...timeouts,
      });
    } else {
      this.add('TaskScheduled', {
        ...this.ids,
        region: this.run.host.region,
        parameters: JSON.stringify(parameters),
        ...timeouts,
      });
    }
  }

  started(): void {
    if (this.resource.legacyLambda) this.add('LambdaFunctionStarted');
    else this.add('TaskStarted', this.ids);
  }

  activityStarted(workerName: string | undefined): void {
    this.add('ActivityStarted', workerName === undefined ? {} : { workerName });
  }

  submitted(output: unknown): void {
    this.add('TaskSubmitted', { ...this.ids, ...payloadDetails('output', output) });
  }

  succeeded(output: unknown): void {
    if (this.resource.activity) this.add('ActivitySucceeded', payloadDetails('output', output));
    else if (this.resource.legacyLambda)
      this.add('LambdaFunctionSucceeded', payloadDetails('output', output));
    else this.add('TaskSucceeded', { ...this.ids, ...payloadDetails('output', output) });
  }

  failed(error: StatesError): void {
    const details = errorDetails(error);
    if (this.resource.activity) this.add('ActivityFailed', details);
    else if (this.resource.legacyLambda) this.add('LambdaFunctionFailed', details);
    else this.add('TaskFailed', { ...details, ...this.ids });
  }

  timedOut(error: StatesError): void {
    const details = errorDetails(error);
    if (this.resource.activity) this.add('ActivityTimedOut', details);
    else if (this.resource.legacyLambda) this.add('LambdaFunctionTimedOut', details);
    else this.add('TaskTimedOut', { ...details, ...this.ids });
  }
}

const errorDetails = (error: StatesError): Record<string, unknown> => ({
  error: error.error,
  ...(error.cause !== undefined ? { cause: error.cause } : {}),
});
