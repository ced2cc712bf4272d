/**
 * From an API Gateway HTTP API event to an ApiRequest, and from an HttpAnswer back: the route's operation,
 * the caller the authorizer vouched for, and a body that is JSON, at most 64 KiB and valid against the
 * operation's schema; anything else is answered with a problem before a use case runs.
 */
import type { APIGatewayProxyEventV2, APIGatewayProxyResultV2 } from 'aws-lambda';
import * as validators from '../../events-schema/generated/api-validators.js';
import { type HttpAnswer, invalid, problem } from '../shared/http/answers';
import { fieldErrors } from '../shared/http/validation';
import { OPERATIONS, type Operation, routeKeyOf } from './operations';
import type { ApiRequest, Caller } from './request';

export const MAX_BODY_BYTES = 64 * 1024;
const JSON_TYPES = ['application/json', 'application/merge-patch+json'];
const OPERATION_OF_ROUTE = new Map(OPERATIONS.map((operation) => [routeKeyOf(operation), operation]));

/** The HTTP API event with what a simple-response Lambda authorizer put in its context. */
export type AuthorizedEvent = APIGatewayProxyEventV2 & {
  readonly requestContext: { readonly authorizer?: { readonly lambda?: Record<string, unknown> } };
};

function callerOf(event: AuthorizedEvent): Caller | undefined {
  const context = event.requestContext.authorizer?.lambda;
  const userId = context?.userId;
  const email = context?.email;
  if (typeof userId !== 'string' || typeof email !== 'string') return undefined;
  // An HTTP API hands a simple authorizer's context on with its types: `admin` is a boolean.
  return context?.admin === true ? { userId, email, admin: true } : { userId, email };
}

type BodyRead =
  | { readonly ok: true; readonly body: unknown }
  | { readonly ok: false; readonly answer: HttpAnswer };

function bodyOf(event: AuthorizedEvent, operation: Operation): BodyRead {
  if (operation.requestBody === undefined) return { ok: true, body: undefined };
  const raw = event.body ?? '';
  const bytes = event.isBase64Encoded ? Buffer.from(raw, 'base64') : Buffer.from(raw, 'utf8');
  if (bytes.length > MAX_BODY_BYTES) {
    return refuse(
      413,
      'body-too-large',
      `The body is ${bytes.length} bytes; at most ${MAX_BODY_BYTES} are accepted.`,
    );
  }
  const contentType = (event.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
  if (bytes.length > 0 && !JSON_TYPES.includes(contentType)) {
    return refuse(
      415,
      'unsupported-media-type',
      `Send the body as application/json, not ${contentType || 'untyped'}.`,
    );
  }
  let body: unknown;
  try {
    body = JSON.parse(bytes.length === 0 ? '{}' : bytes.toString('utf8'));
  } catch (error) {
    return refuse(400, 'invalid-json', `The body is not JSON: ${(error as Error).message}`);
  }
  const validate = (validators as Record<string, validators.ApiValidator | undefined>)[operation.requestBody];
  if (!validate) throw new Error(`No validator for ${operation.requestBody}`);
  return validate(body)
    ? { ok: true, body }
    : { ok: false, answer: invalid(fieldErrors(validate.errors ?? [])) };
}

const refuse = (status: number, kind: string, detail: string): BodyRead => ({
  ok: false,
  answer: problem(status, kind, detail),
});

export function apiRequestOf(event: AuthorizedEvent): ApiRequest | HttpAnswer {
  const operation = OPERATION_OF_ROUTE.get(event.routeKey);
  if (!operation) return problem(404, 'not-found', `No route ${event.routeKey}.`);
  const caller = callerOf(event);
  // The authorizer refuses a call without a valid session first; this only guards a misconfigured route.
  if (operation.access !== 'public' && !caller) return problem(401, 'unauthorized', 'Sign in first.');
  if (operation.access === 'admin' && !caller?.admin) {
    return problem(403, 'forbidden', 'This needs an admin session: sign in with an address granted admin.');
  }
  const parsed = bodyOf(event, operation);
  if (!parsed.ok) return parsed.answer;
  const proto = event.headers['x-forwarded-proto'] ?? 'https';
  return {
    operation,
    ...(caller ? { caller } : {}),
    path: { ...event.pathParameters } as Record<string, string>,
    query: { ...event.queryStringParameters } as Record<string, string>,
    headers: Object.fromEntries(
      Object.entries(event.headers).flatMap(([name, value]) =>
        value === undefined ? [] : [[name.toLowerCase(), value]],
      ),
    ),
    body: parsed.body,
    baseUrl: `${proto}://${event.requestContext.domainName}`,
  };
}

export function resultOf(answer: HttpAnswer): APIGatewayProxyResultV2 {
  const isText = answer.text !== undefined;
  return {
    statusCode: answer.status,
    headers: {
      ...(answer.body !== undefined || isText
        ? { 'content-type': answer.contentType ?? 'application/json' }
        : {}),
      'cache-control': 'no-store',
      ...answer.headers,
    },
    ...(isText
      ? { body: answer.text }
      : answer.body === undefined
        ? {}
        : { body: JSON.stringify(answer.body) }),
  };
}
