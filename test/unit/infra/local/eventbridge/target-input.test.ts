import { describe, expect, it } from 'vitest';
import { AwsServiceError } from '../../../../../infra/local/edge/contracts';
import { renderTargetInput, validateTargetInput } from '../../../../../infra/local/eventbridge/target-input';

const event = {
  version: '0',
  id: 'e-1',
  'detail-type': 'EC2 Instance State-change Notification',
  source: 'aws.ec2',
  account: '123456789012',
  time: '2015-11-11T21:29:54Z',
  region: 'us-east-1',
  resources: ['arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789'],
  detail: { 'instance-id': 'i-0123456789', state: 'RUNNING', count: 3, tags: { env: 'prod' } },
};
const context = {
  ruleArn: 'arn:aws:events:us-east-1:123456789012:rule/example',
  ruleName: 'example',
  ingestionTime: '2015-11-11T21:29:55.000Z',
};
const paths = {
  instance: '$.detail.instance-id',
  state: '$.detail.state',
  count: '$.detail.count',
  tags: '$.detail.tags',
};
const transform = (InputTemplate: string, InputPathsMap: Record<string, string> = paths): string =>
  renderTargetInput({ InputTransformer: { InputPathsMap, InputTemplate } }, event, context);

describe('target input', () => {
  it('delivers the whole event by default, a constant Input verbatim, and an InputPath as JSON', () => {
    expect(JSON.parse(renderTargetInput({}, event, context))).toEqual(event);
    expect(renderTargetInput({ Input: '{"fixed": true}' }, event, context)).toBe('{"fixed": true}');
    expect(renderTargetInput({ InputPath: '$.detail.tags' }, event, context)).toBe('{"env":"prod"}');
    expect(renderTargetInput({ InputPath: '$.resources[0]' }, event, context)).toBe(
      '"arn:aws:ec2:us-east-1:123456789012:instance/i-0123456789"',
    );
  });

  it('renders a JSON template: unquoted placeholders as JSON values', () => {
    const output = transform(
      '{"instance": <instance>, "state": [9, <state>, true], "count": <count>, "tags": <tags>}',
    );
    expect(output).toBe(
      '{"instance": "i-0123456789", "state": [9, "RUNNING", true], "count": 3, "tags": {"env":"prod"}}',
    );
  });

  it('splices values into quoted strings of a JSON template as text, objects without their inner quotes', () => {
    expect(transform('{"status": "<instance> is in state \\"<state>\\"", "note": "tags <tags>"}')).toBe(
      '{"status": "i-0123456789 is in state \\"RUNNING\\"", "note": "tags {env:prod}"}',
    );
  });

  it('renders a string template verbatim with values as text', () => {
    expect(transform('"instance <instance> is in <state>"')).toBe('"instance i-0123456789 is in RUNNING"');
    expect(transform('"<aws.events.rule-name> triggered"')).toBe('"example triggered"');
  });

  it('fills the predefined variables', () => {
    const output = JSON.parse(
      transform(
        '{"arn": <aws.events.rule-arn>, "at": <aws.events.event.ingestion-time>, "event": <aws.events.event>, "full": <aws.events.event.json>}',
        {},
      ),
    );
    expect(output.arn).toBe(context.ruleArn);
    expect(output.at).toBe(context.ingestionTime);
    expect(output.full).toEqual(event);
    expect(output.event.detail).toBeUndefined();
    expect(output.event.detailType).toBe(event['detail-type']);
    expect(output.event.source).toBe('aws.ec2');
  });

  it('renders a path missing from the event as an empty string', () => {
    expect(transform('{"missing": <gone>}', { gone: '$.detail.nothing' })).toBe('{"missing": ""}');
  });

  it('rejects conflicting or malformed input settings with ValidationException', () => {
    const reasonOf = (target: Parameters<typeof validateTargetInput>[0]): string => {
      try {
        validateTargetInput(target);
      } catch (error) {
        expect(error).toBeInstanceOf(AwsServiceError);
        expect((error as AwsServiceError).code).toBe('ValidationException');
        return (error as Error).message;
      }
      return 'accepted';
    };
    expect(reasonOf({ Id: 't1', Input: '{}', InputPath: '$.detail' })).toBe(
      'Only one of Input, InputPath, or InputTransformer must be provided for target t1.',
    );
    expect(reasonOf({ Id: 't1', InputTransformer: { InputPathsMap: {}, InputTemplate: '<nope>' } })).toBe(
      'InputTemplate for target t1 contains invalid placeholder nope.',
    );
    expect(reasonOf({ Id: 't1', Input: 'not json' })).toMatch(/not valid JSON/);
    expect(reasonOf({ Id: 't1', InputPath: 'detail' })).toMatch(/invalid JSON path/);
    expect(
      reasonOf({ Id: 't1', InputTransformer: { InputPathsMap: paths, InputTemplate: '<instance>' } }),
    ).toBe('accepted');
  });
});
