import type { Message } from '@aws-sdk/client-sqs';
import { describe, expect, it } from 'vitest';
import { targetOf } from '../../../../cli/ops/queues';

const withAttributes = (attributes: Record<string, string>): Message => ({
  MessageAttributes: Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [name, { DataType: 'String', StringValue: value }]),
  ),
});

describe('where a dead-lettered message was going', () => {
  it('reads the target from an EventBridge rule DLQ message and from a Scheduler DLQ message', () => {
    const machine = 'arn:aws:states:us-east-1:000000000000:stateMachine:reminder-delivery';
    expect(targetOf(withAttributes({ RULE_ARN: 'arn:aws:events:…', TARGET_ARN: machine }))).toBe(machine);
    expect(
      targetOf(
        withAttributes({
          'X-Amz-Scheduler-Schedule-Arn': 'arn:aws:scheduler:…',
          'X-Amz-Scheduler-Target-Arn': machine,
        }),
      ),
    ).toBe(machine);
    expect(targetOf({ Body: '{}' })).toBeUndefined();
  });
});
