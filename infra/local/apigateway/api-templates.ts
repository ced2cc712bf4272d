/**
 * Reads REST APIs (AWS::ApiGateway::*) and HTTP APIs (AWS::ApiGatewayV2::*, ProtocolType HTTP) from resolved
 * template resources. Both are read the same way (readApis): an API's own resources are those whose API id
 * property names it, its authorizers are read for its routes to refer to, and what the emulator leaves out
 * becomes the API's warnings. What differs, each family's resources and settings, is in its table.
 */
import type {
  ApiModel,
  CorsConfiguration,
  Integration,
  LambdaAuthorizer,
  MockResponse,
  PhysicalIdOf,
  Route,
  Stage,
  TemplateResource,
  ThrottleRule,
} from './model';
import {
  booleanProp,
  isRecord,
  lambdaArnFromUri,
  numberProp,
  parseIdentitySource,
  recordProp,
  resourcesOfType,
  routeAuthorization,
  stringListProp,
  stringMap,
  stringProp,
  type TypedResource,
  throttleLimits,
  unreadBodyWarnings,
  unsupportedRouteParts,
} from './template-values';

const REST_INTEGRATION_TIMEOUT_MS = 29_000;
const HTTP_INTEGRATION_TIMEOUT_MS = 30_000;
const DEFAULT_AUTHORIZER_TTL_SECONDS = 300;

type AuthorizerById = ReadonlyMap<string, LambdaAuthorizer | string>;
/** The resources of a type that belong to one API. */
type OwnResources = (type: string) => TypedResource[];
type ApiParts = Pick<ApiModel, 'routes' | 'stages' | 'binaryMediaTypes' | 'cors'>;

interface ApiFamily {
  readonly kind: ApiModel['kind'];
  /** `REST API` or `HTTP API`, in warnings. */
  readonly label: string;
  readonly apiType: string;
  /** The property by which a child resource names its API. */
  readonly apiIdProperty: string;
  readonly authorizerType: string;
  /** What is read instead of an OpenAPI body, for its warning. */
  readonly readInstead: string;
  readonly serves: (api: TypedResource) => boolean;
  readonly readAuthorizer: (authorizer: TypedResource) => LambdaAuthorizer | string;
  readonly readParts: (api: TypedResource, own: OwnResources, authorizerById: AuthorizerById) => ApiParts;
}

const REST_APIS: ApiFamily = {
  kind: 'rest',
  label: 'REST API',
  apiType: 'AWS::ApiGateway::RestApi',
  apiIdProperty: 'RestApiId',
  authorizerType: 'AWS::ApiGateway::Authorizer',
  readInstead: 'Resource/Method resources',
  serves: () => true,
  readAuthorizer: readRestAuthorizer,
  readParts: (api, own, authorizerById) => {
    const pathOf = resourcePaths(own('AWS::ApiGateway::Resource'));
    return {
      routes: own('AWS::ApiGateway::Method')
        .map((method) => readMethod(method, pathOf, authorizerById))
        .filter((route): route is Route => route !== undefined),
      stages: [
        ...own('AWS::ApiGateway::Stage').map(readRestStage),
        ...own('AWS::ApiGateway::Deployment').flatMap(readDeploymentStage),
      ],
      binaryMediaTypes: stringListProp(api.properties, 'BinaryMediaTypes').map((type) =>
        type.replaceAll('~1', '/'),
      ),
    };
  },
};

const HTTP_APIS: ApiFamily = {
  kind: 'http',
  label: 'HTTP API',
  apiType: 'AWS::ApiGatewayV2::Api',
  apiIdProperty: 'ApiId',
  authorizerType: 'AWS::ApiGatewayV2::Authorizer',
  readInstead: 'Route resources',
  serves: (api) => (stringProp(api.properties, 'ProtocolType') ?? 'HTTP') === 'HTTP',
  readAuthorizer: readHttpAuthorizer,
  readParts: (api, own, authorizerById) => {
    const integrationById = new Map(
      own('AWS::ApiGatewayV2::Integration').map((integration) => [
        integration.physicalId,
        readHttpIntegration(integration),
      ]),
    );
    const stages = own('AWS::ApiGatewayV2::Stage').map(readHttpStage);
    // Quick create (Api.Target) deploys a $default stage without a Stage resource.
    if (stages.length === 0 && api.properties.Target !== undefined) {
      stages.push({ name: '$default', variables: {}, throttles: [] });
    }
    return {
      routes: [
        ...quickCreateRoutes(api),
        ...own('AWS::ApiGatewayV2::Route').map((route) =>
          readHttpRoute(route, integrationById, authorizerById),
        ),
      ],
      stages,
      binaryMediaTypes: [],
      cors: readCors(api.properties.CorsConfiguration),
    };
  },
};

/** The REST APIs, then the HTTP APIs, of the template. */
export function readApis(
  resources: Readonly<Record<string, TemplateResource>>,
  physicalIdOf: PhysicalIdOf,
): ApiModel[] {
  const byType = new Map<string, TypedResource[]>();
  const ofType = (type: string): TypedResource[] => {
    const found = byType.get(type) ?? resourcesOfType(resources, type, physicalIdOf);
    byType.set(type, found);
    return found;
  };
  return [REST_APIS, HTTP_APIS].flatMap((family) =>
    ofType(family.apiType)
      .filter(family.serves)
      .map((api) => readApi(api, family, ofType)),
  );
}

function readApi(api: TypedResource, family: ApiFamily, ofType: (type: string) => TypedResource[]): ApiModel {
  const own: OwnResources = (type) =>
    ofType(type).filter(
      (resource) => stringProp(resource.properties, family.apiIdProperty) === api.physicalId,
    );
  const warnings = unreadBodyWarnings(api, family.label, family.readInstead);
  const authorizerById = new Map(
    own(family.authorizerType).map((authorizer) => [
      authorizer.physicalId,
      family.readAuthorizer(authorizer),
    ]),
  );
  const parts = family.readParts(api, own, authorizerById);
  warnings.push(...parts.routes.flatMap(unsupportedRouteParts));
  if (parts.stages.length === 0) {
    warnings.push(`${family.label} ${api.logicalId} has no stage, so it is not served`);
  }
  return {
    kind: family.kind,
    id: api.physicalId,
    name: stringProp(api.properties, 'Name') ?? api.logicalId,
    ...parts,
    warnings,
  };
}

// ---- REST APIs ----

/** Maps each Resource id to its full path; an id that is no Resource (the root) maps to `/`. */
function resourcePaths(pathResources: readonly TypedResource[]): (resourceId: string | undefined) => string {
  const byId = new Map(pathResources.map((resource) => [resource.physicalId, resource.properties]));
  const cache = new Map<string, string>();
  const pathOf = (resourceId: string | undefined, depth = 0): string => {
    const properties = resourceId === undefined ? undefined : byId.get(resourceId);
    if (resourceId === undefined || !properties || depth > byId.size) return '/';
    const cached = cache.get(resourceId);
    if (cached) return cached;
    const parent = pathOf(stringProp(properties, 'ParentId'), depth + 1);
    const path = `${parent === '/' ? '' : parent}/${stringProp(properties, 'PathPart') ?? ''}`;
    cache.set(resourceId, path);
    return path;
  };
  return (resourceId) => pathOf(resourceId);
}

function readRestAuthorizer(authorizer: TypedResource): LambdaAuthorizer | string {
  const { properties } = authorizer;
  const type = stringProp(properties, 'Type');
  const functionArn = lambdaArnFromUri(stringProp(properties, 'AuthorizerUri'));
  if ((type !== 'TOKEN' && type !== 'REQUEST') || !functionArn) {
    return `authorizer ${authorizer.logicalId} of type ${type ?? 'unknown'} is not emulated`;
  }
  const identitySources = (stringProp(properties, 'IdentitySource') ?? '')
    .split(',')
    .map(parseIdentitySource)
    .filter((source) => source !== undefined);
  return {
    id: authorizer.physicalId,
    name: stringProp(properties, 'Name') ?? authorizer.logicalId,
    type,
    functionArn,
    identitySources:
      type === 'TOKEN' && identitySources.length === 0
        ? [{ location: 'header', name: 'Authorization' }]
        : identitySources,
    validationExpression: stringProp(properties, 'IdentityValidationExpression'),
    resultTtlSeconds:
      numberProp(properties, 'AuthorizerResultTtlInSeconds') ?? DEFAULT_AUTHORIZER_TTL_SECONDS,
    payloadFormat: '1.0',
    simpleResponses: false,
  };
}

function readMethod(
  method: TypedResource,
  pathOf: (resourceId: string | undefined) => string,
  authorizerById: AuthorizerById,
): Route | undefined {
  const { properties } = method;
  const httpMethod = stringProp(properties, 'HttpMethod')?.toUpperCase();
  if (!httpMethod) return undefined;
  const resourceId = stringProp(properties, 'ResourceId');
  const path = pathOf(resourceId);
  const routeKey = `${httpMethod} ${path}`;
  return {
    method: httpMethod,
    path,
    routeKey,
    resourceId,
    authorization: routeAuthorization(properties, authorizerById),
    integration: readRestIntegration(recordProp(properties, 'Integration')),
  };
}

function readRestIntegration(integration: Readonly<Record<string, unknown>>): Integration {
  const type = stringProp(integration, 'Type');
  if (type === 'AWS_PROXY') {
    const functionArn = lambdaArnFromUri(stringProp(integration, 'Uri'));
    if (functionArn) {
      return {
        kind: 'lambda',
        functionArn,
        payloadFormat: '1.0',
        timeoutMs: numberProp(integration, 'TimeoutInMillis') ?? REST_INTEGRATION_TIMEOUT_MS,
      };
    }
  }
  if (type === 'MOCK') return readMockIntegration(integration);
  return { kind: 'unsupported', detail: `integration type ${type ?? 'unknown'} is not emulated` };
}

/** MOCK: the status comes from the request template; responses carry literal header values only. */
function readMockIntegration(integration: Readonly<Record<string, unknown>>): Integration {
  const template = stringMap(integration.RequestTemplates)['application/json'];
  const statusCode = Number(/"?statusCode"?\s*:\s*(\d{3})/.exec(template ?? '')?.[1] ?? 200);
  const responses = (Array.isArray(integration.IntegrationResponses) ? integration.IntegrationResponses : [])
    .filter(isRecord)
    .map((response): MockResponse => {
      const headers: Record<string, string> = {};
      for (const [key, value] of Object.entries(stringMap(response.ResponseParameters))) {
        const header = /^method\.response\.header\.(.+)$/.exec(key)?.[1];
        const literal = /^'(.*)'$/.exec(value)?.[1];
        if (header && literal !== undefined) headers[header] = literal;
      }
      const body = stringMap(response.ResponseTemplates)['application/json'] ?? '';
      return {
        selectionPattern: stringProp(response, 'SelectionPattern'),
        statusCode: numberProp(response, 'StatusCode') ?? 200,
        headers,
        // Mapping templates (VTL) are not evaluated; a template that uses them yields an empty body.
        body: /[$#]/.test(body) ? '' : body,
      };
    });
  return { kind: 'mock', statusCode, responses };
}

function readRestStage(stage: TypedResource): Stage {
  return stageFrom(stringProp(stage.properties, 'StageName') ?? stage.logicalId, stage.properties);
}

/** An older template style: the Deployment creates the stage from StageName and StageDescription. */
function readDeploymentStage(deployment: TypedResource): Stage[] {
  const name = stringProp(deployment.properties, 'StageName');
  return name ? [stageFrom(name, recordProp(deployment.properties, 'StageDescription'))] : [];
}

function stageFrom(name: string, properties: Readonly<Record<string, unknown>>): Stage {
  const stageDefault = throttleLimits(properties);
  const throttles: ThrottleRule[] = stageDefault ? [{ routeKey: '*', limits: stageDefault }] : [];
  const settings = Array.isArray(properties.MethodSettings) ? properties.MethodSettings : [];
  for (const setting of settings.filter(isRecord)) {
    const limits = throttleLimits(setting);
    if (!limits) continue;
    throttles.push({ routeKey: methodSettingKey(setting), limits });
  }
  return { name, variables: stringMap(properties.Variables), throttles };
}

/** MethodSettings name a method by `HttpMethod` and a JSON-pointer-escaped `ResourcePath` (`/~1items`). */
function methodSettingKey(setting: Readonly<Record<string, unknown>>): string {
  const method = stringProp(setting, 'HttpMethod')?.toUpperCase() ?? '*';
  const escaped = stringProp(setting, 'ResourcePath') ?? '/*';
  // `/~1items~1{id}`: the leading `/` separates, `~1` is an escaped `/` in the resource path.
  const path =
    escaped === '/*' ? '*' : escaped.replace(/^\//, '').replaceAll('~1', '/').replaceAll('~0', '~');
  return method === '*' && path === '*' ? '*' : `${method} ${path}`;
}

// ---- HTTP APIs ----

function splitRouteKey(routeKey: string): { method: string; path: string } {
  if (routeKey === '$default') return { method: 'ANY', path: '$default' };
  const [method = 'ANY', path = '/'] = routeKey.trim().split(/\s+/, 2);
  return { method: method.toUpperCase(), path };
}

function quickCreateRoutes(api: TypedResource): Route[] {
  const functionArn = lambdaArnFromUri(stringProp(api.properties, 'Target'));
  if (!functionArn) return [];
  const routeKey = stringProp(api.properties, 'RouteKey') ?? '$default';
  return [
    {
      ...splitRouteKey(routeKey),
      routeKey,
      authorization: { type: 'NONE' },
      integration: {
        kind: 'lambda',
        functionArn,
        payloadFormat: '2.0',
        timeoutMs: HTTP_INTEGRATION_TIMEOUT_MS,
      },
    },
  ];
}

function readHttpRoute(
  route: TypedResource,
  integrationById: ReadonlyMap<string, Integration>,
  authorizerById: AuthorizerById,
): Route {
  const { properties } = route;
  const routeKey = stringProp(properties, 'RouteKey') ?? '$default';
  const target = stringProp(properties, 'Target') ?? '';
  const integrationId = /^integrations\/(.+)$/.exec(target)?.[1];
  const integration: Integration = (integrationId && integrationById.get(integrationId)) || {
    kind: 'unsupported',
    detail: `route target "${target}" names no integration in the template`,
  };
  return {
    ...splitRouteKey(routeKey),
    routeKey,
    authorization: routeAuthorization(properties, authorizerById),
    integration,
  };
}

function readHttpIntegration(integration: TypedResource): Integration {
  const { properties } = integration;
  const type = stringProp(properties, 'IntegrationType');
  const functionArn = lambdaArnFromUri(stringProp(properties, 'IntegrationUri'));
  if (type !== 'AWS_PROXY' || !functionArn) {
    return { kind: 'unsupported', detail: `integration type ${type ?? 'unknown'} is not emulated` };
  }
  return {
    kind: 'lambda',
    functionArn,
    payloadFormat: stringProp(properties, 'PayloadFormatVersion') === '2.0' ? '2.0' : '1.0',
    timeoutMs: numberProp(properties, 'TimeoutInMillis') ?? HTTP_INTEGRATION_TIMEOUT_MS,
  };
}

function readHttpAuthorizer(authorizer: TypedResource): LambdaAuthorizer | string {
  const { properties } = authorizer;
  const type = stringProp(properties, 'AuthorizerType');
  const functionArn = lambdaArnFromUri(stringProp(properties, 'AuthorizerUri'));
  if (type !== 'REQUEST' || !functionArn) {
    return `authorizer ${authorizer.logicalId} of type ${type ?? 'unknown'} is not emulated`;
  }
  const payloadFormat = stringProp(properties, 'AuthorizerPayloadFormatVersion') === '2.0' ? '2.0' : '1.0';
  return {
    id: authorizer.physicalId,
    name: stringProp(properties, 'Name') ?? authorizer.logicalId,
    type: 'REQUEST',
    functionArn,
    identitySources: stringListProp(properties, 'IdentitySource')
      .map(parseIdentitySource)
      .filter((source) => source !== undefined),
    resultTtlSeconds: numberProp(properties, 'AuthorizerResultTtlInSeconds') ?? 0,
    payloadFormat,
    simpleResponses: payloadFormat === '2.0' && booleanProp(properties, 'EnableSimpleResponses'),
  };
}

function readHttpStage(stage: TypedResource): Stage {
  const { properties } = stage;
  const stageDefault = throttleLimits(recordProp(properties, 'DefaultRouteSettings'));
  const throttles: ThrottleRule[] = stageDefault ? [{ routeKey: '*', limits: stageDefault }] : [];
  for (const [routeKey, settings] of Object.entries(recordProp(properties, 'RouteSettings'))) {
    const limits = isRecord(settings) ? throttleLimits(settings) : undefined;
    if (limits) throttles.push({ routeKey, limits });
  }
  return {
    name: stringProp(properties, 'StageName') ?? '$default',
    variables: stringMap(properties.StageVariables),
    throttles,
  };
}

function readCors(value: unknown): CorsConfiguration | undefined {
  if (!isRecord(value)) return undefined;
  return {
    allowOrigins: stringListProp(value, 'AllowOrigins'),
    allowMethods: stringListProp(value, 'AllowMethods').map((method) => method.toUpperCase()),
    allowHeaders: stringListProp(value, 'AllowHeaders'),
    exposeHeaders: stringListProp(value, 'ExposeHeaders'),
    allowCredentials: booleanProp(value, 'AllowCredentials'),
    maxAgeSeconds: numberProp(value, 'MaxAge'),
  };
}
