import { describe, expect, it } from 'vitest';
import { decodeParameters } from '../../../../../infra/local/sqs/query-protocol';

describe('SQS query parameters', () => {
  it('decodes numbered lists, maps and batch entries into the JSON operation input', () => {
    expect(
      decodeParameters({
        Action: 'SendMessageBatch',
        Version: '2012-11-05',
        QueueUrl: 'http://localhost:4566/000000000000/q',
        'SendMessageBatchRequestEntry.2.Id': 'b',
        'SendMessageBatchRequestEntry.2.MessageBody': 'two',
        'SendMessageBatchRequestEntry.1.Id': 'a',
        'SendMessageBatchRequestEntry.1.MessageBody': 'one',
        'SendMessageBatchRequestEntry.1.DelaySeconds': '5',
        'SendMessageBatchRequestEntry.1.MessageAttribute.1.Name': 'kind',
        'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.DataType': 'String',
        'SendMessageBatchRequestEntry.1.MessageAttribute.1.Value.StringValue': 'k',
      }),
    ).toEqual({
      QueueUrl: 'http://localhost:4566/000000000000/q',
      Entries: [
        {
          Id: 'a',
          MessageBody: 'one',
          DelaySeconds: 5,
          MessageAttributes: { kind: { DataType: 'String', StringValue: 'k' } },
        },
        { Id: 'b', MessageBody: 'two' },
      ],
    });
  });

  it('decodes queue attributes and attribute name lists', () => {
    expect(
      decodeParameters({
        QueueName: 'q',
        'Attribute.1.Name': 'VisibilityTimeout',
        'Attribute.1.Value': '60',
        'AttributeName.1': 'All',
        'AttributeName.2': 'QueueArn',
      }),
    ).toEqual({
      QueueName: 'q',
      Attributes: { VisibilityTimeout: '60' },
      AttributeNames: ['All', 'QueueArn'],
    });
  });
});
