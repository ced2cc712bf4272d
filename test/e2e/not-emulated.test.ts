/**
 * Issue 12: a request for an AWS service the local cloud does not host gets an error in that service's own
 * protocol, naming the service, so the caller's SDK raises a parseable error instead of choking on the body.
 */
import { CloudWatchClient, DescribeAlarmsCommand } from '@aws-sdk/client-cloudwatch';
import { describe, expect, it } from 'vitest';
import { useTestCloud } from '../support/local-cloud';

const test = useTestCloud();

/** A SigV4 Authorization header for `service`; the edge reads the scope and verifies no signature. */
const signedFor = (service: string) =>
  `AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/${service}/aws4_request, SignedHeaders=host, Signature=0`;

describe('a service the edge does not host', () => {
  it('raises an SDK error naming the service (CloudWatch, awsJson 1.0)', async () => {
    const client = new CloudWatchClient({ ...test.clientConfig, maxAttempts: 1 });
    const failure = await client.send(new DescribeAlarmsCommand({})).then(
      () => undefined,
      (error: Error & { $metadata?: { httpStatusCode?: number } }) => error,
    );
    expect(failure?.name).toBe('NotImplemented');
    expect(failure?.message).toContain('does not emulate the AWS service "monitoring"');
    expect(failure?.message).toContain('DescribeAlarms');
    expect(failure?.$metadata?.httpStatusCode).toBe(501);
  });

  it('answers awsJson 1.1 with a __type error (Kinesis)', async () => {
    const response = await fetch(test.cloud.edgeUrl, {
      method: 'POST',
      headers: {
        authorization: signedFor('kinesis'),
        'x-amz-target': 'Kinesis_20131202.PutRecord',
        'content-type': 'application/x-amz-json-1.1',
      },
      body: '{}',
    });
    expect(response.status).toBe(501);
    expect(response.headers.get('content-type')).toBe('application/x-amz-json-1.1');
    const body = (await response.json()) as { __type: string; message: string };
    expect(body.__type).toBe('NotImplemented');
    expect(body.message).toContain('"kinesis", so PutRecord was not run');
  });

  it('names a service signed under a hosted one (DynamoDB Streams signs as dynamodb)', async () => {
    const response = await fetch(test.cloud.edgeUrl, {
      method: 'POST',
      headers: {
        authorization: signedFor('dynamodb'),
        'x-amz-target': 'DynamoDBStreams_20120810.ListStreams',
        'content-type': 'application/x-amz-json-1.0',
      },
      body: '{}',
    });
    expect(response.status).toBe(501);
    const body = (await response.json()) as { __type: string; message: string };
    expect(body.__type).toBe('NotImplemented');
    expect(body.message).toContain('"DynamoDBStreams_20120810", so ListStreams was not run');
  });

  it('answers the query protocol with an XML ErrorResponse', async () => {
    const response = await fetch(test.cloud.edgeUrl, {
      method: 'POST',
      headers: {
        authorization: signedFor('elasticloadbalancing'),
        'content-type': 'application/x-www-form-urlencoded',
      },
      body: 'Action=DescribeLoadBalancers&Version=2015-12-01',
    });
    expect(response.status).toBe(501);
    const xml = await response.text();
    expect(xml).toContain('<Code>NotImplemented</Code>');
    expect(xml).toContain('&quot;elasticloadbalancing&quot;, so DescribeLoadBalancers was not run');
  });

  it('answers restJson with x-amzn-ErrorType', async () => {
    const response = await fetch(`${test.cloud.edgeUrl}/v1/clusters`, {
      headers: { authorization: signedFor('kafka') },
    });
    expect(response.status).toBe(501);
    expect(response.headers.get('x-amzn-errortype')).toBe('NotImplemented');
    expect(((await response.json()) as { message: string }).message).toContain('"kafka"');
  });
});
