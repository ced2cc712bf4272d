import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  ChangeMessageVisibilityCommand,
  CreateQueueCommand,
  DeleteMessageBatchCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  ListQueuesCommand,
  PurgeQueueCommand,
  QueueDoesNotExist,
  ReceiveMessageCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Clock } from '../../infra/local/clock';
import { type Edge, startEdge } from '../../infra/local/edge/server';
import { SqsService } from '../../infra/local/sqs/service';
import { edgeClientConfig } from '../support/local-cloud';
import { until } from '../support/polling';

const account = { region: 'eu-west-1', accountId: '000000000000' };

describe('SQS through the edge', () => {
  let stateDir: string;
  let clock: Clock;
  let sqs: SqsService;
  let edge: Edge;
  let client: SQSClient;

  async function start(): Promise<void> {
    sqs = new SqsService({ clock, stateDir, account });
    edge = await startEdge({ port: 0, services: [sqs.edgeService, sqs.queryEdgeService], account });
    sqs.setEndpoint(edge.url);
    client = new SQSClient(edgeClientConfig(edge.url, account.region));
  }

  async function stop(): Promise<void> {
    client.destroy();
    sqs.close();
    await edge.close();
  }

  beforeEach(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'aurora-sqs-'));
    clock = new Clock('manual', Date.UTC(2030, 0, 1));
    await start();
  });

  afterEach(async () => {
    await stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const untilLongPollWaits = () => until(() => sqs.longPollsWaiting() > 0, 'a long poll started', 5_000);

  const createQueue = async (name: string, attributes: Record<string, string> = {}) =>
    (await client.send(new CreateQueueCommand({ QueueName: name, Attributes: attributes }))).QueueUrl ?? '';

  const counts = async (queueUrl: string) => {
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({
        QueueUrl: queueUrl,
        AttributeNames: ['ApproximateNumberOfMessages', 'ApproximateNumberOfMessagesNotVisible'],
      }),
    );
    return {
      visible: Number(Attributes?.ApproximateNumberOfMessages),
      inFlight: Number(Attributes?.ApproximateNumberOfMessagesNotVisible),
    };
  };

  it('creates a queue whose URL and ARN name the local account', async () => {
    const queueUrl = await createQueue('deliveries');
    expect(queueUrl).toBe(`${edge.url}/000000000000/deliveries`);
    const { QueueUrl } = await client.send(new GetQueueUrlCommand({ QueueName: 'deliveries' }));
    expect(QueueUrl).toBe(queueUrl);
    const { Attributes } = await client.send(
      new GetQueueAttributesCommand({ QueueUrl: queueUrl, AttributeNames: ['All'] }),
    );
    expect(Attributes?.QueueArn).toBe('arn:aws:sqs:eu-west-1:000000000000:deliveries');
    expect(Attributes?.VisibilityTimeout).toBe('30');
    const listed = await client.send(new ListQueuesCommand({ QueueNamePrefix: 'deli' }));
    expect(listed.QueueUrls).toEqual([queueUrl]);
  });

  it('round-trips a message with attributes, whose MD5s the SDK accepts, and hides it on the clock', async () => {
    const queueUrl = await createQueue('deliveries', { VisibilityTimeout: '60' });
    const sent = await client.send(
      new SendMessageCommand({
        QueueUrl: queueUrl,
        MessageBody: '{"reminderId":"r1","text":"Call mum ☎"}',
        MessageAttributes: {
          channel: { DataType: 'String', StringValue: 'email' },
          attempt: { DataType: 'Number', StringValue: '1' },
          blob: { DataType: 'Binary', BinaryValue: new Uint8Array([1, 2, 3]) },
        },
      }),
    );
    expect(sent.MD5OfMessageAttributes).toMatch(/^[0-9a-f]{32}$/);

    const first = await client.send(
      new ReceiveMessageCommand({
        QueueUrl: queueUrl,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['ApproximateReceiveCount', 'SentTimestamp'],
      }),
    );
    const message = first.Messages?.[0];
    expect(message?.Body).toBe('{"reminderId":"r1","text":"Call mum ☎"}');
    expect(message?.MessageAttributes?.channel?.StringValue).toBe('email');
    expect(message?.MessageAttributes?.blob?.BinaryValue).toEqual(new Uint8Array([1, 2, 3]));
    expect(message?.MD5OfMessageAttributes).toBe(sent.MD5OfMessageAttributes);
    expect(message?.Attributes?.ApproximateReceiveCount).toBe('1');
    expect(message?.Attributes?.SentTimestamp).toBe(String(clock.now()));
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 1 });

    clock.advanceBy(59_000);
    expect(
      (await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }))).Messages ?? [],
    ).toHaveLength(0);
    clock.advanceBy(1_000);
    const second = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MessageSystemAttributeNames: ['All'] }),
    );
    const again = second.Messages?.[0];
    expect(again?.MessageId).toBe(message?.MessageId);
    expect(again?.Attributes?.ApproximateReceiveCount).toBe('2');

    // The first receipt handle is stale: deleting with it leaves the message; the latest one deletes it.
    await client.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: message?.ReceiptHandle }),
    );
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 1 });
    await client.send(new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: again?.ReceiptHandle }));
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('answers a long poll as soon as a message arrives', async () => {
    const queueUrl = await createQueue('wakeups');
    const started = Date.now();
    const polling = client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 20 }));
    await untilLongPollWaits();
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'wake up' }));
    const { Messages } = await polling;
    expect(Messages?.[0]?.Body).toBe('wake up');
    expect(Date.now() - started).toBeLessThan(5_000);
  });

  it('answers a long poll when a message becomes visible again within the wait, on the clock', async () => {
    const queueUrl = await createQueue('retries', { VisibilityTimeout: '10' });
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'retry me' }));
    await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    const polling = client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl, WaitTimeSeconds: 20 }));
    await untilLongPollWaits();
    clock.advanceBy(10_000);
    const { Messages } = await polling;
    expect(Messages?.[0]?.Body).toBe('retry me');
  });

  it('makes a message visible at once with ChangeMessageVisibility 0', async () => {
    const queueUrl = await createQueue('handback');
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'hand back' }));
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    await client.send(
      new ChangeMessageVisibilityCommand({
        QueueUrl: queueUrl,
        ReceiptHandle: Messages?.[0]?.ReceiptHandle,
        VisibilityTimeout: 0,
      }),
    );
    expect(await counts(queueUrl)).toEqual({ visible: 1, inFlight: 0 });
  });

  it('sends and deletes in batches, and purges', async () => {
    const queueUrl = await createQueue('batches');
    const sent = await client.send(
      new SendMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'a', MessageBody: 'one' },
          { Id: 'b', MessageBody: 'two' },
          { Id: 'c', MessageBody: 'three', DelaySeconds: 901 },
        ],
      }),
    );
    expect(sent.Successful?.map((entry) => entry.Id)).toEqual(['a', 'b']);
    expect(sent.Failed?.[0]).toMatchObject({ Id: 'c', Code: 'InvalidParameterValue', SenderFault: true });
    const { Messages = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(Messages.map((message) => message.Body)).toEqual(['one', 'two']);
    const deleted = await client.send(
      new DeleteMessageBatchCommand({
        QueueUrl: queueUrl,
        Entries: [
          { Id: 'first', ReceiptHandle: Messages[0]?.ReceiptHandle },
          { Id: 'bogus', ReceiptHandle: 'not-a-handle' },
        ],
      }),
    );
    expect(deleted.Successful?.map((entry) => entry.Id)).toEqual(['first']);
    expect(deleted.Failed?.[0]).toMatchObject({ Id: 'bogus', Code: 'ReceiptHandleIsInvalid' });
    await client.send(new PurgeQueueCommand({ QueueUrl: queueUrl }));
    expect(await counts(queueUrl)).toEqual({ visible: 0, inFlight: 0 });
  });

  it('moves a message received too often to the dead-letter queue', async () => {
    const deadLetterUrl = await createQueue('failed');
    const queueUrl = await createQueue('work', {
      VisibilityTimeout: '10',
      RedrivePolicy: JSON.stringify({
        deadLetterTargetArn: 'arn:aws:sqs:eu-west-1:000000000000:failed',
        maxReceiveCount: 2,
      }),
    });
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'poison' }));
    for (let attempt = 0; attempt < 2; attempt++) {
      expect((await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }))).Messages).toHaveLength(1);
      clock.advanceBy(10_000);
    }
    expect(
      (await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }))).Messages ?? [],
    ).toHaveLength(0);
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: deadLetterUrl }));
    expect(Messages?.[0]?.Body).toBe('poison');
  });

  it('keeps FIFO order within a group and deduplicates by content', async () => {
    const queueUrl = await createQueue('orders.fifo', {
      FifoQueue: 'true',
      ContentBasedDeduplication: 'true',
    });
    for (const body of ['1', '2', '2']) {
      await client.send(
        new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: body, MessageGroupId: 'g' }),
      );
    }
    const first = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    expect(first.Messages?.[0]?.Body).toBe('1');
    // The group is blocked while its first message is in flight.
    expect(
      (await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }))).Messages ?? [],
    ).toHaveLength(0);
    await client.send(
      new DeleteMessageCommand({ QueueUrl: queueUrl, ReceiptHandle: first.Messages?.[0]?.ReceiptHandle }),
    );
    const second = await client.send(
      new ReceiveMessageCommand({ QueueUrl: queueUrl, MaxNumberOfMessages: 10 }),
    );
    expect(second.Messages?.map((message) => message.Body)).toEqual(['2']);
  });

  it('raises QueueDoesNotExist for a missing queue, with the legacy query code', async () => {
    const missing = client.send(
      new SendMessageCommand({ QueueUrl: `${edge.url}/000000000000/nowhere`, MessageBody: 'lost' }),
    );
    await expect(missing).rejects.toBeInstanceOf(QueueDoesNotExist);
    await expect(client.send(new GetQueueUrlCommand({ QueueName: 'nowhere' }))).rejects.toMatchObject({
      name: 'QueueDoesNotExist',
      Code: 'AWS.SimpleQueueService.NonExistentQueue',
    });
  });

  it('refuses to recreate a queue with different attributes', async () => {
    await createQueue('strict', { VisibilityTimeout: '30' });
    expect(await createQueue('strict', { VisibilityTimeout: '30' })).toContain('/strict');
    await expect(createQueue('strict', { VisibilityTimeout: '45' })).rejects.toMatchObject({
      name: 'QueueNameExists',
    });
  });

  it('keeps queued and in-flight messages across a restart on the same state directory', async () => {
    const queueUrl = await createQueue('durable', { VisibilityTimeout: '120' });
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'queued' }));
    await client.send(new SendMessageCommand({ QueueUrl: queueUrl, MessageBody: 'in flight' }));
    const { Messages } = await client.send(new ReceiveMessageCommand({ QueueUrl: queueUrl }));
    expect(Messages?.[0]?.Body).toBe('queued');
    await stop();
    await start();
    const restartedUrl = `${edge.url}/000000000000/durable`;
    expect(await counts(restartedUrl)).toEqual({ visible: 1, inFlight: 1 });
    clock.advanceBy(120_000);
    const { Messages: after = [] } = await client.send(
      new ReceiveMessageCommand({ QueueUrl: restartedUrl, MaxNumberOfMessages: 10 }),
    );
    expect(after.map((message) => message.Body).sort()).toEqual(['in flight', 'queued']);
  });

  it('answers older clients over the query protocol with SQS XML and legacy error codes', async () => {
    const query = async (parameters: Record<string, string>) => {
      const response = await fetch(edge.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/x-www-form-urlencoded',
          authorization:
            'AWS4-HMAC-SHA256 Credential=local/20300101/eu-west-1/sqs/aws4_request, SignedHeaders=host, Signature=0',
        },
        body: new URLSearchParams({ Version: '2012-11-05', ...parameters }).toString(),
      });
      return { status: response.status, xml: await response.text() };
    };
    const created = await query({
      Action: 'CreateQueue',
      QueueName: 'legacy',
      'Attribute.1.Name': 'DelaySeconds',
      'Attribute.1.Value': '0',
    });
    const queueUrl = /<QueueUrl>(.*)<\/QueueUrl>/.exec(created.xml)?.[1] ?? '';
    expect(queueUrl).toBe(`${edge.url}/000000000000/legacy`);
    const sent = await query({
      Action: 'SendMessage',
      QueueUrl: queueUrl,
      MessageBody: 'from an old client',
      'MessageAttribute.1.Name': 'kind',
      'MessageAttribute.1.Value.DataType': 'String',
      'MessageAttribute.1.Value.StringValue': 'legacy',
    });
    expect(sent.xml).toContain('<MD5OfMessageBody>');
    const received = await query({
      Action: 'ReceiveMessage',
      QueueUrl: queueUrl,
      'AttributeName.1': 'All',
      'MessageAttributeName.1': 'All',
    });
    expect(received.xml).toContain('<Message><MessageId>');
    expect(received.xml).toContain('<Body>from an old client</Body>');
    expect(received.xml).toContain(
      '<Attribute><Name>ApproximateReceiveCount</Name><Value>1</Value></Attribute>',
    );
    expect(received.xml).toContain(
      '<MessageAttribute><Name>kind</Name><Value><DataType>String</DataType><StringValue>legacy</StringValue></Value></MessageAttribute>',
    );
    const missing = await query({ Action: 'GetQueueUrl', QueueName: 'nowhere' });
    expect(missing.status).toBe(400);
    expect(missing.xml).toContain('<Code>AWS.SimpleQueueService.NonExistentQueue</Code>');
  });
});
