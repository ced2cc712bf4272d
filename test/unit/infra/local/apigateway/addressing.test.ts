/**
 * How requests find their API and stage when several APIs are served (see addressing.ts), and MOCK
 * integrations as CDK writes them for REST CORS preflight methods.
 */
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apisFromTemplate, type TemplateResource } from '../../../../../infra/local/apigateway/model';
import { type RunningApiGateway, startApiGateway } from '../../../../../infra/local/apigateway/server';
import { Clock } from '../../../../../infra/local/clock';

const functionArn = (name: string) => `arn:aws:lambda:us-east-1:000000000000:function:${name}`;
const uri = (name: string) =>
  `arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/${functionArn(name)}/invocations`;

function restApi(id: string, stage: string, path: string): Record<string, TemplateResource> {
  return {
    [id]: { Type: 'AWS::ApiGateway::RestApi', Properties: { Name: id } },
    [`${id}Res`]: {
      Type: 'AWS::ApiGateway::Resource',
      Properties: { RestApiId: id, ParentId: `${id}Root`, PathPart: path },
    },
    [`${id}Get`]: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        RestApiId: id,
        ResourceId: `${id}Res`,
        HttpMethod: 'GET',
        AuthorizationType: 'NONE',
        Integration: { Type: 'AWS_PROXY', Uri: uri(id) },
      },
    },
    [`${id}Options`]: {
      Type: 'AWS::ApiGateway::Method',
      Properties: {
        RestApiId: id,
        ResourceId: `${id}Res`,
        HttpMethod: 'OPTIONS',
        AuthorizationType: 'NONE',
        Integration: {
          Type: 'MOCK',
          RequestTemplates: { 'application/json': '{ statusCode: 200 }' },
          IntegrationResponses: [
            {
              StatusCode: '204',
              ResponseParameters: {
                'method.response.header.Access-Control-Allow-Origin': "'*'",
                'method.response.header.Access-Control-Allow-Methods': "'GET,OPTIONS'",
              },
            },
          ],
        },
      },
    },
    [`${id}Stage`]: { Type: 'AWS::ApiGateway::Stage', Properties: { RestApiId: id, StageName: stage } },
  };
}

const httpApi: Record<string, TemplateResource> = {
  Web: { Type: 'AWS::ApiGatewayV2::Api', Properties: { Name: 'web', ProtocolType: 'HTTP' } },
  WebIntegration: {
    Type: 'AWS::ApiGatewayV2::Integration',
    Properties: {
      ApiId: 'Web',
      IntegrationType: 'AWS_PROXY',
      IntegrationUri: functionArn('Web'),
      PayloadFormatVersion: '2.0',
    },
  },
  WebRoute: {
    Type: 'AWS::ApiGatewayV2::Route',
    Properties: { ApiId: 'Web', RouteKey: 'GET /web', Target: 'integrations/WebIntegration' },
  },
  WebStage: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: 'Web', StageName: '$default' } },
  WebDev: { Type: 'AWS::ApiGatewayV2::Stage', Properties: { ApiId: 'Web', StageName: 'dev' } },
};

/** Each function answers with its own name and what it saw. */
async function invoke(arn: string, payload: string) {
  const event = JSON.parse(payload) as Record<string, unknown>;
  const name = arn.split(':').at(-1);
  return { payload: JSON.stringify({ statusCode: 200, body: JSON.stringify({ name, event }) }) };
}

/** fetch will not send a Host header of our choosing; node:http will. */
function getWithHost(url: string, host: string): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, { headers: { Host: host } }, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve(JSON.parse(Buffer.concat(chunks).toString('utf8'))));
    });
    request.on('error', reject);
    request.end();
  });
}

async function answer(response: Response): Promise<{ name?: string; event: Record<string, unknown> }> {
  expect(response.status).toBe(200);
  return (await response.json()) as { name?: string; event: Record<string, unknown> };
}

describe('addressing with two REST APIs and an HTTP API', () => {
  let gateway: RunningApiGateway;
  beforeAll(async () => {
    const apis = apisFromTemplate({
      ...restApi('Shop', 'prod', 'cart'),
      ...restApi('Admin', 'live', 'users'),
      ...httpApi,
    });
    gateway = await startApiGateway({ port: 0, apis, invoke, clock: new Clock('manual', 0), log: () => {} });
  });
  afterAll(() => gateway.close());

  it('serves each REST API under /restapis/{id}/{stage}/_user_request_ only', async () => {
    expect((await answer(await fetch(`${gateway.stageUrl('Shop', 'prod')}/cart`))).name).toBe('Shop');
    expect((await answer(await fetch(`${gateway.stageUrl('Admin', 'live')}/users`))).name).toBe('Admin');
    expect((await fetch(`${gateway.url}/prod/cart`)).status).toBe(404);
    expect((await fetch(`${gateway.stageUrl('Shop', 'nope')}/cart`)).status).toBe(404);
  });

  it('routes by an execute-api Host header, as AWS does', async () => {
    const admin = await getWithHost(`${gateway.url}/live/users`, 'Admin.execute-api.localhost');
    expect(admin).toMatchObject({
      name: 'Admin',
      event: { requestContext: { domainName: 'Admin.execute-api.localhost' } },
    });
    const web = await getWithHost(`${gateway.url}/web`, 'Web.execute-api.localhost');
    expect(web).toMatchObject({ name: 'Web', event: { rawPath: '/web' } });
  });

  it('serves HTTP APIs at the root on $default and under /{stage} for named stages', async () => {
    const root = await answer(await fetch(`${gateway.url}/web`));
    expect(root.event).toMatchObject({ rawPath: '/web', requestContext: { stage: '$default' } });
    const dev = await answer(await fetch(`${gateway.url}/dev/web`));
    expect(dev.event).toMatchObject({
      rawPath: '/dev/web',
      requestContext: { stage: 'dev', http: { path: '/dev/web' } },
    });
  });

  it('answers a MOCK integration from its integration response', async () => {
    const response = await fetch(`${gateway.stageUrl('Shop', 'prod')}/cart`, { method: 'OPTIONS' });
    expect(response.status).toBe(204);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    expect(response.headers.get('access-control-allow-methods')).toBe('GET,OPTIONS');
  });
});

describe('addressing with one REST API', () => {
  let gateway: RunningApiGateway;
  beforeAll(async () => {
    const apis = apisFromTemplate(restApi('Shop', 'prod', 'cart'));
    gateway = await startApiGateway({ port: 0, apis, invoke, log: () => {} });
  });
  afterAll(() => gateway.close());

  it('serves it at the root with and without the stage', async () => {
    const staged = await answer(await fetch(`${gateway.url}/prod/cart`));
    const bare = await answer(await fetch(`${gateway.url}/cart`));
    expect(staged.event).toMatchObject({
      path: '/cart',
      requestContext: { stage: 'prod', path: '/prod/cart' },
    });
    expect(bare.event).toMatchObject({ path: '/cart', requestContext: { stage: 'prod' } });
  });

  it('keeps serving after setApis swaps the APIs', async () => {
    gateway.setApis(apisFromTemplate(restApi('Shop', 'prod', 'basket')));
    expect((await fetch(`${gateway.url}/prod/cart`)).status).toBe(403);
    expect((await answer(await fetch(`${gateway.url}/prod/basket`))).name).toBe('Shop');
  });
});
