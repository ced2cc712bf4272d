/**
 * The REST API (docs/api.md): every route of OPERATIONS, behind the session authorizer where the operation
 * says so. The handler reads the request, runs the operation's use case with the AWS adapters (once per
 * Idempotency-Key), and answers.
 */
import type { APIGatewayProxyResultV2, Context } from 'aws-lambda';
import { required } from '../shared/config';
import { problem } from '../shared/http/answers';
import { logger } from '../shared/logger';
import { awsPorts } from './adapters/aws';
import { idempotentRunner } from './idempotent';
import { type AuthorizedEvent, apiRequestOf, resultOf } from './transport';
import { runUseCase } from './use-cases';

const ports = awsPorts();
const runner = idempotentRunner((request) => runUseCase(request, ports), required('TABLE_NAME'));

export const handler = async (event: AuthorizedEvent, context: Context): Promise<APIGatewayProxyResultV2> => {
  logger.addContext(context);
  runner.registerContext(context);
  const request = apiRequestOf(event);
  if (!('operation' in request)) return resultOf(request);
  const { operationId } = request.operation;
  try {
    const result = await runner.answer(request);
    // The operation and status only: never a body, a token or an address.
    logger.info('api call', { operationId, status: result.status });
    return resultOf(result);
  } catch (error) {
    logger.error('api call failed', { operationId, error });
    return resultOf(problem(500, 'internal', 'Something went wrong on our side; try again.'));
  }
};
