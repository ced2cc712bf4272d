import { GetCallerIdentityCommand, STSClient } from '@aws-sdk/client-sts';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  AwsServiceError,
  type JsonProtocolService,
  type RestJsonService,
} from '../../infra/local/edge/contracts';
import { type Edge, type EdgeRequestLog, startEdge } from '../../infra/local/edge/server';
import { stsService } from '../../infra/local/sts/service';

const account = { region: 'eu-west-1', accountId: '000000000000' };
const credentials = { accessKeyId: 'local', secretAccessKey: 'local' };
const signedFor = (service: string, region = 'ap-southeast-2') =>
  `AWS4-HMAC-SHA256 Credential=local/20300101/${region}/${service}/aws4_request, SignedHeaders=host, Signature=0`;

const echoJson: JsonProtocolService = {
  protocol: 'awsJson1_1',
  signingName: 'echo',
  targetPrefix: 'EchoService',
  operations: {
    Echo: (input: unknown, context) => ({ input, region: context.region }),
    Fail: () => {
      throw new AwsServiceError('ThingNotFound', 'No such thing', 404);
    },
    Crash: () => {
      throw new Error('bug');
    },
  },
};

const widgets: RestJsonService = {
  protocol: 'restJson1',
  signingName: 'widgets',
  routes: [
    {
      method: 'GET',
      path: '/widgets/{Name}',
      operation: 'GetWidget',
      handle: (request, context) => ({ body: { name: request.params.Name, region: context.region } }),
    },
    {
      method: 'DELETE',
      path: '/widgets/{Name}',
      operation: 'DeleteWidget',
      handle: () => {
        throw new AwsServiceError('ResourceNotFoundException', 'Widget not found', 404);
      },
    },
  ],
};

describe('edge endpoint', () => {
  let edge: Edge;
  const requests: EdgeRequestLog[] = [];

  beforeAll(async () => {
    edge = await startEdge({
      port: 0,
      services: [stsService(account, Date.now), echoJson, widgets],
      account,
      onRequest: (entry) => requests.push(entry),
      logError: () => {},
    });
  });

  afterAll(() => edge.close());

  it('answers STS GetCallerIdentity for an unmodified SDK v3 client', async () => {
    const sts = new STSClient({ endpoint: edge.url, region: account.region, credentials });
    const identity = await sts.send(new GetCallerIdentityCommand({}));
    sts.destroy();
    expect(identity).toMatchObject({
      Account: '000000000000',
      Arn: 'arn:aws:iam::000000000000:root',
      UserId: '000000000000',
    });
    expect(identity.$metadata.requestId).toMatch(/^[0-9a-f-]{36}$/);
  });

  it('routes awsJson by X-Amz-Target and takes the region from the credential scope', async () => {
    const response = await fetch(edge.url, {
      method: 'POST',
      headers: {
        'x-amz-target': 'EchoService.Echo',
        'content-type': 'application/x-amz-json-1.1',
        authorization: signedFor('echo'),
      },
      body: '{"hello":"world"}',
    });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    expect(response.headers.get('x-amzn-requestid')).toBeTruthy();
    expect(await response.json()).toEqual({ input: { hello: 'world' }, region: 'ap-southeast-2' });
  });

  it('encodes awsJson errors with __type and x-amzn-ErrorType, and faults as InternalFailure', async () => {
    const call = (operation: string, body = '{}') =>
      fetch(edge.url, { method: 'POST', headers: { 'x-amz-target': `EchoService.${operation}` }, body });
    const failed = await call('Fail');
    expect(failed.status).toBe(404);
    expect(failed.headers.get('x-amzn-errortype')).toBe('ThingNotFound');
    expect(await failed.json()).toEqual({ __type: 'ThingNotFound', message: 'No such thing' });
    const crashed = await call('Crash');
    expect(crashed.status).toBe(500);
    expect(((await crashed.json()) as { __type: string }).__type).toBe('InternalFailure');
    const unknown = await call('Nope');
    expect(((await unknown.json()) as { __type: string }).__type).toBe('UnknownOperationException');
    const malformed = await call('Echo', '{not json');
    expect(((await malformed.json()) as { __type: string }).__type).toBe('SerializationException');
  });

  it('routes restJson1 by credential scope, method and path template', async () => {
    const got = await fetch(`${edge.url}/widgets/blue%20one`, {
      headers: { authorization: signedFor('widgets') },
    });
    expect(await got.json()).toEqual({ name: 'blue one', region: 'ap-southeast-2' });
    const deleted = await fetch(`${edge.url}/widgets/x`, {
      method: 'DELETE',
      headers: { authorization: signedFor('widgets') },
    });
    expect(deleted.status).toBe(404);
    expect(deleted.headers.get('x-amzn-errortype')).toBe('ResourceNotFoundException');
    expect(await deleted.json()).toEqual({ message: 'Widget not found' });
  });

  it('answers the query protocol with XML, and an unknown action with an ErrorResponse', async () => {
    const response = await fetch(edge.url, {
      method: 'POST',
      headers: { authorization: signedFor('sts'), 'content-type': 'application/x-www-form-urlencoded' },
      body: 'Action=AssumeNothing&Version=2011-06-15',
    });
    expect(response.status).toBe(400);
    const xml = await response.text();
    expect(xml).toContain('<Type>Sender</Type><Code>InvalidAction</Code>');
    expect(xml).toContain(`<RequestId>${response.headers.get('x-amzn-requestid')}</RequestId>`);
  });

  it('gives an AWS-style error to a request no service can answer', async () => {
    const response = await fetch(`${edge.url}/anything`, { method: 'POST', body: 'x' });
    expect(response.status).toBe(404);
    expect(response.headers.get('x-amzn-errortype')).toBe('UnknownOperationException');
  });

  it('serves HttpServices registered after start by path prefix, longest prefix first', async () => {
    edge.register({
      protocol: 'http',
      pathPrefixes: ['/_aurora/'],
      handle: (_request, response) => {
        response.end('aurora');
      },
    });
    edge.register({
      protocol: 'http',
      pathPrefixes: ['/_aurora/ses/'],
      handle: (_request, response, body) => {
        response.end(`ses:${body.toString()}`);
      },
    });
    expect(await (await fetch(`${edge.url}/_aurora/clock`)).text()).toBe('aurora');
    expect(await (await fetch(`${edge.url}/_aurora/ses/inbox`, { method: 'POST', body: 'hi' })).text()).toBe(
      'ses:hi',
    );
  });

  it('reports each request with its service, operation and status', () => {
    const sts = requests.find((entry) => entry.service === 'sts' && entry.operation === 'GetCallerIdentity');
    expect(sts?.status).toBe(200);
    expect(requests.some((entry) => entry.operation === 'Fail' && entry.status === 404)).toBe(true);
  });
});
