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

type HttpErrorStatus = 401 | 403 | 404 | 413 | 429 | 500 | 503;

/** HTTP APIs answer a gateway error with its status and the status's message alone, no error type. */
const HTTP_ERROR_STATUS: Readonly<Record<GatewayError, HttpErrorStatus>> = {
  NO_ROUTE: 404,
  MISSING_IAM_SIGNATURE: 403,
  UNAUTHORIZED: 401,
  IMPLICIT_DENY: 403,
  EXPLICIT_DENY: 403,
  AUTHORIZER_FAILURE: 500,
  THROTTLED: 429,
  INVOKE_FAILED: 500,
  FUNCTION_ERROR: 500,
  TIMEOUT: 503,
  TOO_LARGE: 413,
  NOT_EMULATED: 500,
};

const HTTP_ERROR_MESSAGE: Readonly<Record<HttpErrorStatus, string>> = {
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  413: 'Request Too Long',
  429: 'Too Many Requests',
  500: 'Internal Server Error',
  503: 'Service Unavailable',
};

function errorShape(error: GatewayError, apiKind: ApiModel['kind']): ErrorShape {
  if (apiKind === 'rest') return REST_ERRORS[error];
  const status = HTTP_ERROR_STATUS[error];
  return { status, message: HTTP_ERROR_MESSAGE[status] };
}

export function gatewayError(error: GatewayError, apiKind: ApiModel['kind']): HttpResponse {
  const shape = errorShape(error, apiKind);
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
  const multi = format === '1.0' && isRecord(value.multiValueHeaders) ? value.multiValueHeaders : {};
  const multiNames = new Set(Object.keys(multi).map((name) => name.toLowerCase()));
  const single = Object.entries(isRecord(value.headers) ? value.headers : {}).filter(
    ([name]) => !multiNames.has(name.toLowerCase()),
  );
  const listed = Object.entries(multi).flatMap(([name, items]) =>
    (Array.isArray(items) ? items : []).map((item): [string, unknown] => [name, item]),
  );
  const cookies = format === '2.0' && Array.isArray(value.cookies) ? value.cookies : [];
  return [
    ...textHeaders([...single, ...listed]),
    ...cookies
      .filter((cookie): cookie is string => typeof cookie === 'string')
      .map((cookie): [string, string] => ['Set-Cookie', cookie]),
  ];
}

/** The headers whose value is text (or a number or boolean, as text); others are dropped. */
function textHeaders(entries: readonly [string, unknown][]): [string, string][] {
  return entries.flatMap(([name, item]): [string, string][] => {
    const text = headerText(item);
    return text === undefined ? [] : [[name, text]];
  });
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
