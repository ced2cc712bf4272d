/**
 * The local API Gateway over real HTTP, serving APIs read from CDK-synthesized templates, with a fake Lambda
 * port (the one mock in this unit test of the gateway).
 */
import { createHmac, randomBytes } from 'node:crypto';
import { request as httpRequest } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { apisFromTemplate } from '../../../../../infra/local/apigateway/model';
import { type RunningApiGateway, startApiGateway } from '../../../../../infra/local/apigateway/server';
import { Clock } from '../../../../../infra/local/clock';
import { until } from '../../../../support/polling';
import { functionArn, httpTemplate, logicalIdOf, restTemplate } from './cdk-fixtures';

type Json = Record<string, unknown>;
type Handler = (event: Json) => unknown;

class Unauthorized extends Error {
  constructor() {
    super('Unauthorized');
  }
}

/** A fake Lambda port: handlers by function ARN; a throw becomes an Unhandled function error. */
function fakeLambda() {
  const handlers = new Map<string, Handler>();
  const calls: { arn: string; event: Json }[] = [];
  const invoke = async (arn: string, payload: string) => {
    const event = JSON.parse(payload) as Json;
    calls.push({ arn, event });
    const handler = handlers.get(arn);
    if (!handler) throw new Error(`ResourceNotFoundException: ${arn}`);
    try {
      return { payload: JSON.stringify(await handler(event)) };
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      return {
        functionError: 'Unhandled',
        payload: JSON.stringify({ errorType: 'Error', errorMessage: message }),
      };
    }
  };
  return { handlers, calls, invoke };
}

const record = (value: unknown): Json => (typeof value === 'object' && value !== null ? (value as Json) : {});

function policy(effect: 'Allow' | 'Deny', resource: unknown, context: Json = {}) {
  return {
    principalId: 'user-1',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: effect, Resource: resource }],
    },
    context,
  };
}

const lambda = fakeLambda();
const clock = new Clock('manual', Date.UTC(2026, 0, 15, 9, 30, 0));
let rest: RunningApiGateway;
let http: RunningApiGateway;
let restApiId: string;
let logged: string[] = [];
let pendingSlowCalls = 0;
const arns = { echo: '', auth: '', fail: '' };

/** fetch folds repeated headers into one line; node:http sends each value on its own line. */
function rawGet(url: string, headers: Record<string, string | string[]>): Promise<Json> {
  return new Promise((resolve, reject) => {
    const request = httpRequest(url, (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve(record(JSON.parse(Buffer.concat(chunks).toString('utf8')))));
    });
    for (const [name, value] of Object.entries(headers)) request.setHeader(name, value);
    request.on('error', reject);
    request.end();
  });
}

beforeAll(async () => {
  const restResources = restTemplate();
  const httpResources = httpTemplate();
  const [restApi] = apisFromTemplate(restResources);
  restApiId = restApi?.id ?? '';
  const log = (line: string) => logged.push(line);
  rest = await startApiGateway({
    port: 0,
    apis: apisFromTemplate(restResources),
    invoke: lambda.invoke,
    clock,
    log,
  });
  http = await startApiGateway({
    port: 0,
    apis: apisFromTemplate(httpResources),
    invoke: lambda.invoke,
    clock,
    log,
  });

  arns.echo = functionArn(logicalIdOf(restResources, 'Echo'));
  arns.auth = functionArn(logicalIdOf(restResources, 'Auth'));
  arns.fail = functionArn(logicalIdOf(restResources, 'Fail'));
  const { echo, auth, fail } = arns;
  lambda.handlers.set(fail, () => {
    throw new Error('kaput');
  });
  lambda.handlers.set(auth, (event) => {
    if (event.version === '2.0') {
      return {
        isAuthorized: record(event.headers).authorization === 'yes',
        context: { role: 'admin', level: 3 },
      };
    }
    if (event.type === 'TOKEN') {
      if (event.authorizationToken === 'allow')
        return policy('Allow', event.methodArn, { user: 'u1', count: 5, admin: true });
      if (event.authorizationToken === 'deny') return policy('Deny', event.methodArn);
      throw new Unauthorized();
    }
    const allowed = record(event.headers)['X-Key'] === 'k1';
    return policy(allowed ? 'Allow' : 'Deny', event.methodArn, { via: 'request' });
  });
  lambda.handlers.set(echo, (event) => {
    const path = String(event.version === '2.0' ? event.rawPath : event.path);
    if (path.endsWith('/upload')) {
      const bytes = Buffer.from(String(event.body), event.isBase64Encoded ? 'base64' : 'utf8');
      return {
        statusCode: 200,
        headers: {
          'Content-Type': 'application/octet-stream',
          'X-Hmac': createHmac('sha256', 'k').update(bytes).digest('hex'),
        },
        body: bytes.toString('base64'),
        isBase64Encoded: true,
      };
    }
    if (path.endsWith('/slow')) {
      pendingSlowCalls++;
      return new Promise(() => {});
    }
    if (path.startsWith('/hello/')) return { greeting: `hello ${record(event.pathParameters).name}`, event };
    return {
      statusCode: 200,
      headers: { 'X-Single': 'a' },
      multiValueHeaders: { 'X-Multi': ['1', '2'] },
      ...(event.version === '2.0' ? { cookies: ['session=abc; HttpOnly', 'theme=dark'] } : {}),
      body: JSON.stringify(event),
    };
  });
}, 60_000);

afterAll(async () => {
  await rest?.close();
  await http?.close();
});

beforeEach(() => {
  lambda.calls.length = 0;
  logged = [];
});

async function json(response: Response): Promise<Json> {
  return record(await response.json());
}

describe('REST API (payload 1.0)', () => {
  it('serves /{stage}/path with the documented proxy event', async () => {
    const response = await fetch(`${rest.url}/prod/items?a=1&a=2&b=x%20y`, {
      headers: { 'X-Dup': 'one', 'User-Agent': 'unit-test' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-multi')).toBe('1, 2');
    expect(response.headers.get('x-single')).toBe('a');
    expect(response.headers.get('x-amzn-requestid')).toMatch(/^[0-9a-f-]{36}$/);
    const event = await json(response);
    expect(event).toMatchObject({
      resource: '/items',
      path: '/items',
      httpMethod: 'GET',
      queryStringParameters: { a: '2', b: 'x y' },
      multiValueQueryStringParameters: { a: ['1', '2'], b: ['x y'] },
      pathParameters: null,
      stageVariables: { flavour: 'vanilla' },
      body: null,
      isBase64Encoded: false,
    });
    expect(record(event.multiValueHeaders)['X-Dup']).toEqual(['one']);
    expect(event).not.toHaveProperty('version');
    const context = record(event.requestContext);
    expect(context).toMatchObject({
      stage: 'prod',
      path: '/prod/items',
      resourcePath: '/items',
      httpMethod: 'GET',
      apiId: restApiId,
      accountId: '000000000000',
      protocol: 'HTTP/1.1',
      requestTimeEpoch: clock.now(),
      requestTime: '15/Jan/2026:09:30:00 +0000',
    });
    expect(record(context.identity)).toMatchObject({ sourceIp: '127.0.0.1', userAgent: 'unit-test' });
    expect(context.requestId).toBe(response.headers.get('x-amzn-requestid'));
  });

  it('passes repeated headers as multiValueHeaders and the last one in headers', async () => {
    const event = await rawGet(`${rest.url}/prod/items`, { 'X-Tag': ['first', 'second'] });
    expect(record(event.headers)['X-Tag']).toBe('second');
    expect(record(event.multiValueHeaders)['X-Tag']).toEqual(['first', 'second']);
  });

  it('also serves the sole REST API at the root and at /restapis/{id}/{stage}/_user_request_', async () => {
    const rootEvent = await json(await fetch(`${rest.url}/items`));
    expect(rootEvent.resource).toBe('/items');
    const response = await fetch(`${rest.stageUrl(restApiId, 'prod')}/items?q=1`);
    expect(response.status).toBe(200);
    expect((await json(response)).queryStringParameters).toEqual({ q: '1' });
  });

  it('fills path parameters, greedy ones across segments', async () => {
    const event = await json(await fetch(`${rest.url}/prod/files/a/b%20c/d.txt`, { method: 'DELETE' }));
    expect(event.resource).toBe('/files/{proxy+}');
    expect(event.httpMethod).toBe('DELETE');
    expect(event.pathParameters).toEqual({ proxy: 'a/b c/d.txt' });
  });

  it('answers an unknown path with 403 Missing Authentication Token, as REST APIs do', async () => {
    const response = await fetch(`${rest.url}/prod/nowhere`);
    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ message: 'Missing Authentication Token' });
    expect(response.headers.get('x-amzn-errortype')).toBe('MissingAuthenticationTokenException');
    expect((await fetch(`${rest.url}/prod/items`, { method: 'PATCH' })).status).toBe(403);
    expect(lambda.calls).toHaveLength(0);
  });

  it('passes a binary body as base64 and returns the exact bytes', async () => {
    const bytes = randomBytes(4096);
    const response = await fetch(`${rest.url}/prod/upload`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream', Accept: 'application/octet-stream' },
      body: bytes,
    });
    expect(response.status).toBe(200);
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
    expect(response.headers.get('x-hmac')).toBe(createHmac('sha256', 'k').update(bytes).digest('hex'));
    expect(lambda.calls[0]?.event.isBase64Encoded).toBe(true);
  });

  it('passes a JSON body as text, byte for byte (webhook signatures stay valid)', async () => {
    const body = '{"entry":[{"text":"héllo ✓"}],  "spaced" : true}';
    const event = await json(
      await fetch(`${rest.url}/prod/files/hook`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body,
      }),
    );
    expect(event.isBase64Encoded).toBe(false);
    expect(event.body).toBe(body);
  });

  it('runs a TOKEN authorizer: allow passes the context (as strings) and principalId through', async () => {
    const response = await fetch(`${rest.url}/prod/items/42`, {
      method: 'POST',
      headers: { Authorization: 'allow', 'Content-Type': 'text/plain' },
      body: 'hi',
    });
    expect(response.status).toBe(200);
    const event = await json(response);
    expect(event.pathParameters).toEqual({ id: '42' });
    expect(record(event.requestContext).authorizer).toMatchObject({
      principalId: 'user-1',
      user: 'u1',
      count: '5',
      admin: 'true',
    });
    const authorizerEvent = lambda.calls[0]?.event;
    expect(authorizerEvent).toEqual({
      type: 'TOKEN',
      authorizationToken: 'allow',
      methodArn: `arn:aws:execute-api:us-east-1:000000000000:${restApiId}/prod/POST/items/42`,
    });
  });

  it('refuses an explicit deny with 403, a missing token with 401 and "Unauthorized" with 401', async () => {
    const denied = await fetch(`${rest.url}/prod/items/1`, {
      method: 'POST',
      headers: { Authorization: 'deny' },
    });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({
      message: 'User is not authorized to access this resource with an explicit deny',
    });
    const missing = await fetch(`${rest.url}/prod/items/1`, { method: 'POST' });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ message: 'Unauthorized' });
    const thrown = await fetch(`${rest.url}/prod/items/1`, {
      method: 'POST',
      headers: { Authorization: 'nope' },
    });
    expect(thrown.status).toBe(401);
    expect(lambda.calls.map((call) => call.event.type)).toEqual(['TOKEN', 'TOKEN']);
  });

  it('caches an authorizer answer for its TTL on the clock', async () => {
    const call = () =>
      fetch(`${rest.url}/prod/items/7`, { method: 'POST', headers: { Authorization: 'cache-me' } });
    const authArn = arns.auth;
    const original = lambda.handlers.get(authArn);
    lambda.handlers.set(authArn, (event) =>
      policy('Allow', 'arn:aws:execute-api:*', { token: String(event.authorizationToken) }),
    );
    try {
      expect((await call()).status).toBe(200);
      expect((await call()).status).toBe(200);
      expect(lambda.calls.filter((entry) => entry.arn === authArn)).toHaveLength(1);
      clock.advanceBy(301_000);
      expect((await call()).status).toBe(200);
      expect(lambda.calls.filter((entry) => entry.arn === authArn)).toHaveLength(2);
    } finally {
      if (original) lambda.handlers.set(authArn, original);
    }
  }, 20_000);

  it('runs a REQUEST authorizer with the request event; a missing identity source is 401', async () => {
    const allowed = await fetch(`${rest.url}/prod/secure?k=v`, { headers: { 'X-Key': 'k1' } });
    expect(allowed.status).toBe(200);
    expect(record(record(await allowed.json()).requestContext).authorizer).toMatchObject({ via: 'request' });
    expect(lambda.calls[0]?.event).toMatchObject({
      type: 'REQUEST',
      resource: '/secure',
      queryStringParameters: { k: 'v' },
      methodArn: `arn:aws:execute-api:us-east-1:000000000000:${restApiId}/prod/GET/secure`,
    });
    expect((await fetch(`${rest.url}/prod/secure?k=v`, { headers: { 'X-Key': 'other' } })).status).toBe(403);
    expect((await fetch(`${rest.url}/prod/secure`, { headers: { 'X-Key': 'k1' } })).status).toBe(401);
  });

  it('requires a SigV4 signature on AWS_IAM methods and reports the caller', async () => {
    expect((await fetch(`${rest.url}/prod/iam`)).status).toBe(403);
    const signed = await fetch(`${rest.url}/prod/iam`, {
      headers: {
        Authorization:
          'AWS4-HMAC-SHA256 Credential=AKIDLOCAL/20260115/us-east-1/execute-api/aws4_request, SignedHeaders=host, Signature=abc',
      },
    });
    expect(signed.status).toBe(200);
    expect(record(record((await json(signed)).requestContext).identity).accessKey).toBe('AKIDLOCAL');
  });

  it('throttles a method with its MethodSettings token bucket (429), refilling as the clock moves', async () => {
    const call = () => fetch(`${rest.url}/prod/limited`);
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);
    const throttled = await call();
    expect(throttled.status).toBe(429);
    // The bucket refills at the method's rate (1 a second here): one token is a second away.
    expect(throttled.headers.get('retry-after')).toBe('1');
    expect(await throttled.json()).toEqual({ message: 'Too Many Requests' });
    expect((await fetch(`${rest.url}/prod/items`)).status).toBe(200);
    clock.advanceBy(1000);
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(429);
  });

  it('answers a function error with 502 Internal server error', async () => {
    const response = await fetch(`${rest.url}/prod/broken`);
    expect(response.status).toBe(502);
    expect(await response.json()).toEqual({ message: 'Internal server error' });
    expect(logged.join('\n')).toContain('kaput');
  });

  it('answers 504 when the integration outlives its timeout on the clock', async () => {
    const before = pendingSlowCalls;
    const pending = fetch(`${rest.url}/prod/slow`);
    await until(() => pendingSlowCalls !== before, 'the slow integration called', 5_000);
    clock.advanceBy(1000);
    const response = await pending;
    expect(response.status).toBe(504);
    expect(await response.json()).toEqual({ message: 'Endpoint request timed out' });
  });

  it('refuses a body over 10 MB with 413 without calling the function', async () => {
    const response = await fetch(`${rest.url}/prod/upload`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: Buffer.alloc(10 * 1024 * 1024 + 1),
    });
    expect(response.status).toBe(413);
    expect(lambda.calls).toHaveLength(0);
  });
});

describe('HTTP API', () => {
  it('sends the 2.0 event and accepts a plain object as the simplified response', async () => {
    const response = await fetch(`${http.url}/hello/w%C3%B6rld?x=1&x=2&y=3`, {
      headers: { Cookie: 'a=1; b=2', 'X-Dup': 'one', 'User-Agent': 'unit-test' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('apigw-requestid')).toBeTruthy();
    const { greeting, event } = await json(response);
    expect(greeting).toBe('hello wörld');
    const v2 = record(event);
    const repeated = record((await rawGet(`${http.url}/files/r`, { 'X-Tag': ['first', 'second'] })).headers);
    expect(repeated['x-tag']).toBe('first,second');
    expect(v2).toMatchObject({
      version: '2.0',
      routeKey: 'GET /hello/{name}',
      rawPath: '/hello/w%C3%B6rld',
      rawQueryString: 'x=1&x=2&y=3',
      cookies: ['a=1', 'b=2'],
      queryStringParameters: { x: '1,2', y: '3' },
      pathParameters: { name: 'wörld' },
      isBase64Encoded: false,
    });
    expect(v2).not.toHaveProperty('body');
    expect(v2).not.toHaveProperty('multiValueHeaders');
    expect(record(v2.headers)).toMatchObject({ 'x-dup': 'one', 'user-agent': 'unit-test' });
    expect(record(v2.headers)).not.toHaveProperty('cookie');
    expect(record(v2.requestContext)).toMatchObject({
      stage: '$default',
      routeKey: 'GET /hello/{name}',
      timeEpoch: clock.now(),
      requestId: response.headers.get('apigw-requestid'),
      http: {
        method: 'GET',
        path: '/hello/wörld',
        protocol: 'HTTP/1.1',
        sourceIp: '127.0.0.1',
        userAgent: 'unit-test',
      },
    });
  });

  it('turns a structured 2.0 response into status, headers and one Set-Cookie per cookie', async () => {
    const response = await fetch(`${http.url}/files/x`, {
      method: 'PUT',
      body: 'text',
      headers: { 'Content-Type': 'text/plain' },
    });
    expect(response.status).toBe(200);
    expect(response.headers.getSetCookie()).toEqual(['session=abc; HttpOnly', 'theme=dark']);
    const event = await json(response);
    expect(event).toMatchObject({
      routeKey: 'ANY /files/{proxy+}',
      body: 'text',
      pathParameters: { proxy: 'x' },
    });
  });

  it('base64-encodes a non-text body and returns the exact bytes', async () => {
    const bytes = randomBytes(2048);
    const response = await fetch(`${http.url}/upload`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/octet-stream' },
      body: bytes,
    });
    expect(Buffer.from(await response.arrayBuffer()).equals(bytes)).toBe(true);
    expect(response.headers.get('x-hmac')).toBe(createHmac('sha256', 'k').update(bytes).digest('hex'));
    expect(lambda.calls[0]?.event.isBase64Encoded).toBe(true);
  });

  it('sends the 1.0 event to a 1.0 integration behind a simple-response authorizer', async () => {
    const response = await fetch(`${http.url}/v1?q=1`, {
      method: 'POST',
      headers: { Authorization: 'yes', 'Content-Type': 'application/json' },
      body: '{"a":1}',
    });
    expect(response.status).toBe(200);
    const event = await json(response);
    expect(event).toMatchObject({
      version: '1.0',
      resource: '/v1',
      httpMethod: 'POST',
      body: '{"a":1}',
      multiValueQueryStringParameters: { q: ['1'] },
    });
    expect(record(event.requestContext).authorizer).toEqual({ lambda: { role: 'admin', level: 3 } });
    expect(lambda.calls[0]?.event).toMatchObject({
      version: '2.0',
      type: 'REQUEST',
      identitySource: ['yes'],
      routeKey: 'POST /v1',
    });
  });

  it('answers 403 Forbidden when the authorizer says no and 401 when the identity source is missing', async () => {
    const denied = await fetch(`${http.url}/v1`, { method: 'POST', headers: { Authorization: 'no' } });
    expect(denied.status).toBe(403);
    expect(await denied.json()).toEqual({ message: 'Forbidden' });
    const missing = await fetch(`${http.url}/v1`, { method: 'POST' });
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ message: 'Unauthorized' });
  });

  it('answers 404 Not Found when no route matches', async () => {
    for (const [method, path] of [
      ['GET', '/nowhere'],
      ['POST', '/hello/x'],
      ['GET', '/files'],
    ] as const) {
      const response = await fetch(`${http.url}${path}`, { method });
      expect(response.status).toBe(404);
      expect(await response.json()).toEqual({ message: 'Not Found' });
    }
  });

  it('answers a function error with 500 Internal Server Error', async () => {
    const response = await fetch(`${http.url}/broken`);
    expect(response.status).toBe(500);
    expect(await response.json()).toEqual({ message: 'Internal Server Error' });
  });

  it('throttles a route per its RouteSettings (429)', async () => {
    const call = () => fetch(`${http.url}/limited`);
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(200);
    expect((await call()).status).toBe(429);
    clock.advanceBy(2000);
    expect((await call()).status).toBe(200);
  });

  it('answers a CORS preflight itself and adds CORS headers to responses', async () => {
    const preflight = await fetch(`${http.url}/hello/x`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'GET' },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    expect(preflight.headers.get('access-control-allow-methods')).toBe('GET,POST');
    expect(preflight.headers.get('access-control-allow-headers')).toBe('content-type,authorization');
    expect(preflight.headers.get('access-control-max-age')).toBe('600');
    expect(lambda.calls).toHaveLength(0);
    const foreign = await fetch(`${http.url}/hello/x`, {
      method: 'OPTIONS',
      headers: { Origin: 'https://evil.example', 'Access-Control-Request-Method': 'GET' },
    });
    expect(foreign.headers.get('access-control-allow-origin')).toBeNull();
    const actual = await fetch(`${http.url}/hello/x`, { headers: { Origin: 'https://app.example.com' } });
    expect(actual.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
  });
});
