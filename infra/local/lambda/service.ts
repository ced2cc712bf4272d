/**
 * The Lambda API at the edge (restJson1, signing name `lambda`): Invoke, GetFunction,
 * GetFunctionConfiguration, ListFunctions, GetAccountSettings, the reserved-concurrency operations and
 * Put/GetFunctionEventInvokeConfig (async retries and destinations), answering as AWS does so
 * that @aws-sdk/client-lambda works unchanged.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type {
  DeleteFunctionConcurrencyRequest,
  FunctionEventInvokeConfig,
  GetAccountSettingsResponse,
  GetFunctionConcurrencyRequest,
  GetFunctionConfigurationRequest,
  GetFunctionRequest,
  InvocationRequest,
  InvocationType,
  ListFunctionsRequest,
  LogType,
  PutFunctionConcurrencyRequest,
  PutFunctionEventInvokeConfigRequest,
} from '@aws-sdk/client-lambda';
import {
  AwsServiceError,
  type RestJsonService,
  type RestRequest,
  type RestResponse,
  type RestRoute,
} from '../edge/contracts';
import { paginate } from '../shared/pagination';
import { bodyAs, headerText, queryNumber, queryText } from '../shared/rest-input';
import { validationMessage } from '../shared/validation';
import { eventInvokeConfigNotFound } from './api-errors';
import { FUNCTION_VERSION } from './environment';
import { functionConfiguration } from './function-configuration';
import type { FunctionDescription, LambdaRuntime, StoredEventInvokeConfig } from './runtime';

const INVOCATION_TYPES: readonly InvocationType[] = ['Event', 'RequestResponse', 'DryRun'];
const DEFAULT_MAX_ITEMS = 50;

/** AWS's default quotas for a new account; a local account has the same ones. */
const ACCOUNT_LIMITS = {
  TotalCodeSize: 80_530_636_800,
  CodeSizeUnzipped: 262_144_000,
  CodeSizeZipped: 52_428_800,
  ConcurrentExecutions: 1000,
};

/** The bytes of a function's asset folder: what it would weigh as a deployment package, unzipped. */
function folderSize(directory: string): number {
  try {
    return readdirSync(directory, { recursive: true, withFileTypes: true })
      .filter((entry) => entry.isFile())
      .reduce((total, entry) => total + statSync(join(entry.parentPath, entry.name)).size, 0);
  } catch {
    return 0;
  }
}

/** GetAccountSettings: the account's quotas, less what reserved concurrency holds back, and its usage. */
function accountSettings(functions: readonly FunctionDescription[]): GetAccountSettingsResponse {
  const reserved = functions.reduce((total, fn) => total + (fn.config.reservedConcurrency ?? 0), 0);
  return {
    AccountLimit: {
      ...ACCOUNT_LIMITS,
      UnreservedConcurrentExecutions: ACCOUNT_LIMITS.ConcurrentExecutions - reserved,
    },
    AccountUsage: {
      FunctionCount: functions.length,
      TotalCodeSize: functions.reduce((total, fn) => total + folderSize(fn.config.codeDirectory), 0),
    },
  };
}

const validationError = (value: string, member: string, constraint: string): AwsServiceError =>
  new AwsServiceError('ValidationException', validationMessage([{ value, member, constraint }]), 400);

/** The payload's text, read in place (a payload can be megabytes). */
function utf8Text(payload: Uint8Array | undefined): string {
  if (payload === undefined) return '';
  return Buffer.from(payload.buffer, payload.byteOffset, payload.byteLength).toString('utf8');
}

export function lambdaEdgeService(runtime: LambdaRuntime): RestJsonService {
  async function invoke(input: InvocationRequest): Promise<RestResponse> {
    const invocationType = input.InvocationType ?? 'RequestResponse';
    if (!INVOCATION_TYPES.includes(invocationType)) {
      throw validationError(
        invocationType,
        'invocationType',
        'Member must satisfy enum value set: [Event, RequestResponse, DryRun]',
      );
    }
    const result = await runtime.invoke(input.FunctionName ?? '', utf8Text(input.Payload), {
      invocationType,
      logType: input.LogType === 'Tail' ? 'Tail' : 'None',
      clientContext: input.ClientContext,
      qualifier: input.Qualifier,
    });
    const headers: Record<string, string> = { 'x-amzn-RequestId': result.requestId };
    if (result.executedVersion) headers['X-Amz-Executed-Version'] = result.executedVersion;
    if (result.functionError) headers['X-Amz-Function-Error'] = result.functionError;
    if (result.logResult !== undefined) headers['X-Amz-Log-Result'] = result.logResult;
    if (result.payload === undefined) return { status: result.statusCode, headers };
    headers['Content-Type'] = 'application/json';
    return { status: result.statusCode, headers, body: result.payload };
  }

  function listFunctions(input: ListFunctionsRequest): RestResponse {
    const maxItems = input.MaxItems ?? DEFAULT_MAX_ITEMS;
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 10_000) {
      throw validationError(String(input.MaxItems), 'maxItems', 'Member must have value between 1 and 10000');
    }
    const page = paginate(
      runtime.list(),
      { token: input.Marker, pageSize: maxItems },
      {
        list: 'lambda:ListFunctions',
        keyOf: (description) => description.config.functionName,
        invalidToken: () => new AwsServiceError('InvalidParameterValueException', 'Invalid Marker.', 400),
      },
    );
    return { body: { Functions: page.items.map(functionConfiguration), NextMarker: page.nextToken } };
  }

  function getFunction(input: GetFunctionRequest): RestResponse {
    const description = runtime.describe(input.FunctionName ?? '', input.Qualifier);
    const reserved = description.config.reservedConcurrency;
    return {
      body: {
        Configuration: functionConfiguration(description),
        // A local function has no deployment package in S3; its asset folder stands in.
        Code: { RepositoryType: 'S3', Location: `file://${description.config.codeDirectory}` },
        Concurrency: reserved === undefined ? undefined : { ReservedConcurrentExecutions: reserved },
      },
    };
  }

  function putConcurrency(input: PutFunctionConcurrencyRequest): RestResponse {
    const reserved: unknown = input.ReservedConcurrentExecutions;
    if (typeof reserved !== 'number' || !Number.isInteger(reserved) || reserved < 0) {
      throw validationError(
        String(reserved),
        'reservedConcurrentExecutions',
        'Member must have value greater than or equal to 0',
      );
    }
    runtime.setReservedConcurrency(input.FunctionName ?? '', reserved);
    return { body: { ReservedConcurrentExecutions: reserved } };
  }

  function putEventInvokeConfig(input: PutFunctionEventInvokeConfigRequest): RestResponse {
    const { FunctionName = '', Qualifier, DestinationConfig } = input;
    runtime.putEventInvokeConfig(
      FunctionName,
      {
        maximumRetryAttempts: input.MaximumRetryAttempts,
        maximumEventAgeInSeconds: input.MaximumEventAgeInSeconds,
        onSuccess: DestinationConfig?.OnSuccess?.Destination,
        onFailure: DestinationConfig?.OnFailure?.Destination,
      },
      Qualifier,
    );
    return getEventInvokeConfig(FunctionName, Qualifier);
  }

  function getEventInvokeConfig(functionNameOrArn: string, qualifier: string | undefined): RestResponse {
    const stored = runtime.eventInvokeConfig(functionNameOrArn, qualifier);
    const functionArn = `${runtime.describe(functionNameOrArn).config.functionArn}:${FUNCTION_VERSION}`;
    if (!stored) throw eventInvokeConfigNotFound(functionArn);
    return { body: eventInvokeConfigBody(functionArn, stored) };
  }

  // Each route decodes its path, query, headers and body into the operation's SDK input.
  const functionName = (request: RestRequest): string => request.params.FunctionName ?? '';
  const qualified = (request: RestRequest) => ({
    FunctionName: functionName(request),
    Qualifier: queryText(request, 'Qualifier'),
  });
  const listInput = (request: RestRequest): ListFunctionsRequest => ({
    Marker: queryText(request, 'Marker'),
    MaxItems: queryNumber(request, 'MaxItems'),
  });
  const routes: RestRoute[] = [
    {
      method: 'GET',
      path: '/2016-08-19/account-settings',
      operation: 'GetAccountSettings',
      handle: () => ({ body: accountSettings(runtime.list()) }),
    },
    {
      method: 'POST',
      path: '/2015-03-31/functions/{FunctionName}/invocations',
      operation: 'Invoke',
      handle: (request) =>
        invoke({
          ...qualified(request),
          // Checked by the operation: the header can carry any text.
          InvocationType: headerText(request, 'x-amz-invocation-type') as InvocationType | undefined,
          LogType: headerText(request, 'x-amz-log-type') as LogType | undefined,
          ClientContext: headerText(request, 'x-amz-client-context'),
          Payload: request.rawBody,
        }),
    },
    {
      method: 'GET',
      path: '/2015-03-31/functions',
      operation: 'ListFunctions',
      handle: (request) => listFunctions(listInput(request)),
    },
    // The AWS CLI asks for the collection with a trailing slash.
    {
      method: 'GET',
      path: '/2015-03-31/functions/',
      operation: 'ListFunctions',
      handle: (request) => listFunctions(listInput(request)),
    },
    {
      method: 'GET',
      path: '/2015-03-31/functions/{FunctionName}',
      operation: 'GetFunction',
      handle: (request) => getFunction(qualified(request)),
    },
    {
      method: 'GET',
      path: '/2015-03-31/functions/{FunctionName}/configuration',
      operation: 'GetFunctionConfiguration',
      handle: (request) => {
        const input: GetFunctionConfigurationRequest = qualified(request);
        return { body: functionConfiguration(runtime.describe(input.FunctionName ?? '', input.Qualifier)) };
      },
    },
    {
      method: 'GET',
      path: '/2019-09-30/functions/{FunctionName}/concurrency',
      operation: 'GetFunctionConcurrency',
      handle: (request) => {
        const input: GetFunctionConcurrencyRequest = { FunctionName: functionName(request) };
        const reserved = runtime.describe(input.FunctionName ?? '').config.reservedConcurrency;
        return { body: reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved } };
      },
    },
    {
      method: 'PUT',
      path: '/2017-10-31/functions/{FunctionName}/concurrency',
      operation: 'PutFunctionConcurrency',
      handle: (request) =>
        putConcurrency({
          ...bodyAs<PutFunctionConcurrencyRequest>(request),
          FunctionName: functionName(request),
        }),
    },
    {
      method: 'DELETE',
      path: '/2017-10-31/functions/{FunctionName}/concurrency',
      operation: 'DeleteFunctionConcurrency',
      handle: (request) => {
        const input: DeleteFunctionConcurrencyRequest = { FunctionName: functionName(request) };
        runtime.setReservedConcurrency(input.FunctionName ?? '', undefined);
        return { status: 204 };
      },
    },
    {
      method: 'PUT',
      path: '/2019-09-25/functions/{FunctionName}/event-invoke-config',
      operation: 'PutFunctionEventInvokeConfig',
      handle: (request) =>
        putEventInvokeConfig({
          ...bodyAs<PutFunctionEventInvokeConfigRequest>(request),
          ...qualified(request),
        }),
    },
    {
      method: 'GET',
      path: '/2019-09-25/functions/{FunctionName}/event-invoke-config',
      operation: 'GetFunctionEventInvokeConfig',
      handle: (request) => getEventInvokeConfig(functionName(request), queryText(request, 'Qualifier')),
    },
  ];
  return { protocol: 'restJson1', signingName: 'lambda', routes };
}

/** The restJson1 shape of FunctionEventInvokeConfig: LastModified in epoch seconds, unset members left out. */
function eventInvokeConfigBody(
  functionArn: string,
  { config, lastModified }: StoredEventInvokeConfig,
): Omit<FunctionEventInvokeConfig, 'LastModified'> & { LastModified: number } {
  const destination = (arn: string | undefined) => (arn === undefined ? undefined : { Destination: arn });
  return {
    LastModified: lastModified.getTime() / 1000,
    FunctionArn: functionArn,
    MaximumRetryAttempts: config.maximumRetryAttempts,
    MaximumEventAgeInSeconds: config.maximumEventAgeInSeconds,
    DestinationConfig: {
      OnSuccess: destination(config.onSuccess),
      OnFailure: destination(config.onFailure),
    },
  };
}
