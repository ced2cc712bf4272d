/** Reads REST APIs (AWS::ApiGateway::*) from resolved template resources. */
import type {
  ApiModel,
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
const DEFAULT_AUTHORIZER_TTL_SECONDS = 300;

export function readRestApis(
  resources: Readonly<Record<string, TemplateResource>>,
  physicalIdOf: PhysicalIdOf,
): ApiModel[] {
  const ofType = (type: string) => resourcesOfType(resources, type, physicalIdOf);
  const pathResources = ofType('AWS::ApiGateway::Resource');
  const methods = ofType('AWS::ApiGateway::Method');
  const authorizers = ofType('AWS::ApiGateway::Authorizer');
  const stages = ofType('AWS::ApiGateway::Stage');
  const deployments = ofType('AWS::ApiGateway::Deployment');

  return ofType('AWS::ApiGateway::RestApi').map((api) => {
    const belongs = (resource: TypedResource) =>
      stringProp(resource.properties, 'RestApiId') === api.physicalId;
    const warnings = unreadBodyWarnings(api, 'REST API', 'Resource/Method resources');
    const pathOf = resourcePaths(pathResources.filter(belongs));
    const authorizerById = new Map(
      authorizers.filter(belongs).map((authorizer) => [authorizer.physicalId, readAuthorizer(authorizer)]),
    );
    const routes = methods
      .filter(belongs)
      .map((method) => readMethod(method, pathOf, authorizerById, warnings))
      .filter((route): route is Route => route !== undefined);
    const apiStages = [
      ...stages.filter(belongs).map(readStage),
      ...deployments.filter(belongs).flatMap(readDeploymentStage),
    ];
    if (apiStages.length === 0) warnings.push(`REST API ${api.logicalId} has no stage, so it is not served`);
    return {
      kind: 'rest',
      id: api.physicalId,
      name: stringProp(api.properties, 'Name') ?? api.logicalId,
      stages: apiStages,
      routes,
      binaryMediaTypes: stringListProp(api.properties, 'BinaryMediaTypes').map((type) =>
        type.replaceAll('~1', '/'),
      ),
      warnings,
    } satisfies ApiModel;
  });
}

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

function readAuthorizer(authorizer: TypedResource): LambdaAuthorizer | string {
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
  authorizerById: ReadonlyMap<string, LambdaAuthorizer | string>,
  warnings: string[],
): Route | undefined {
  const { properties } = method;
  const httpMethod = stringProp(properties, 'HttpMethod')?.toUpperCase();
  if (!httpMethod) return undefined;
  const resourceId = stringProp(properties, 'ResourceId');
  const path = pathOf(resourceId);
  const routeKey = `${httpMethod} ${path}`;
  const route: Route = {
    method: httpMethod,
    path,
    routeKey,
    resourceId,
    authorization: routeAuthorization(properties, authorizerById),
    integration: readIntegration(recordProp(properties, 'Integration')),
  };
  warnings.push(...unsupportedRouteParts(route));
  return route;
}

function readIntegration(integration: Readonly<Record<string, unknown>>): Integration {
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

function readStage(stage: TypedResource): Stage {
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
