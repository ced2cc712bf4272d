/**
 * The REST API (docs/api.md): every route of OPERATIONS, behind the session authorizer where the operation
 * says so. The handler reads the request, runs the operation's use case with the AWS adapters, and answers.
 */
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyValidationError,
} from '@aws-lambda-powertools/idempotency';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { required } from '../auth-shared/environment';
import { GRANT_REVOKED } from '../shared/admin/grants';
import { type HttpAnswer, problem } from '../shared/http/answers';
import { logger } from '../shared/logger';
import { once } from '../shared/messenger/idempotency';
import {
  createCalendarFeed,
  deleteCalendarFeed,
  deleteMe,
  exportMe,
  getCalendarFeed,
  getMe,
  updateMe,
} from './account';
import { type ApiPorts, awsPorts } from './adapters/aws';
import {
  adminDeleteUser,
  adminDisableUser,
  adminEnableUser,
  adminGetUser,
  adminGrantStands,
  adminListLockouts,
  adminListUsers,
  adminLockUser,
  adminUnlockUser,
} from './admin';
import { createEvent, deleteEvent, getEvent, listOccurrences, updateEvent } from './events';
import { buildOpenApiDocument } from './openapi';
import {
  createReminder,
  deleteReminder,
  getReminder,
  listReminders,
  snoozeReminder,
  updateReminder,
} from './reminders';
import type { ApiRequest } from './request';
import { type AuthorizedEvent, apiRequestOf, resultOf } from './transport';

const ports = awsPorts();

type AnyUseCase = (request: ApiRequest<never>, ports: ApiPorts) => Promise<HttpAnswer>;

const USE_CASES: Record<string, AnyUseCase> = {
  getOpenApi: async (request) => ({
    status: 200,
    body: buildOpenApiDocument({ serverUrl: request.baseUrl }),
    headers: { 'cache-control': 'public, max-age=300' },
  }),
  createEvent,
  listOccurrences,
  getEvent,
  updateEvent,
  deleteEvent,
  listReminders,
  createReminder,
  getReminder,
  updateReminder,
  deleteReminder,
  snoozeReminder,
  getMe,
  updateMe,
  deleteMe,
  exportMe,
  createCalendarFeed,
  deleteCalendarFeed,
  getCalendarFeed,
  adminListUsers,
  adminGetUser,
  adminLockUser,
  adminUnlockUser,
  adminDisableUser,
  adminEnableUser,
  adminDeleteUser,
  adminListLockouts,
};

const run = async (request: ApiRequest): Promise<HttpAnswer> => {
  const useCase = USE_CASES[request.operation.operationId];
  if (!useCase) throw new Error(`No use case for ${request.operation.operationId}`);
  if (request.operation.access === 'admin' && !(await adminGrantStands(request, ports))) return GRANT_REVOKED;
  return useCase(request as ApiRequest<never>, ports);
};

/**
 * A request with an Idempotency-Key is done once per person and key for a day: a repeat gets the first
 * answer again; the same key with another body is refused.
 */
const runOnce = once(
  async ({ request }: { key: string; body: string; request: ApiRequest }) => run(request),
  {
    tableName: required('TABLE_NAME'),
    functionKey: 'calendar-api',
    keyPath: 'key',
    payloadPath: 'body',
    expiresAfterSeconds: 24 * 3600,
    client: new DynamoDBClient({}),
  },
);

function idempotencyKeyOf(request: ApiRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  const declared = request.operation.headers?.some((header) => header.name === 'Idempotency-Key');
  return declared && key && request.caller
    ? `${request.caller.userId} ${request.operation.operationId} ${key}`
    : undefined;
}

async function answer(request: ApiRequest): Promise<HttpAnswer> {
  const key = idempotencyKeyOf(request);
  if (key === undefined) return run(request);
  try {
    return (await runOnce.run({ key, body: JSON.stringify(request.body), request })) as HttpAnswer;
  } catch (error) {
    if (error instanceof IdempotencyValidationError) {
      return problem(409, 'idempotency-key-reused', 'This Idempotency-Key was used for another request.');
    }
    if (error instanceof IdempotencyAlreadyInProgressError) {
      return problem(409, 'in-progress', 'A request with this Idempotency-Key is still being handled.');
    }
    throw error;
  }
}

export const handler = async (event: AuthorizedEvent, context: Context): Promise<APIGatewayProxyResultV2> => {
  logger.addContext(context);
  runOnce.registerContext(context);
  const request = apiRequestOf(event);
  if (!('operation' in request)) return resultOf(request);
  const { operationId } = request.operation;
  try {
    const result = await answer(request);
    // The operation and status only: never a body, a token or an address.
    logger.info('api call', { operationId, status: result.status });
    return resultOf(result);
  } catch (error) {
    logger.error('api call failed', { operationId, error });
    return resultOf(problem(500, 'internal', 'Something went wrong on our side; try again.'));
  }
};
