/**
 * Calls of the REST use cases in unit tests: the request as the handler builds it, and every answer checked
 * against the OpenAPI document (status declared, content type, body schema).
 */
import { buildOpenApiDocument } from '../../functions/calendar-api/openapi';
import { OPERATIONS } from '../../functions/calendar-api/operations';
import type { ApiRequest, Caller } from '../../functions/calendar-api/request';
import type { HttpAnswer } from '../../functions/shared/http/answers';
import { contractChecker } from './openapi-contract';

export const BASE_URL = 'https://api.example.test';
const checker = contractChecker(buildOpenApiDocument({ serverUrl: BASE_URL }));

/** The request of `operationId`, signed in as `caller` when the operation takes a session. */
export function apiRequest(
  operationId: string,
  caller: Caller,
  fields: Partial<ApiRequest> = {},
): ApiRequest {
  const operation = OPERATIONS.find((candidate) => candidate.operationId === operationId);
  if (!operation) throw new Error(`No operation ${operationId}`);
  return {
    operation,
    ...(operation.access === 'public' ? {} : { caller }),
    path: {},
    query: {},
    headers: {},
    body: undefined,
    baseUrl: BASE_URL,
    ...fields,
  };
}

/** Throws a ContractViolation when the answer is not one the operation declares. */
export function conforming(request: ApiRequest, answer: HttpAnswer): HttpAnswer {
  const path = request.operation.path.replace(/\{(\w+)\}/g, (_, name: string) => request.path[name] ?? 'x');
  const contentType =
    answer.body !== undefined || answer.text !== undefined
      ? (answer.contentType ?? 'application/json')
      : undefined;
  checker.check(request.operation.method, path, answer.status, contentType, answer.text ?? answer.body);
  return answer;
}

export async function callUseCase<Ports>(
  useCase: (request: ApiRequest<never>, ports: Ports) => Promise<HttpAnswer>,
  request: ApiRequest,
  ports: Ports,
): Promise<HttpAnswer> {
  return conforming(request, await useCase(request as ApiRequest<never>, ports));
}
