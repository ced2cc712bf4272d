/** Reads HTTP APIs (AWS::ApiGatewayV2::*, ProtocolType HTTP) from resolved template resources. */
import type {
  ApiModel,
  CorsConfiguration,
  Integration,
  LambdaAuthorizer,
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

const HTTP_INTEGRATION_TIMEOUT_MS = 30_000;

export function readHttpApis(
  resources: Readonly<Record<string, TemplateResource>>,
  physicalIdOf: PhysicalIdOf,
): ApiModel[] {
  const ofType = (type: string) => resourcesOfType(resources, type, physicalIdOf);
  const integrations = ofType('AWS::ApiGatewayV2::Integration');
  const authorizers = ofType('AWS::ApiGatewayV2::Authorizer');
  const routes = ofType('AWS::ApiGatewayV2::Route');
  const stages = ofType('AWS::ApiGatewayV2::Stage');

  return ofType('AWS::ApiGatewayV2::Api')
    .filter((api) => (stringProp(api.properties, 'ProtocolType') ?? 'HTTP') === 'HTTP')
    .map((api) => {
      const belongs = (resource: TypedResource) =>
        stringProp(resource.properties, 'ApiId') === api.physicalId;
      const warnings = unreadBodyWarnings(api, 'HTTP API', 'Route resources');
      const integrationById = new Map(
        integrations
          .filter(belongs)
          .map((integration) => [integration.physicalId, readIntegration(integration)]),
      );
      const authorizerById = new Map(
        authorizers.filter(belongs).map((authorizer) => [authorizer.physicalId, readAuthorizer(authorizer)]),
      );
      const apiRoutes = [
        ...quickCreateRoutes(api),
        ...routes.filter(belongs).map((route) => readRoute(route, integrationById, authorizerById)),
      ];
      warnings.push(...apiRoutes.flatMap(unsupportedRouteParts));
      const apiStages = stages.filter(belongs).map(readStage);
      // Quick create (Api.Target) deploys a $default stage without a Stage resource.
      if (apiStages.length === 0 && api.properties.Target !== undefined) {
        apiStages.push({ name: '$default', variables: {}, throttles: [] });
      }
      if (apiStages.length === 0)
        warnings.push(`HTTP API ${api.logicalId} has no stage, so it is not served`);
      return {
        kind: 'http',
        id: api.physicalId,
        name: stringProp(api.properties, 'Name') ?? api.logicalId,
        stages: apiStages,
        routes: apiRoutes,
        binaryMediaTypes: [],
        cors: readCors(api.properties.CorsConfiguration),
        warnings,
      } satisfies ApiModel;
    });
}

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

function readRoute(
  route: TypedResource,
  integrationById: ReadonlyMap<string, Integration>,
  authorizerById: ReadonlyMap<string, LambdaAuthorizer | string>,
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

function readIntegration(integration: TypedResource): Integration {
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

function readAuthorizer(authorizer: TypedResource): LambdaAuthorizer | string {
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

function readStage(stage: TypedResource): Stage {
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
