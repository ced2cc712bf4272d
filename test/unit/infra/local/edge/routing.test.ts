import { describe, expect, it } from 'vitest';
import type { RestRoute } from '../../../../../infra/local/edge/contracts';
import { compileRoute, credentialScope, matchRoute } from '../../../../../infra/local/edge/routing';

const route = (method: RestRoute['method'], path: string, operation: string): RestRoute => ({
  method,
  path,
  operation,
  handle: () => ({}),
});

describe('credentialScope', () => {
  it('reads region and service from a SigV4 Authorization header', () => {
    const authorization =
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20300101/eu-west-1/scheduler/aws4_request, SignedHeaders=host;x-amz-date, Signature=abc';
    expect(credentialScope({ authorization }, '')).toEqual({ region: 'eu-west-1', service: 'scheduler' });
  });

  it('reads a presigned URL credential from the query string', () => {
    const query = `X-Amz-Algorithm=AWS4-HMAC-SHA256&X-Amz-Credential=${encodeURIComponent('AKID/20300101/us-east-1/sqs/aws4_request')}`;
    expect(credentialScope({}, query)).toEqual({ region: 'us-east-1', service: 'sqs' });
  });

  it('gives nothing for an unsigned request or a malformed scope', () => {
    expect(credentialScope({}, 'Action=GetCallerIdentity')).toBeUndefined();
    expect(credentialScope({ authorization: 'AWS4-HMAC-SHA256 Credential=AKID/sts' }, '')).toBeUndefined();
  });
});

describe('matchRoute', () => {
  const routes = [
    route('GET', '/schedules', 'ListSchedules'),
    route('GET', '/schedules/{Name}', 'GetSchedule'),
    route('POST', '/schedules/{Name}', 'CreateSchedule'),
    route('POST', '/2015-03-31/functions/{FunctionName}/invocations', 'Invoke'),
    route('GET', '/tags/{ResourceArn+}', 'ListTagsForResource'),
  ].map(compileRoute);

  it('matches method and template and decodes labels', () => {
    expect(matchRoute(routes, 'GET', '/schedules/daily%20digest')).toMatchObject({
      route: { operation: 'GetSchedule' },
      params: { Name: 'daily digest' },
    });
    expect(matchRoute(routes, 'POST', '/schedules/x')?.route.operation).toBe('CreateSchedule');
    expect(matchRoute(routes, 'GET', '/schedules')?.route.operation).toBe('ListSchedules');
    expect(
      matchRoute(routes, 'POST', '/2015-03-31/functions/arn%3Aaws%3Alambda%3Ax/invocations')?.params,
    ).toEqual({ FunctionName: 'arn:aws:lambda:x' });
  });

  it('lets a greedy label take the rest of the path', () => {
    expect(
      matchRoute(routes, 'GET', '/tags/arn:aws:scheduler:eu-west-1:0:schedule/default/a')?.params,
    ).toEqual({
      ResourceArn: 'arn:aws:scheduler:eu-west-1:0:schedule/default/a',
    });
  });

  it('refuses a wrong method, a longer path or an empty label', () => {
    expect(matchRoute(routes, 'DELETE', '/schedules/x')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/schedules/x/extra')).toBeUndefined();
    expect(matchRoute(routes, 'GET', '/schedules/')).toBeUndefined();
  });
});
