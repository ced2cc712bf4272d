/** Narrow readers for resolved CloudFormation properties, shared by the REST and HTTP API readers. */
import type {
  Authorization,
  IdentitySource,
  LambdaAuthorizer,
  PhysicalIdOf,
  Route,
  TemplateResource,
  ThrottleLimits,
} from './model';

export interface TypedResource {
  readonly logicalId: string;
  readonly physicalId: string;
  readonly properties: Readonly<Record<string, unknown>>;
}

export function resourcesOfType(
  resources: Readonly<Record<string, TemplateResource>>,
  type: string,
  physicalIdOf: PhysicalIdOf,
): TypedResource[] {
  return Object.entries(resources)
    .filter(([, resource]) => resource.Type === type)
    .map(([logicalId, resource]) => ({
      logicalId,
      physicalId: physicalIdOf(logicalId),
      properties: resource.Properties ?? {},
    }));
}

export function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function stringProp(properties: Readonly<Record<string, unknown>>, name: string): string | undefined {
  const value = properties[name];
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return undefined;
}

/** CloudFormation passes numbers and booleans as strings as often as not. */
export function numberProp(properties: Readonly<Record<string, unknown>>, name: string): number | undefined {
  const value = properties[name];
  const number = typeof value === 'string' && value.trim() !== '' ? Number(value) : value;
  return typeof number === 'number' && Number.isFinite(number) ? number : undefined;
}

export function booleanProp(properties: Readonly<Record<string, unknown>>, name: string): boolean {
  const value = properties[name];
  return value === true || value === 'true';
}

export function recordProp(
  properties: Readonly<Record<string, unknown>>,
  name: string,
): Readonly<Record<string, unknown>> {
  const value = properties[name];
  return isRecord(value) ? value : {};
}

export function stringListProp(properties: Readonly<Record<string, unknown>>, name: string): string[] {
  const value = properties[name];
  if (Array.isArray(value)) return value.filter((item): item is string => typeof item === 'string');
  return typeof value === 'string' ? [value] : [];
}

export function stringMap(value: unknown): Record<string, string> {
  if (!isRecord(value)) return {};
  const result: Record<string, string> = {};
  for (const [key, item] of Object.entries(value)) {
    if (typeof item === 'string' || typeof item === 'number' || typeof item === 'boolean') {
      result[key] = String(item);
    }
  }
  return result;
}

/**
 * The Lambda function ARN inside an integration or authorizer URI: either the API Gateway service ARN
 * `arn:aws:apigateway:REGION:lambda:path/2015-03-31/functions/FUNCTION_ARN/invocations` or, as HTTP APIs
 * accept, the function ARN itself.
 */
export function lambdaArnFromUri(uri: string | undefined): string | undefined {
  if (!uri) return undefined;
  const wrapped = /:lambda:path\/[^/]+\/functions\/(.+)\/invocations$/.exec(uri);
  if (wrapped?.[1]) return wrapped[1];
  return /^arn:[^:]+:lambda:/.test(uri) ? uri : undefined;
}

/** Throttling limits when at least one of the two is set (a missing one is unlimited). */
export function throttleLimits(
  properties: Readonly<Record<string, unknown>>,
  rateName = 'ThrottlingRateLimit',
  burstName = 'ThrottlingBurstLimit',
): ThrottleLimits | undefined {
  const rateLimit = numberProp(properties, rateName);
  const burstLimit = numberProp(properties, burstName);
  if (rateLimit === undefined && burstLimit === undefined) return undefined;
  return {
    rateLimit: rateLimit ?? Number.POSITIVE_INFINITY,
    burstLimit: burstLimit ?? Number.POSITIVE_INFINITY,
  };
}

const IDENTITY_LOCATIONS: Readonly<Record<string, IdentitySource['location']>> = {
  header: 'header',
  querystring: 'querystring',
  path: 'path',
  stageVariables: 'stageVariable',
  context: 'context',
};

/**
 * Parses `method.request.header.Authorization` (REST), `$request.header.Authorization` (HTTP API),
 * `stageVariables.x` / `$stageVariables.x` and `context.x` / `$context.x`.
 */
export function parseIdentitySource(expression: string): IdentitySource | undefined {
  const trimmed = expression.trim();
  const request = /^(?:method\.request|\$request)\.(header|querystring|path)\.(.+)$/.exec(trimmed);
  const other = /^\$?(stageVariables|context)\.(.+)$/.exec(trimmed);
  const match = request ?? other;
  const location = match?.[1] ? IDENTITY_LOCATIONS[match[1]] : undefined;
  const name = match?.[2];
  return location && name ? { location, name } : undefined;
}

/**
 * A Method's or Route's AuthorizationType and AuthorizerId; `authorizerById` maps an authorizer's id to what
 * was read from it, or to why it is not emulated.
 */
export function routeAuthorization(
  properties: Readonly<Record<string, unknown>>,
  authorizerById: ReadonlyMap<string, LambdaAuthorizer | string>,
): Authorization {
  const type = stringProp(properties, 'AuthorizationType') ?? 'NONE';
  if (type === 'NONE' || type === 'AWS_IAM') return { type };
  const authorizerId = stringProp(properties, 'AuthorizerId');
  const authorizer = authorizerId === undefined ? undefined : authorizerById.get(authorizerId);
  if (typeof authorizer === 'object') return { type: 'CUSTOM', authorizer };
  return { type: 'UNSUPPORTED', detail: authorizer ?? `authorization type ${type} is not emulated` };
}

/** What the emulator leaves out of a route, for the API's warnings. */
export function unsupportedRouteParts(route: Route): string[] {
  const parts: string[] = [];
  if (route.authorization.type === 'UNSUPPORTED')
    parts.push(`${route.routeKey}: ${route.authorization.detail}`);
  if (route.integration.kind === 'unsupported') parts.push(`${route.routeKey}: ${route.integration.detail}`);
  return parts;
}

/** Inline OpenAPI definitions (Body, BodyS3Location) are not read; `readInstead` names what is. */
export function unreadBodyWarnings(api: TypedResource, label: string, readInstead: string): string[] {
  const hasBody = api.properties.Body !== undefined || api.properties.BodyS3Location !== undefined;
  return hasBody ? [`${label} ${api.logicalId}: OpenAPI bodies are not read; only ${readInstead} are`] : [];
}
