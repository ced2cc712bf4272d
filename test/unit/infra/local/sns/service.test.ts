/**
 * The local SNS through the edge with the real SDK v3 client: topics and subscriptions, what each protocol's
 * subscriber receives, the errors SDK users catch, and state that survives a restart. Deliveries are recorded
 * at the service's ports (the e2e test follows them into SES and SQS).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  CreateTopicCommand,
  DeleteTopicCommand,
  GetTopicAttributesCommand,
  InvalidParameterException,
  ListSubscriptionsByTopicCommand,
  ListTopicsCommand,
  NotFoundException,
  PublishCommand,
  SNSClient,
  SubscribeCommand,
  UnsubscribeCommand,
} from '@aws-sdk/client-sns';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Clock } from '../../../../../infra/local/clock';
import { type Edge, startEdge } from '../../../../../infra/local/edge/server';
import { type SnsEmail, SnsService } from '../../../../../infra/local/sns/service';
import { edgeClientConfig } from '../../../../support/local-cloud';
import { until } from '../../../../support/polling';

const account = { region: 'eu-west-1', accountId: '000000000000' };
const QUEUE = 'arn:aws:sqs:eu-west-1:000000000000:alerts';
const FUNCTION = 'arn:aws:lambda:eu-west-1:000000000000:function:on-alert';

interface Delivered {
  readonly emails: SnsEmail[];
  readonly queued: Array<{ queueArn: string; body: string }>;
  readonly invoked: Array<{ functionArn: string; payload: string }>;
}

describe('local SNS', () => {
  let stateDir: string;
  let clock: Clock;
  let service: SnsService;
  let edge: Edge;
  let client: SNSClient;
  let delivered: Delivered;

  async function start(): Promise<void> {
    delivered = { emails: [], queued: [], invoked: [] };
    service = new SnsService({
      clock,
      stateDir,
      account,
      endpoint: 'http://127.0.0.1:4566',
      deliveries: {
        sendEmail: (mail) => {
          delivered.emails.push(mail);
        },
        sendToQueue: async (queueArn, body) => {
          delivered.queued.push({ queueArn, body });
        },
        invokeLambdaAsync: async (functionArn, payload) => {
          delivered.invoked.push({ functionArn, payload });
        },
      },
    });
    edge = await startEdge({ port: 0, services: [service.edgeService], account });
    client = new SNSClient(edgeClientConfig(edge.url, account.region));
  }

  async function stop(): Promise<void> {
    client.destroy();
    await edge.close();
  }

  beforeEach(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'aurora-sns-'));
    clock = new Clock('manual', Date.UTC(2030, 0, 1));
    await start();
  });

  afterEach(async () => {
    await stop();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const createTopic = async (name: string, attributes?: Record<string, string>) =>
    (
      await client.send(
        new CreateTopicCommand({ Name: name, ...(attributes ? { Attributes: attributes } : {}) }),
      )
    ).TopicArn ?? '';

  it('creates topics idempotently, lists them and answers their attributes', async () => {
    const arn = await createTopic('ops', { DisplayName: 'Aurora ops' });
    expect(arn).toBe('arn:aws:sns:eu-west-1:000000000000:ops');
    expect(await createTopic('ops')).toBe(arn);
    await createTopic('billing');
    const { Topics } = await client.send(new ListTopicsCommand({}));
    expect(Topics?.map((topic) => topic.TopicArn)).toEqual([
      'arn:aws:sns:eu-west-1:000000000000:billing',
      arn,
    ]);

    await client.send(
      new SubscribeCommand({ TopicArn: arn, Protocol: 'email', Endpoint: 'ops@example.com' }),
    );
    const { Attributes } = await client.send(new GetTopicAttributesCommand({ TopicArn: arn }));
    expect(Attributes).toMatchObject({
      TopicArn: arn,
      Owner: '000000000000',
      DisplayName: 'Aurora ops',
      SubscriptionsConfirmed: '1',
    });
  });

  it('raises the SDK exceptions for a missing topic and an invalid subscription', async () => {
    const missing = 'arn:aws:sns:eu-west-1:000000000000:missing';
    await expect(client.send(new GetTopicAttributesCommand({ TopicArn: missing }))).rejects.toBeInstanceOf(
      NotFoundException,
    );
    await expect(client.send(new PublishCommand({ TopicArn: missing, Message: 'x' }))).rejects.toBeInstanceOf(
      NotFoundException,
    );
    const arn = await createTopic('ops');
    await expect(
      client.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: 'not-an-arn' })),
    ).rejects.toBeInstanceOf(InvalidParameterException);
    await expect(
      client.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sms', Endpoint: '+15555550100' })),
    ).rejects.toThrow(/not emulated locally/);
    await expect(client.send(new PublishCommand({ TopicArn: arn, Message: '' }))).rejects.toBeInstanceOf(
      InvalidParameterException,
    );
  });

  it('delivers a Publish to each subscriber in its protocol’s shape', async () => {
    const arn = await createTopic('ops');
    await client.send(
      new SubscribeCommand({ TopicArn: arn, Protocol: 'email', Endpoint: 'ops@example.com' }),
    );
    await client.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: QUEUE }));
    const { SubscriptionArn: lambdaSubscription } = await client.send(
      new SubscribeCommand({ TopicArn: arn, Protocol: 'lambda', Endpoint: FUNCTION }),
    );

    const { MessageId } = await client.send(
      new PublishCommand({
        TopicArn: arn,
        Subject: 'Execution failed',
        Message: 'reminder-lifecycle failed',
        MessageAttributes: { severity: { DataType: 'String', StringValue: 'high' } },
      }),
    );
    await until(() => delivered.invoked.length === 1, 'the Lambda delivery');

    expect(delivered.emails).toEqual([
      expect.objectContaining({
        from: 'no-reply@sns.amazonaws.com',
        to: 'ops@example.com',
        subject: 'Execution failed',
        text: expect.stringMatching(/^reminder-lifecycle failed\n\n--\n.*unsubscribe/s),
      }),
    ]);
    expect(delivered.queued[0]?.queueArn).toBe(QUEUE);
    expect(JSON.parse(delivered.queued[0]?.body ?? '{}')).toMatchObject({
      Type: 'Notification',
      MessageId,
      TopicArn: arn,
      Subject: 'Execution failed',
      Message: 'reminder-lifecycle failed',
      Timestamp: '2030-01-01T00:00:00.000Z',
      MessageAttributes: { severity: { Type: 'String', Value: 'high' } },
    });
    const event = JSON.parse(delivered.invoked[0]?.payload ?? '{}');
    expect(event.Records[0]).toMatchObject({
      EventSource: 'aws:sns',
      EventSubscriptionArn: lambdaSubscription,
      Sns: { MessageId, TopicArn: arn, Subject: 'Execution failed', Message: 'reminder-lifecycle failed' },
    });
  });

  it('sends the raw message to a raw-delivery queue and each protocol its own text of a JSON structure', async () => {
    const arn = await createTopic('ops');
    await client.send(
      new SubscribeCommand({
        TopicArn: arn,
        Protocol: 'sqs',
        Endpoint: QUEUE,
        Attributes: { RawMessageDelivery: 'true' },
      }),
    );
    await client.send(
      new SubscribeCommand({ TopicArn: arn, Protocol: 'email', Endpoint: 'ops@example.com' }),
    );
    await client.send(
      new PublishCommand({
        TopicArn: arn,
        MessageStructure: 'json',
        Message: JSON.stringify({ default: 'short', email: 'the long version for people' }),
      }),
    );
    await until(() => delivered.queued.length === 1 && delivered.emails.length === 1, 'both deliveries');
    expect(delivered.queued[0]?.body).toBe('short');
    expect(delivered.emails[0]?.text).toMatch(/^the long version for people\n/);
    expect(delivered.emails[0]?.subject).toBe('AWS Notification Message');
  });

  it('stops delivering to a subscription once unsubscribed, and deletes a topic’s subscriptions with it', async () => {
    const arn = await createTopic('ops');
    const { SubscriptionArn } = await client.send(
      new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: QUEUE }),
    );
    await client.send(
      new SubscribeCommand({ TopicArn: arn, Protocol: 'email', Endpoint: 'ops@example.com' }),
    );
    await client.send(new UnsubscribeCommand({ SubscriptionArn }));
    await client.send(new PublishCommand({ TopicArn: arn, Message: 'only by mail' }));
    await until(() => delivered.emails.length === 1, 'the email delivery');
    expect(delivered.queued).toEqual([]);

    await client.send(new DeleteTopicCommand({ TopicArn: arn }));
    expect(service.subscriptionsOf(arn)).toEqual([]);
    await expect(client.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }))).rejects.toBeInstanceOf(
      NotFoundException,
    );
  });

  it('keeps topics and subscriptions across a restart', async () => {
    const arn = await createTopic('ops');
    await client.send(new SubscribeCommand({ TopicArn: arn, Protocol: 'sqs', Endpoint: QUEUE }));
    await stop();
    await start();
    const { Subscriptions } = await client.send(new ListSubscriptionsByTopicCommand({ TopicArn: arn }));
    expect(Subscriptions).toEqual([
      expect.objectContaining({ Protocol: 'sqs', Endpoint: QUEUE, TopicArn: arn, Owner: '000000000000' }),
    ]);
  });
});
