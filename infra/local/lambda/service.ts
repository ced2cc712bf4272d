/**
 * The Lambda API at the edge (restJson1, signing name `lambda`): Invoke, GetFunction,
 * GetFunctionConfiguration, ListFunctions, GetAccountSettings and the reserved-concurrency operations, answering as AWS does so
 * that @aws-sdk/client-lambda works unchanged.
 */
import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { GetAccountSettingsResponse } from '@aws-sdk/client-lambda';
import {
  AwsServiceError,
  type RestJsonService,
  type RestRequest,
  type RestResponse,
  type RestRoute,
} from '../edge/service';
import { paginate } from '../shared/pagination';
import { validationMessage } from '../shared/validation';
import { functionConfiguration } from './function-configuration';
import type { FunctionDescription, LambdaRuntime } from './runtime';
import type { InvocationType } from './types';

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

const header = (request: RestRequest, name: string): string | undefined => {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
};

export function lambdaEdgeService(runtime: LambdaRuntime): RestJsonService {
  const functionName = (request: RestRequest): string => request.params.FunctionName ?? '';
  const qualifier = (request: RestRequest): string | undefined => request.query.get('Qualifier') ?? undefined;

  async function invoke(request: RestRequest): Promise<RestResponse> {
    const invocationType = header(request, 'x-amz-invocation-type') ?? 'RequestResponse';
    if (!INVOCATION_TYPES.includes(invocationType as InvocationType)) {
      throw validationError(
        invocationType,
        'invocationType',
        'Member must satisfy enum value set: [Event, RequestResponse, DryRun]',
      );
    }
    const logType = header(request, 'x-amz-log-type');
    const result = await runtime.invoke(functionName(request), request.rawBody.toString('utf8'), {
      invocationType: invocationType as InvocationType,
      logType: logType === 'Tail' ? 'Tail' : 'None',
      clientContext: header(request, 'x-amz-client-context'),
      qualifier: qualifier(request),
    });
    const headers: Record<string, string> = { 'x-amzn-RequestId': result.requestId };
    if (result.executedVersion) headers['X-Amz-Executed-Version'] = result.executedVersion;
    if (result.functionError) headers['X-Amz-Function-Error'] = result.functionError;
    if (result.logResult !== undefined) headers['X-Amz-Log-Result'] = result.logResult;
    if (result.payload === undefined) return { status: result.statusCode, headers };
    headers['Content-Type'] = 'application/json';
    return { status: result.statusCode, headers, body: result.payload };
  }

  function listFunctions(request: RestRequest): RestResponse {
    const maxItemsText = request.query.get('MaxItems');
    const maxItems = maxItemsText === null ? DEFAULT_MAX_ITEMS : Number(maxItemsText);
    if (!Number.isInteger(maxItems) || maxItems < 1 || maxItems > 10_000) {
      throw validationError(String(maxItemsText), 'maxItems', 'Member must have value between 1 and 10000');
    }
    const page = paginate(
      runtime.list(),
      { token: request.query.get('Marker') ?? undefined, pageSize: maxItems },
      {
        list: 'lambda:ListFunctions',
        keyOf: (description) => description.config.functionName,
        invalidToken: () => new AwsServiceError('InvalidParameterValueException', 'Invalid Marker.', 400),
      },
    );
    return { body: { Functions: page.items.map(functionConfiguration), NextMarker: page.nextToken } };
  }

  function getFunction(request: RestRequest): RestResponse {
    const description = runtime.describe(functionName(request), qualifier(request));
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

  function putConcurrency(request: RestRequest): RestResponse {
    const body = (request.body ?? {}) as { ReservedConcurrentExecutions?: unknown };
    const reserved = body.ReservedConcurrentExecutions;
    if (typeof reserved !== 'number' || !Number.isInteger(reserved) || reserved < 0) {
      throw validationError(
        String(reserved),
        'reservedConcurrentExecutions',
        'Member must have value greater than or equal to 0',
      );
    }
    runtime.setReservedConcurrency(functionName(request), reserved);
    return { body: { ReservedConcurrentExecutions: reserved } };
  }

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
      handle: invoke,
    },
    { method: 'GET', path: '/2015-03-31/functions', operation: 'ListFunctions', handle: listFunctions },
    // The AWS CLI asks for the collection with a trailing slash.
    { method: 'GET', path: '/2015-03-31/functions/', operation: 'ListFunctions', handle: listFunctions },
    {
      method: 'GET',
      path: '/2015-03-31/functions/{FunctionName}',
      operation: 'GetFunction',
      handle: getFunction,
    },
    {
      method: 'GET',
      path: '/2015-03-31/functions/{FunctionName}/configuration',
      operation: 'GetFunctionConfiguration',
      handle: (request) => ({
        body: functionConfiguration(runtime.describe(functionName(request), qualifier(request))),
      }),
    },
    {
      method: 'GET',
      path: '/2019-09-30/functions/{FunctionName}/concurrency',
      operation: 'GetFunctionConcurrency',
      handle: (request) => {
        const reserved = runtime.describe(functionName(request)).config.reservedConcurrency;
        return { body: reserved === undefined ? {} : { ReservedConcurrentExecutions: reserved } };
      },
    },
    {
      method: 'PUT',
      path: '/2017-10-31/functions/{FunctionName}/concurrency',
      operation: 'PutFunctionConcurrency',
      handle: putConcurrency,
    },
    {
      method: 'DELETE',
      path: '/2017-10-31/functions/{FunctionName}/concurrency',
      operation: 'DeleteFunctionConcurrency',
      handle: (request) => {
        runtime.setReservedConcurrency(functionName(request), undefined);
        return { status: 204 };
      },
    },
  ];
  return { protocol: 'restJson1', signingName: 'lambda', routes };
}
