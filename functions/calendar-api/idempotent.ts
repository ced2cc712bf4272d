/**
 * A REST request with an Idempotency-Key is done once per person and key for a day: a repeat gets the first
 * answer again; the same key with another body, or while the first is still being handled, is refused (409).
 */
import {
  IdempotencyAlreadyInProgressError,
  IdempotencyValidationError,
} from '@aws-lambda-powertools/idempotency';
import type { Context } from 'aws-lambda';
import { dynamoDbClient } from '../shared/clients';
import { type HttpAnswer, problem } from '../shared/http/answers';
import { once } from '../shared/idempotency';
import type { ApiRequest } from './request';

export interface IdempotentRunner {
  readonly answer: (request: ApiRequest) => Promise<HttpAnswer>;
  readonly registerContext: (context: Context) => void;
}

export function idempotentRunner(
  run: (request: ApiRequest) => Promise<HttpAnswer>,
  tableName: string,
): IdempotentRunner {
  const runOnce = once(
    async ({ request }: { key: string; body: string; request: ApiRequest }) => run(request),
    {
      tableName,
      functionKey: 'calendar-api',
      keyPath: 'key',
      payloadPath: 'body',
      expiresAfterSeconds: 24 * 3600,
      client: dynamoDbClient,
    },
  );
  return {
    answer: async (request) => {
      const key = idempotencyKeyOf(request);
      if (key === undefined) return run(request);
      try {
        return (await runOnce.run({ key, body: JSON.stringify(request.body), request })) as HttpAnswer;
      } catch (error) {
        return refusedRepeat(error);
      }
    },
    registerContext: runOnce.registerContext,
  };
}

function idempotencyKeyOf(request: ApiRequest): string | undefined {
  const key = request.headers['idempotency-key'];
  const declared = request.operation.headers?.some((header) => header.name === 'Idempotency-Key');
  return declared && key && request.caller
    ? `${request.caller.userId} ${request.operation.operationId} ${key}`
    : undefined;
}

/** The answer to a repeat Powertools refused; any other error propagates. */
function refusedRepeat(error: unknown): HttpAnswer {
  if (error instanceof IdempotencyValidationError) {
    return problem(409, 'idempotency-key-reused', 'This Idempotency-Key was used for another request.');
  }
  if (error instanceof IdempotencyAlreadyInProgressError) {
    return problem(409, 'in-progress', 'A request with this Idempotency-Key is still being handled.');
  }
  throw error;
}
