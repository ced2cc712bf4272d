/**
 * Reading templates the CDK-based server tests do not cover: older or hand-written template styles,
 * physical ids chosen by the deployer, what is not emulated, and how routes are chosen.
 */
import { describe, expect, it } from 'vitest';
import {
  apisFromTemplate,
  type Route,
  type TemplateResource,
} from '../../../../../infra/local/apigateway/model';
import { RouteTable } from '../../../../../infra/local/apigateway/routing';

const FUNCTION = 'arn:aws:lambda:us-east-1:000000000000:function:handler';
const URI = `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${FUNCTION}/invocations`;
const proxy = { Type: 'AWS_PROXY', IntegrationHttpMethod: 'POST', Uri: URI };

describe('apisFromTemplate', () => {
  it('links REST resources through the physical ids the deployer chose', () => {
    const resources: Record<string, TemplateResource> = {
      Api: {
        Type: 'AWS::ApiGateway::RestApi',
        Properties: { Name: 'shop', BinaryMediaTypes: ['image~1png'] },
      },
      Orders: {
        Type: 'AWS::ApiGateway::Resource',
        Properties: { RestApiId: 'api-123', ParentId: 'root-1', PathPart: 'orders' },
      },
      Order: {
        Type: 'AWS::ApiGateway::Resource',
        Properties: { RestApiId: 'api-123', ParentId: 'res-Orders', PathPart: '{orderId}' },
      },
      GetOrder: {
        Type: 'AWS::ApiGateway::Method',
        Properties: {
          RestApiId: 'api-123',
          ResourceId: 'res-Order',
          HttpMethod: 'get',
          AuthorizationType: 'NONE',
          Integration: proxy,
        },
      },
      RootGet: {
        Type: 'AWS::ApiGateway::Method',
        Properties: { RestApiId: 'api-123', ResourceId: 'root-1', HttpMethod: 'GET', Integration: proxy },
      },
      Deployment: {
        Type: 'AWS::ApiGateway::Deployment',
        Properties: {
          RestApiId: 'api-123',
          StageName: 'v1',
          StageDescription: {
            ThrottlingRateLimit: '100',
            ThrottlingBurstLimit: 50,
            Variables: { env: 'test' },
            MethodSettings: [
              { ResourcePath: '/~1orders~1{orderId}', HttpMethod: 'GET', ThrottlingBurstLimit: 1 },
            ],
          },
        },
      },
    };
    const physicalIds: Record<string, string> = { Api: 'api-123', Orders: 'res-Orders', Order: 'res-Order' };
    const [api] = apisFromTemplate(resources, (logicalId) => physicalIds[logicalId] ?? logicalId);

    expect(api).toMatchObject({
      kind: 'rest',
      id: 'api-123',
      name: 'shop',
      binaryMediaTypes: ['image/png'],
      warnings: [],
    });
    expect(api?.routes.map((route) => [route.routeKey, route.resourceId])).toEqual([
      ['GET /orders/{orderId}', 'res-Order'],
      ['GET /', 'root-1'],
    ]);
    expect(api?.stages).toEqual([
      {
        name: 'v1',
        variables: { env: 'test' },
        throttles: [
          { routeKey: '*', limits: { rateLimit: 100, burstLimit: 50 } },
          {
            routeKey: 'GET /orders/{orderId}',
            limits: { rateLimit: Number.POSITIVE_INFINITY, burstLimit: 1 },
          },
        ],
      },
    ]);
  });

  it('reports what it does not emulate instead of failing', () => {
    const [rest, httpApi] = apisFromTemplate({
      Api: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: 'r' } },
      Pool: {
        Type: 'AWS::ApiGateway::Authorizer',
        Properties: { RestApiId: 'Api', Type: 'COGNITO_USER_POOLS', ProviderARNs: ['arn:pool'] },
      },
      Get: {
        Type: 'AWS::ApiGateway::Method',
        Properties: {
          RestApiId: 'Api',
          ResourceId: 'root',
          HttpMethod: 'GET',
          AuthorizationType: 'COGNITO_USER_POOLS',
          AuthorizerId: 'Pool',
          Integration: { Type: 'HTTP_PROXY', Uri: 'https://example.com' },
        },
      },
      Http: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'h', ProtocolType: 'HTTP' } },
      Jwt: { Type: 'AWS::ApiGatewayV2::Authorizer', Properties: { ApiId: 'Http', AuthorizerType: 'JWT' } },
      Route: {
        Type: 'AWS::ApiGatewayV2::Route',
        Properties: { ApiId: 'Http', RouteKey: 'GET /x', AuthorizationType: 'JWT', AuthorizerId: 'Jwt' },
      },
      Socket: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'ws', ProtocolType: 'WEBSOCKET' } },
    });
    expect(rest?.routes[0]?.authorization.type).toBe('UNSUPPORTED');
    expect(rest?.warnings).toEqual([
      'GET /: authorizer Pool of type COGNITO_USER_POOLS is not emulated',
      'GET /: integration type HTTP_PROXY is not emulated',
      'REST API Api has no stage, so it is not served',
    ]);
    expect(httpApi?.warnings).toEqual([
      'GET /x: authorizer Jwt of type JWT is not emulated',
      'GET /x: route target "" names no integration in the template',
      'HTTP API Http has no stage, so it is not served',
    ]);
  });

  it('reads an HTTP API quick-created with Target, and plain Lambda ARNs as integration URIs', () => {
    const [quick, named] = apisFromTemplate({
      Quick: {
        Type: 'AWS::ApiGatewayV2::Api',
        Properties: { Name: 'q', ProtocolType: 'HTTP', Target: FUNCTION },
      },
      Named: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'n', ProtocolType: 'HTTP' } },
      Integration: {
        Type: 'AWS::ApiGatewayV2::Integration',
        Properties: {
          ApiId: 'Named',
          IntegrationType: 'AWS_PROXY',
          IntegrationUri: FUNCTION,
          PayloadFormatVersion: '2.0',
          TimeoutInMillis: 5000,
        },
      },
      Route: {
        Type: 'AWS::ApiGatewayV2::Route',
        Properties: { ApiId: 'Named', RouteKey: '$default', Target: 'integrations/Integration' },
      },
      Stage: {
        Type: 'AWS::ApiGatewayV2::Stage',
        Properties: {
          ApiId: 'Named',
          StageName: 'dev',
          StageVariables: { a: 'b' },
          DefaultRouteSettings: { ThrottlingRateLimit: 5 },
        },
      },
    });
    expect(quick?.routes).toEqual([
      {
        method: 'ANY',
        path: '$default',
        routeKey: '$default',
        authorization: { type: 'NONE' },
        integration: { kind: 'lambda', functionArn: FUNCTION, payloadFormat: '2.0', timeoutMs: 30_000 },
      },
    ]);
    expect(quick?.stages.map((stage) => stage.name)).toEqual(['$default']);
    expect(named?.routes[0]?.integration).toEqual({
      kind: 'lambda',
      functionArn: FUNCTION,
      payloadFormat: '2.0',
      timeoutMs: 5000,
    });
    expect(named?.stages).toEqual([
      {
        name: 'dev',
        variables: { a: 'b' },
        throttles: [{ routeKey: '*', limits: { rateLimit: 5, burstLimit: Number.POSITIVE_INFINITY } }],
      },
    ]);
  });
});

describe('RouteTable', () => {
  const route = (routeKey: string): Route => {
    const [method = 'ANY', path = '$default'] = routeKey === '$default' ? [] : routeKey.split(' ');
    return {
      method,
      path,
      routeKey,
      authorization: { type: 'NONE' },
      integration: { kind: 'unsupported', detail: '' },
    };
  };
  const table = new RouteTable(
    [
      'ANY /{proxy+}',
      'GET /pets/{id}',
      'GET /pets/dog',
      'ANY /pets/dog',
      'GET /pets/{id}/toys/{proxy+}',
      '$default',
    ].map(route),
  );
  const pick = (method: string, path: string) => {
    const match = table.match(method, path);
    return match && [match.route.routeKey, match.pathParameters];
  };

  it('prefers literal segments to variables, variables to greedy ones, and exact methods to ANY', () => {
    expect(pick('GET', '/pets/dog')).toEqual(['GET /pets/dog', {}]);
    expect(pick('POST', '/pets/dog')).toEqual(['ANY /pets/dog', {}]);
    expect(pick('GET', '/pets/cat')).toEqual(['GET /pets/{id}', { id: 'cat' }]);
    expect(pick('GET', '/pets/cat/toys/a/b')).toEqual([
      'GET /pets/{id}/toys/{proxy+}',
      { id: 'cat', proxy: 'a/b' },
    ]);
    expect(pick('DELETE', '/pets/cat')).toEqual(['ANY /{proxy+}', { proxy: 'pets/cat' }]);
  });

  it('ignores a trailing slash, decodes parameters, and falls back to $default', () => {
    expect(pick('GET', '/pets/a%2Fb/')).toEqual(['GET /pets/{id}', { id: 'a/b' }]);
    expect(pick('GET', '/')).toEqual(['$default', {}]);
  });
});
