/**
 * The events a Lambda proxy integration receives, in the shapes AWS documents: payload format 1.0 (REST
 * APIs, and HTTP API integrations set to 1.0) and 2.0 (HTTP APIs). Authorizer events reuse them.
 */
import type {
  APIGatewayEventRequestContextV2,
  APIGatewayProxyEvent,
  APIGatewayProxyEventV2WithRequestContext,
} from 'aws-lambda';
import type { ApiModel, Stage } from './model';
import type { RouteMatch } from './routing';
import { safeDecode } from './routing';

/** One HTTP request as the gateway saw it, before any API-specific interpretation. */
export interface GatewayRequest {
  readonly requestId: string;
  readonly method: string;
  /** Path after the stage (or addressing) prefix, still percent-encoded. */
  readonly rawPath: string;
  readonly rawQueryString: string;
  /** Header names as the client spelt them, in order, duplicates kept. */
  readonly headerPairs: readonly (readonly [string, string])[];
  readonly body: Buffer;
  readonly sourceIp: string;
  readonly timeEpoch: number;
  /** The Host the client used; AWS would put the execute-api domain here. */
  readonly domainName: string;
}

/** Who the caller turned out to be, once authorization has run. */
export type CallerIdentity =
  | { readonly kind: 'anonymous' }
  | {
      readonly kind: 'lambda';
      readonly principalId?: string;
      readonly context: Readonly<Record<string, unknown>>;
      readonly latencyMs: number;
    }
  | { readonly kind: 'iam'; readonly accessKey: string };

export interface EventScope {
  readonly api: ApiModel;
  readonly stage: Stage;
  readonly match: RouteMatch;
  readonly accountId: string;
  readonly caller: CallerIdentity;
}

export function headerValues(request: GatewayRequest, name: string): string[] {
  const lower = name.toLowerCase();
  return request.headerPairs.filter(([key]) => key.toLowerCase() === lower).map(([, value]) => value);
}

export function headerValue(request: GatewayRequest, name: string): string | undefined {
  return headerValues(request, name).at(-1);
}

export function queryValues(request: GatewayRequest): Map<string, string[]> {
  const values = new Map<string, string[]>();
  for (const [key, value] of new URLSearchParams(request.rawQueryString)) {
    values.set(key, [...(values.get(key) ?? []), value]);
  }
  return values;
}

const TEXT_CONTENT_TYPES = /^(?:text\/.*|application\/(?:json|xml|javascript))$/;

function mediaType(contentType: string | undefined): string {
  return (contentType ?? '').split(';')[0]?.trim().toLowerCase() ?? '';
}

/** REST APIs: BinaryMediaTypes entries may use wildcards (`image/*`, `*\/*`). */
export function matchesMediaType(contentType: string | undefined, patterns: readonly string[]): boolean {
  const type = mediaType(contentType);
  if (!type) return false;
  const [major, minor] = type.split('/');
  return patterns.some((pattern) => {
    const [patternMajor, patternMinor] = pattern.toLowerCase().split('/');
    return (
      (patternMajor === '*' || patternMajor === major) && (patternMinor === '*' || patternMinor === minor)
    );
  });
}

/**
 * REST APIs base64-encode a body whose Content-Type is in BinaryMediaTypes. HTTP APIs pass only text/*,
 * application/json, application/xml and application/javascript as text and base64-encode everything else
 * (form posts and a missing Content-Type included), as verified against AWS.
 */
export function eventBody(
  request: GatewayRequest,
  api: ApiModel,
): { body?: string; isBase64Encoded: boolean } {
  if (request.body.length === 0) return { isBase64Encoded: false };
  const contentType = headerValue(request, 'content-type');
  const binary =
    api.kind === 'rest'
      ? matchesMediaType(contentType, api.binaryMediaTypes)
      : !TEXT_CONTENT_TYPES.test(mediaType(contentType));
  return binary
    ? { body: request.body.toString('base64'), isBase64Encoded: true }
    : { body: request.body.toString('utf8'), isBase64Encoded: false };
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/** `09/Apr/2015:12:34:56 +0000`, the CLF time API Gateway puts in requestTime and time. */
export function clfTime(epochMs: number): string {
  const date = new Date(epochMs);
  const pad = (value: number) => String(value).padStart(2, '0');
  return (
    `${pad(date.getUTCDate())}/${MONTHS[date.getUTCMonth()]}/${date.getUTCFullYear()}:` +
    `${pad(date.getUTCHours())}:${pad(date.getUTCMinutes())}:${pad(date.getUTCSeconds())} +0000`
  );
}

function nullIfEmpty<T extends object>(value: T): T | null {
  return Object.keys(value).length === 0 ? null : value;
}

/** The headers API Gateway adds before calling the integration. */
function forwardedHeaders(request: GatewayRequest): [string, string][] {
  const forwardedFor = [...headerValues(request, 'x-forwarded-for'), request.sourceIp].join(', ');
  const port = /:(\d+)$/.exec(request.domainName)?.[1] ?? '80';
  return [
    ['X-Forwarded-For', forwardedFor],
    ['X-Forwarded-Port', port],
    ['X-Forwarded-Proto', 'http'],
    [
      'X-Amzn-Trace-Id',
      `Root=1-${Math.floor(request.timeEpoch / 1000).toString(16)}-${request.requestId.replaceAll('-', '').slice(0, 24)}`,
    ],
  ];
}

function integrationHeaderPairs(request: GatewayRequest): (readonly [string, string])[] {
  const added = forwardedHeaders(request);
  const replaced = new Set(added.map(([name]) => name.toLowerCase()));
  return [...request.headerPairs.filter(([name]) => !replaced.has(name.toLowerCase())), ...added];
}

/** REST authorizer context values reach the integration as strings; objects are not allowed there. */
function stringifiedContext(context: Readonly<Record<string, unknown>>): Record<string, string | null> {
  const result: Record<string, string | null> = {};
  for (const [key, value] of Object.entries(context)) {
    result[key] = value === null ? null : typeof value === 'object' ? JSON.stringify(value) : String(value);
  }
  return result;
}

function v1Authorizer(scope: EventScope): Record<string, unknown> | undefined {
  const { caller } = scope;
  if (caller.kind !== 'lambda') return undefined;
  if (scope.api.kind === 'http') return { lambda: caller.context };
  return {
    ...stringifiedContext(caller.context),
    principalId: caller.principalId,
    integrationLatency: caller.latencyMs,
  };
}

export type V1Event = APIGatewayProxyEvent & { version?: '1.0' };

/** Payload format 1.0: REST API proxy events and HTTP API integrations set to 1.0. */
export function v1Event(request: GatewayRequest, scope: EventScope): V1Event {
  const { api, stage, match } = scope;
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  const spelling = new Map<string, string>();
  for (const [rawName, value] of integrationHeaderPairs(request)) {
    const name = spelling.get(rawName.toLowerCase()) ?? rawName;
    spelling.set(rawName.toLowerCase(), name);
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  const multiValueQuery = Object.fromEntries(queryValues(request));
  const query = Object.fromEntries(
    Object.entries(multiValueQuery).map(([key, values]) => [key, values.at(-1) ?? '']),
  );
  const path = safeDecode(request.rawPath);
  const resourcePath = api.kind === 'rest' ? match.route.path : match.route.path.replace('$default', '/');
  const stagePath = stage.name === '$default' ? path : `/${stage.name}${path}`;
  const caller = scope.caller;
  const { body, isBase64Encoded } = eventBody(request, api);
  return {
    ...(api.kind === 'http' ? { version: '1.0' as const } : {}),
    resource: resourcePath,
    path,
    httpMethod: request.method,
    headers,
    multiValueHeaders,
    queryStringParameters: nullIfEmpty(query),
    multiValueQueryStringParameters: nullIfEmpty(multiValueQuery),
    pathParameters: nullIfEmpty({ ...match.pathParameters }),
    stageVariables: nullIfEmpty({ ...stage.variables }),
    requestContext: {
      accountId: scope.accountId,
      apiId: api.id,
      authorizer: v1Authorizer(scope),
      domainName: request.domainName,
      domainPrefix: request.domainName.split('.')[0] ?? request.domainName,
      extendedRequestId: request.requestId,
      httpMethod: request.method,
      identity: {
        accessKey: caller.kind === 'iam' ? caller.accessKey : null,
        accountId: caller.kind === 'iam' ? scope.accountId : null,
        apiKey: null,
        apiKeyId: null,
        caller: caller.kind === 'iam' ? caller.accessKey : null,
        clientCert: null,
        cognitoAuthenticationProvider: null,
        cognitoAuthenticationType: null,
        cognitoIdentityId: null,
        cognitoIdentityPoolId: null,
        principalOrgId: null,
        sourceIp: request.sourceIp,
        user: caller.kind === 'iam' ? caller.accessKey : null,
        userAgent: headerValue(request, 'user-agent') ?? null,
        userArn: caller.kind === 'iam' ? `arn:aws:iam::${scope.accountId}:root` : null,
      },
      path: stagePath,
      protocol: 'HTTP/1.1',
      requestId: request.requestId,
      requestTime: clfTime(request.timeEpoch),
      requestTimeEpoch: request.timeEpoch,
      resourceId: match.route.resourceId ?? match.route.routeKey,
      resourcePath,
      stage: stage.name,
      ...(api.kind === 'http' ? { routeKey: match.route.routeKey } : {}),
    },
    body: body ?? null,
    isBase64Encoded,
  };
}

export type V2Event = APIGatewayProxyEventV2WithRequestContext<
  APIGatewayEventRequestContextV2 & { authorizer?: Record<string, unknown> }
>;

function v2Authorizer(scope: EventScope): Record<string, unknown> | undefined {
  const { caller } = scope;
  if (caller.kind === 'lambda') return { lambda: caller.context };
  if (caller.kind === 'iam') {
    return {
      iam: {
        accessKey: caller.accessKey,
        accountId: scope.accountId,
        callerId: caller.accessKey,
        cognitoIdentity: null,
        principalOrgId: null,
        userArn: `arn:aws:iam::${scope.accountId}:root`,
        userId: caller.accessKey,
      },
    };
  }
  return undefined;
}

/** Payload format 2.0: header names lower-cased, duplicates joined with commas, cookies on their own. */
export function v2Event(request: GatewayRequest, scope: EventScope): V2Event {
  const { api, stage, match } = scope;
  const headers: Record<string, string> = {};
  const cookies: string[] = [];
  for (const [rawName, value] of integrationHeaderPairs(request)) {
    const name = rawName.toLowerCase();
    if (name === 'cookie') {
      cookies.push(
        ...value
          .split(';')
          .map((cookie) => cookie.trim())
          .filter(Boolean),
      );
      continue;
    }
    headers[name] = headers[name] === undefined ? value : `${headers[name]},${value}`;
  }
  const query = Object.fromEntries([...queryValues(request)].map(([key, values]) => [key, values.join(',')]));
  const rawPath = stage.name === '$default' ? request.rawPath : `/${stage.name}${request.rawPath}`;
  const authorizer = v2Authorizer(scope);
  const { body, isBase64Encoded } = eventBody(request, api);
  const optional = (name: string, value: object | undefined) =>
    value && Object.keys(value).length > 0 ? { [name]: value } : {};
  return {
    version: '2.0',
    routeKey: match.route.routeKey,
    rawPath,
    rawQueryString: request.rawQueryString,
    ...(cookies.length > 0 ? { cookies } : {}),
    headers,
    ...optional('queryStringParameters', query),
    requestContext: {
      accountId: scope.accountId,
      apiId: api.id,
      ...(authorizer ? { authorizer } : {}),
      domainName: request.domainName,
      domainPrefix: request.domainName.split('.')[0] ?? request.domainName,
      http: {
        method: request.method,
        path: safeDecode(rawPath),
        protocol: 'HTTP/1.1',
        sourceIp: request.sourceIp,
        userAgent: headerValue(request, 'user-agent') ?? '',
      },
      requestId: request.requestId,
      routeKey: match.route.routeKey,
      stage: stage.name,
      time: clfTime(request.timeEpoch),
      timeEpoch: request.timeEpoch,
    },
    ...(body === undefined ? {} : { body }),
    ...optional('pathParameters', match.pathParameters),
    isBase64Encoded,
    ...optional('stageVariables', stage.variables),
  };
}
