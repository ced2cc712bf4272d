/**
 * Task dispatch by resource ARN. The engine reaches other services only through `TaskPort`, so it does not
 * know how they are hosted; this module turns a resource ARN plus parameters into port calls and maps what
 * the port returns or throws to Step Functions' results and error names.
 */
import { randomUUID } from 'node:crypto';
import { StatesError } from './errors';
import { jsonByteLength, PAYLOAD_LIMIT_BYTES } from './json-values';

export interface TaskCallOptions {
  readonly roleArn: string;
  readonly region: string;
  readonly executionArn: string;
  /** Present for `.waitForTaskToken`. */
  readonly taskToken?: string;
  /** Lambda's `LogType` (`Tail` asks for the log tail in `logResult`). */
  readonly logType?: string;
}

export interface LambdaInvocation {
  /** The response body as text. */
  readonly payload: string;
  /** `Unhandled` or `Handled` when the function raised. */
  readonly functionError?: string;
  readonly executedVersion?: string;
  readonly statusCode?: number;
  /** Base64 log tail, when asked for with LogType `Tail`. */
  readonly logResult?: string;
}

/** How the engine reaches everything outside itself. */
export interface TaskPort {
  invokeLambda(functionName: string, payload: string, options: TaskCallOptions): Promise<LambdaInvocation>;
  /**
   * Hands an activity task to a worker's GetActivityTask (see stepfunctions/activities); `onStarted` runs
   * when a worker takes it. Only Step Functions' own port hosts activities, hence optional.
   */
  scheduleActivity?(
    activityArn: string,
    task: { readonly token: string; readonly input: string },
    onStarted: (workerName: string | undefined) => void,
  ): void;
  /** Any other AWS API call; `action` is PascalCase (`GetItem`, `PutEvents`, `SendMessage`). */
  callAws(
    service: string,
    action: string,
    input: Record<string, unknown>,
    options: TaskCallOptions,
  ): Promise<unknown>;
}

/** What a port throws for an AWS error response: the code becomes part of the Step Functions error name. */
export class AwsCallError extends Error {
  constructor(
    readonly code: string,
    message: string,
    readonly statusCode = 400,
  ) {
    super(message);
    this.name = code;
  }
}

/** `allowed`, or the reason the role may not make the call. */
export type PermissionCheck = (roleArn: string, action: string, resource: string) => 'allowed' | string;

export type IntegrationPattern = 'request-response' | 'sync' | 'sync:2' | 'waitForTaskToken';

export interface TaskResource {
  readonly arn: string;
  /** A plain Lambda function ARN (LambdaFunction* history events) rather than a service integration. */
  readonly legacyLambda: boolean;
  /** An activity ARN (Activity* history events): a worker polls for the task and answers with its token. */
  readonly activity: boolean;
  /** `lambda`, `dynamodb`, `aws-sdk:dynamodb`, `states`... (history `resourceType`). */
  readonly resourceType: string;
  /** `invoke`, `getItem`, `startExecution.sync`... (history `resource`). */
  readonly resource: string;
  /** The service as the port knows it (`lambda`, `dynamodb`, `events`...). */
  readonly service: string;
  /** PascalCase API action. */
  readonly action: string;
  readonly pattern: IntegrationPattern;
}

const SERVICE_INTEGRATION =
  /^arn:[^:]+:states:[^:]*:[^:]*:(aws-sdk:[^:]+|[^:]+):([^.:]+)(?:\.(sync(?::2)?|waitForTaskToken))?$/;
const LAMBDA_FUNCTION = /^arn:[^:]+:lambda:[^:]+:[^:]+:function:.+$/;
const ACTIVITY = /^arn:[^:]+:states:[^:]+:[^:]+:activity:.+$/;

/** Activity and plain Lambda function ARNs: each always the same kind of task. */
const DIRECT_RESOURCES = [
  {
    pattern: ACTIVITY,
    resource: {
      legacyLambda: false,
      activity: true,
      resourceType: 'activity',
      service: 'states',
      action: 'GetActivityTask',
      pattern: 'waitForTaskToken',
    },
  },
  {
    pattern: LAMBDA_FUNCTION,
    resource: {
      legacyLambda: true,
      activity: false,
      resourceType: 'lambda',
      service: 'lambda',
      action: 'Invoke',
      pattern: 'request-response',
    },
  },
] as const satisfies ReadonlyArray<{ pattern: RegExp; resource: Omit<TaskResource, 'arn' | 'resource'> }>;

export function parseResource(arn: string): TaskResource {
  const direct = DIRECT_RESOURCES.find(({ pattern }) => pattern.test(arn));
  if (direct) return { arn, resource: arn, ...direct.resource };
  const match = SERVICE_INTEGRATION.exec(arn);
  if (!match) throw new StatesError('States.Runtime', `Unsupported Task resource: ${arn}`, true);
  const [, resourceType = '', apiAction = '', pattern] = match;
  return {
    arn,
    legacyLambda: false,
    activity: false,
    resourceType,
    resource: pattern ? `${apiAction}.${pattern}` : apiAction,
    service: resourceType.replace(/^aws-sdk:/, ''),
    action: apiAction.charAt(0).toUpperCase() + apiAction.slice(1),
    pattern: (pattern as IntegrationPattern | undefined) ?? 'request-response',
  };
}

/** Error-name prefixes of the optimized integrations. */
const OPTIMIZED_PREFIX: Record<string, string> = {
  lambda: 'Lambda',
  dynamodb: 'DynamoDB',
  sqs: 'SQS',
  sns: 'SNS',
  events: 'EventBridge',
  states: 'StepFunctions',
};

/** PascalCase service names for `aws-sdk:` integrations where capitalising the first letter is not enough. */
const SDK_SERVICE_NAMES: Record<string, string> = {
  dynamodb: 'DynamoDb',
  sfn: 'Sfn',
  eventbridge: 'EventBridge',
  secretsmanager: 'SecretsManager',
  sesv2: 'SesV2',
  acmpca: 'AcmPca',
};

/** Maps what a port threw to the Step Functions error for this resource. */
export function integrationError(resource: TaskResource, thrown: unknown): StatesError {
  if (thrown instanceof StatesError) return thrown;
  const code = thrown instanceof AwsCallError ? thrown.code : 'ServiceException';
  const message = thrown instanceof Error ? thrown.message : String(thrown);
  const status = thrown instanceof AwsCallError ? thrown.statusCode : 500;
  if (resource.resourceType.startsWith('aws-sdk:')) {
    const service = SDK_SERVICE_NAMES[resource.service] ?? capitalise(resource.service);
    const name = code.endsWith('Exception') ? code : `${code}Exception`;
    return new StatesError(
      `${service}.${name}`,
      `${message} (Service: ${service}, Status Code: ${status}, Request ID: ${randomUUID()})`,
    );
  }
  const prefix = OPTIMIZED_PREFIX[resource.service] ?? capitalise(resource.service);
  const serviceName = resource.service === 'lambda' ? 'AWSLambda' : prefix;
  return new StatesError(
    `${prefix}.${code}`,
    `${message} (Service: ${serviceName}; Status Code: ${status}; Error Code: ${code}; Request ID: ${randomUUID()}; Proxy: null)`,
  );
}

const capitalise = (text: string): string => text.charAt(0).toUpperCase() + text.slice(1);

/** A function's error response becomes `error = errorType`, `cause = the response body`. */
function functionErrorOf(invocation: LambdaInvocation): StatesError {
  let errorType = 'Exception';
  try {
    const parsed = JSON.parse(invocation.payload) as { errorType?: unknown };
    if (typeof parsed?.errorType === 'string') errorType = parsed.errorType;
  } catch {
    // A body that is not JSON keeps the generic name.
  }
  return new StatesError(errorType, invocation.payload);
}

function parsePayload(text: string): unknown {
  if (text === '') return null;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function dataLimitExceeded(resourceName: string): StatesError {
  return new StatesError(
    'States.DataLimitExceeded',
    `The state/task '${resourceName}' returned a result with a size exceeding the maximum number of bytes service limit.`,
  );
}

/** `lambda:invoke` sends a string Payload as the raw request body, and no Payload as `{}`. */
function lambdaPayloadText(payload: unknown): string {
  if (payload === undefined || payload === null) return '{}';
  return typeof payload === 'string' ? payload : JSON.stringify(payload);
}

/** Invokes a Lambda function; `wrapped` adds the `lambda:invoke` envelope (Payload, StatusCode, metadata). */
export async function invokeLambda(
  port: TaskPort,
  resource: TaskResource,
  functionName: string,
  payload: unknown,
  options: TaskCallOptions,
): Promise<unknown> {
  let invocation: LambdaInvocation;
  try {
    const body = resource.legacyLambda ? JSON.stringify(payload ?? null) : lambdaPayloadText(payload);
    invocation = await port.invokeLambda(functionName, body, options);
  } catch (error) {
    throw integrationError(resource, error);
  }
  if (invocation.functionError) throw functionErrorOf(invocation);
  if (Buffer.byteLength(invocation.payload, 'utf8') > PAYLOAD_LIMIT_BYTES) {
    throw dataLimitExceeded(resource.legacyLambda ? resource.arn : 'lambda');
  }
  const result = parsePayload(invocation.payload);
  if (resource.legacyLambda) return result;
  const requestId = randomUUID();
  const version = invocation.executedVersion ?? '$LATEST';
  const length = String(Buffer.byteLength(invocation.payload, 'utf8'));
  const date = new Date().toUTCString();
  return {
    ExecutedVersion: version,
    Payload: result,
    SdkHttpMetadata: {
      AllHttpHeaders: {
        ...(invocation.logResult !== undefined ? { 'X-Amz-Log-Result': [invocation.logResult] } : {}),
        'X-Amz-Executed-Version': [version],
        'x-amzn-Remapped-Content-Length': ['0'],
        Connection: ['keep-alive'],
        'x-amzn-RequestId': [requestId],
        'Content-Length': [length],
        Date: [date],
        'X-Amzn-Trace-Id': [`Root=1-${randomUUID()}`],
        'Content-Type': ['application/json'],
      },
      HttpHeaders: {
        Connection: 'keep-alive',
        'Content-Length': length,
        'Content-Type': 'application/json',
        Date: date,
        'X-Amz-Executed-Version': version,
        ...(invocation.logResult !== undefined ? { 'X-Amz-Log-Result': invocation.logResult } : {}),
        'x-amzn-Remapped-Content-Length': '0',
        'x-amzn-RequestId': requestId,
        'X-Amzn-Trace-Id': `Root=1-${randomUUID()}`,
      },
      HttpStatusCode: 200,
    },
    SdkResponseMetadata: { RequestId: requestId },
    StatusCode: invocation.statusCode ?? 200,
    ...(invocation.logResult !== undefined ? { LogResult: invocation.logResult } : {}),
  };
}

/** Optimized integrations accept some fields as JSON values where the API wants text. */
function adaptParameters(
  resource: TaskResource,
  parameters: Record<string, unknown>,
): Record<string, unknown> {
  if (
    resource.resourceType === 'sqs' &&
    typeof parameters.MessageBody !== 'string' &&
    parameters.MessageBody !== undefined
  ) {
    return { ...parameters, MessageBody: JSON.stringify(parameters.MessageBody) };
  }
  if (resource.resourceType === 'events' && Array.isArray(parameters.Entries)) {
    return {
      ...parameters,
      Entries: parameters.Entries.map((entry: unknown) => {
        const record = entry as Record<string, unknown>;
        return typeof record.Detail === 'string' || record.Detail === undefined
          ? record
          : { ...record, Detail: JSON.stringify(record.Detail) };
      }),
    };
  }
  if (
    resource.resourceType === 'states' &&
    parameters.Input !== undefined &&
    typeof parameters.Input !== 'string'
  ) {
    return { ...parameters, Input: JSON.stringify(parameters.Input) };
  }
  return parameters;
}

/** Any non-Lambda integration: one port call, errors mapped to the integration's names. */
export async function callService(
  port: TaskPort,
  resource: TaskResource,
  parameters: Record<string, unknown>,
  options: TaskCallOptions,
): Promise<unknown> {
  let result: unknown;
  try {
    result = await port.callAws(
      resource.service,
      resource.action,
      adaptParameters(resource, parameters),
      options,
    );
  } catch (error) {
    throw integrationError(resource, error);
  }
  if (jsonByteLength(result) > PAYLOAD_LIMIT_BYTES) throw dataLimitExceeded(resource.resourceType);
  return result ?? {};
}
