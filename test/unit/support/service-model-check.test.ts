/** The service-model checker catches what it is meant to catch, in both model layouts. */
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkResponse, loadServiceModel, type ServiceModel } from '../../support/service-model-check';

const apis = join(resolve(dirname(fileURLToPath(import.meta.url)), '../../..'), 'node_modules/aws-sdk/apis');
const sfn = loadServiceModel(join(apis, 'states-2016-11-23.min.json'));
const sts = loadServiceModel(join(apis, 'sts-2011-06-15.min.json'));

const problems = (model: ServiceModel, operation: string, body: unknown) =>
  checkResponse(model, operation, { body: typeof body === 'string' ? body : JSON.stringify(body) }).map(
    (v) => `${v.path}: ${v.problem}`,
  );

const ARN = 'arn:aws:states:us-east-1:000000000000:execution:M:1';
const SM = 'arn:aws:states:us-east-1:000000000000:stateMachine:M';

describe('checkResponse against a minified model (aws-sdk v2)', () => {
  it('accepts a well-formed response', () => {
    expect(
      problems(sfn, 'DescribeExecution', {
        executionArn: ARN,
        stateMachineArn: SM,
        status: 'SUCCEEDED',
        startDate: 1_795_338_000.123,
        inputDetails: { included: true },
      }),
    ).toEqual([]);
  });

  it('flags milliseconds, wrong types, unknown and missing members, null', () => {
    expect(
      problems(sfn, 'DescribeExecution', {
        executionArn: ARN,
        status: 'SUCCEEDED',
        startDate: 1_795_338_000_000,
        stopDate: '2026-11-22T09:00:00Z',
        redriveCount: 1.5,
        inputDetails: { included: 'yes' },
        extra: 1,
        error: null,
      }),
    ).toEqual([
      '$.startDate: timestamp 1795338000000 is in milliseconds, not epoch seconds',
      '$.stopDate: expected a timestamp in epoch seconds, got the string "2026-11-22T09:00:00Z"',
      '$.redriveCount: expected an integer, got number 1.5',
      '$.inputDetails.included: expected a boolean, got the string "yes"',
      '$.extra: member not in the model',
      '$.error: null where the model has a string (AWS leaves empty members out)',
      '$.stateMachineArn: required member missing',
    ]);
  });

  it('checks lists of structures', () => {
    expect(problems(sfn, 'GetExecutionHistory', { events: [{ id: 1, type: 'PassStateEntered' }] })).toEqual([
      '$.events[0].timestamp: required member missing',
    ]);
  });

  it('checks the direct children of a query-protocol result', () => {
    const xml = (inner: string) =>
      `<GetCallerIdentityResponse><GetCallerIdentityResult>${inner}</GetCallerIdentityResult></GetCallerIdentityResponse>`;
    expect(
      problems(sts, 'GetCallerIdentity', xml('<Arn>a</Arn><UserId>u</UserId><Account>1</Account>')),
    ).toEqual([]);
    expect(problems(sts, 'GetCallerIdentity', xml('<Arn>a</Arn><User>u</User>'))).toEqual([
      '$.User: member not in the model',
    ]);
  });
});

describe('checkResponse against a normal model (named shapes, enums)', () => {
  const model: ServiceModel = {
    metadata: { protocol: 'rest-json' },
    operations: { Get: { output: { shape: 'GetOutput' } } },
    shapes: {
      GetOutput: {
        type: 'structure',
        required: ['State'],
        members: {
          State: { shape: 'State' },
          Created: { shape: 'Iso', locationName: 'created' },
          Tags: { shape: 'Tags' },
          Count: { shape: 'Count', location: 'header', locationName: 'X-Count' },
        },
      },
      State: { type: 'string', enum: ['ENABLED', 'DISABLED'] },
      Iso: { type: 'timestamp', timestampFormat: 'iso8601' },
      Tags: { type: 'map', key: { shape: 'Str' }, value: { shape: 'Str' } },
      Str: { type: 'string' },
      Count: { type: 'integer' },
    },
  };
  const check = (body: unknown, headers: Record<string, string> = {}) =>
    checkResponse(model, 'Get', { body: JSON.stringify(body), headers }).map(
      (v) => `${v.path}: ${v.problem}`,
    );

  it('follows locationName, iso8601 timestamps, maps and header members', () => {
    expect(
      check({ State: 'ENABLED', created: '2026-11-22T09:00:00Z', Tags: { a: 'b' } }, { 'x-count': '3' }),
    ).toEqual([]);
  });

  it('flags enum values and bad header members', () => {
    expect(check({ State: 'enabled', created: 1, Tags: { a: 1 } }, { 'x-count': 'three' })).toEqual([
      'header x-count: expected an integer, got "three"',
      '$.State: "enabled" is not one of the enum values ENABLED, DISABLED',
      '$.created: expected an ISO 8601 timestamp, got number 1',
      '$.Tags.a: expected a string, got number 1',
    ]);
  });
});
