/**
 * What the client gets back: the integration's answer translated per payload format, or one of API
 * Gateway's own error responses (whose status and message differ between REST and HTTP APIs).
 */

import { matchesMediaType } from './events';
import type { ApiModel, Integration, PayloadFormat } from './model';
import { isRecord } from './template-values';

export interface HttpResponse {
  readonly statusCode: number;
  /** Pairs, so that a header (Set-Cookie) may repeat. */
  readonly headers: readonly (readonly [string, string])[];
  readonly body: Buffer;
}

export type GatewayError =
  | 'NO_ROUTE'
  | 'MISSING_IAM_SIGNATURE'
  | 'UNAUTHORIZED'
  | 'IMPLICIT_DENY'
  | 'EXPLICIT_DENY'
  | 'AUTHORIZER_FAILURE'
  | 'THROTTLED'
  | 'INVOKE_FAILED'
  | 'FUNCTION_ERROR'
  | 'TIMEOUT'
  | 'TOO_LARGE'
  | 'NOT_EMULATED';

interface ErrorShape {
  readonly status: number;
  readonly message: string | null;
  /** REST APIs name the gateway response in `x-amzn-ErrorType`. */
  readonly errorType?: string;
}

const REST_ERRORS: Readonly<Record<GatewayError, ErrorShape>> = {
  NO_ROUTE: {
    status: 403,
    message: 'Missing Authentication Token',
    errorType: 'MissingAuthenticationTokenException',
  },
  MISSING_IAM_SIGNATURE: {
    status: 403,
    message: 'Missing Authentication Token',
    errorType: 'MissingAuthenticationTokenException',
  },
  UNAUTHORIZED: { status: 401, message: 'Unauthorized', errorType: 'UnauthorizedException' },
  IMPLICIT_DENY: {
    status: 403,
    message: 'User is not authorized to access this resource',
    errorType: 'AccessDeniedException',
  },
  EXPLICIT_DENY: {
    status: 403,
    message: 'User is not authorized to access this resource with an explicit deny',
    errorType: 'AccessDeniedException',
  },
  AUTHORIZER_FAILURE: { status: 500, message: null, errorType: 'AuthorizerConfigurationException' },
  THROTTLED: { status: 429, message: 'Too Many Requests', errorType: 'TooManyRequestsException' },
  INVOKE_FAILED: { status: 500, message: 'Internal server error', errorType: 'InternalServerErrorException' },
  FUNCTION_ERROR: {
    status: 502,
    message: 'Internal server error',
    errorType: 'InternalServerErrorException',
  },
  TIMEOUT: { status: 504, message: 'Endpoint request timed out' },
  TOO_LARGE: { status: 413, message: 'Request Too Long' },
  NOT_EMULATED: { status: 500, message: 'Internal server error', errorType: 'InternalServerErrorException' },
};

const HTTP_ERRORS: Readonly<Record<GatewayError, ErrorShape>> = {
  NO_ROUTE: { status: 404, message: 'Not Found' },
  MISSING_IAM_SIGNATURE: { status: 403, message: 'Forbidden' },
  UNAUTHORIZED: { status: 401, message: 'Unauthorized' },
  IMPLICIT_DENY: { status: 403, message: 'Forbidden' },
  EXPLICIT_DENY: { status: 403, message: 'Forbidden' },
  AUTHORIZER_FAILURE: { status: 500, message: 'Internal Server Error' },
  THROTTLED: { status: 429, message: 'Too Many Requests' },
  INVOKE_FAILED: { status: 500, message: 'Internal Server Error' },
  FUNCTION_ERROR: { status: 500, message: 'Internal Server Error' },
  TIMEOUT: { status: 503, message: 'Service Unavailable' },
  TOO_LARGE: { status: 413, message: 'Request Too Long' },
  NOT_EMULATED: { status: 500, message: 'Internal Server Error' },
};

export function gatewayError(error: GatewayError, apiKind: ApiModel['kind']): HttpResponse {
  const shape = (apiKind === 'rest' ? REST_ERRORS : HTTP_ERRORS)[error];
  const headers: [string, string][] = [['Content-Type', 'application/json']];
  if (shape.errorType) headers.push(['x-amzn-ErrorType', shape.errorType]);
  return { statusCode: shape.status, headers, body: Buffer.from(JSON.stringify({ message: shape.message })) };
}

function parseJson(text: string | undefined): { ok: true; value: unknown } | { ok: false } {
  if (text === undefined || text === '') return { ok: true, value: null };
  try {
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

function headerText(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

function statusCodeOf(value: unknown): number | undefined {
  const status = typeof value === 'string' ? Number(value) : value;
  return typeof status === 'number' && Number.isInteger(status) && status >= 100 && status <= 599
    ? status
    : undefined;
}

export interface ResponseContext {
  readonly api: ApiModel;
  readonly format: PayloadFormat;
  /** The request's Accept header: REST APIs return decoded binary only when it asks for a binary type. */
  readonly accept: string | undefined;
}

/** Undefined when the function's answer is not a valid proxy response (AWS answers 502 / 500 then). */
export function proxyResponse(
  payload: string | undefined,
  context: ResponseContext,
): HttpResponse | undefined {
  const parsed = parseJson(payload);
  if (!parsed.ok) return undefined;
  const { value } = parsed;
  if (context.format === '2.0' && !(isRecord(value) && 'statusCode' in value)) {
    // HTTP API 2.0 infers a response from any JSON value that has no statusCode.
    const body = typeof value === 'string' ? value : (payload ?? '');
    return { statusCode: 200, headers: [['Content-Type', 'application/json']], body: Buffer.from(body) };
  }
  return isRecord(value) ? structuredResponse(value, context) : undefined;
}

function structuredResponse(
  value: Record<string, unknown>,
  context: ResponseContext,
): HttpResponse | undefined {
  const statusCode = statusCodeOf(value.statusCode);
  const rawBody = value.body ?? '';
  if (statusCode === undefined || typeof rawBody !== 'string') return undefined;
  const headers = collectHeaders(value, context.format);
  if (context.api.kind === 'rest' && !headers.some(([name]) => name.toLowerCase() === 'content-type')) {
    headers.push(['Content-Type', 'application/json']);
  }
  const base64 = value.isBase64Encoded === true || value.isBase64Encoded === 'true';
  const contentType = headers.find(([name]) => name.toLowerCase() === 'content-type')?.[1];
  const decode =
    base64 &&
    (context.api.kind === 'http' ||
      matchesMediaType(contentType, context.api.binaryMediaTypes) ||
      (context.accept ?? '').split(',').some((type) => matchesMediaType(type, context.api.binaryMediaTypes)));
  return { statusCode, headers, body: decode ? Buffer.from(rawBody, 'base64') : Buffer.from(rawBody) };
}

/**
 * 1.0: `headers` plus `multiValueHeaders`, where a name in both takes the multi-value list.
 * 2.0: `headers` (a comma-joined value each) and `cookies`, each becoming a Set-Cookie header.
 */
function collectHeaders(value: Record<string, unknown>, format: PayloadFormat): [string, string][] {
  const headers: [string, string][] = [];
  const multi = format === '1.0' && isRecord(value.multiValueHeaders) ? value.multiValueHeaders : {};
  const multiNames = new Set(Object.keys(multi).map((name) => name.toLowerCase()));
  for (const [name, item] of Object.entries(isRecord(value.headers) ? value.headers : {})) {
    const text = headerText(item);
    if (text !== undefined && !multiNames.has(name.toLowerCase())) headers.push([name, text]);
  }
  for (const [name, items] of Object.entries(multi)) {
    for (const item of Array.isArray(items) ? items : []) {
      const text = headerText(item);
      if (text !== undefined) headers.push([name, text]);
    }
  }
  if (format === '2.0' && Array.isArray(value.cookies)) {
    for (const cookie of value.cookies) if (typeof cookie === 'string') headers.push(['Set-Cookie', cookie]);
  }
  return headers;
}

/** A MOCK integration answers with the integration response its status selects, else the default one. */
export function mockResponse(integration: Extract<Integration, { kind: 'mock' }>): HttpResponse | undefined {
  const status = String(integration.statusCode);
  const selected =
    integration.responses.find(
      (response) =>
        response.selectionPattern !== undefined &&
        response.selectionPattern !== '' &&
        new RegExp(`^(?:${response.selectionPattern})$`).test(status),
    ) ?? integration.responses.find((response) => !response.selectionPattern);
  if (!selected) return undefined;
  return {
    statusCode: selected.statusCode,
    headers: [['Content-Type', 'application/json'], ...Object.entries(selected.headers)],
    body: Buffer.from(selected.body),
  };
}
