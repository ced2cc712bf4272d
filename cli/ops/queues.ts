/** SQS work of the `dlq` command: which queues are dead-letter queues, reading them whole, replaying. */
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { FirehoseClient, PutRecordCommand } from '@aws-sdk/client-firehose';
import { InvokeCommand, LambdaClient } from '@aws-sdk/client-lambda';
import { StartExecutionCommand } from '@aws-sdk/client-sfn';
import { PublishCommand, SNSClient } from '@aws-sdk/client-sns';
import {
  ChangeMessageVisibilityBatchCommand,
  GetQueueAttributesCommand,
  GetQueueUrlCommand,
  type Message,
  paginateListQueues,
  ReceiveMessageCommand,
  SendMessageCommand,
} from '@aws-sdk/client-sqs';
import type { OpsContext } from './context';
import { isDlqName, mapBounded } from './format';

export interface DeadLetterQueue {
  readonly name: string;
  readonly url: string;
  readonly depth: number;
  readonly inFlight: number;
}

export async function queueUrl(context: OpsContext, nameOrUrl: string): Promise<string> {
  if (/^https?:/.test(nameOrUrl)) return nameOrUrl;
  return (await context.sqs.send(new GetQueueUrlCommand({ QueueName: nameOrUrl }))).QueueUrl ?? '';
}

/** Queues named like a DLQ, or that another queue's RedrivePolicy points at, with their depth. */
export async function deadLetterQueues(context: OpsContext): Promise<DeadLetterQueue[]> {
  const urls: string[] = [];
  for await (const page of paginateListQueues({ client: context.sqs }, {}))
    urls.push(...(page.QueueUrls ?? []));
  const queues = await mapBounded(urls, 8, async (url) => ({
    url,
    name: url.split('/').at(-1) ?? url,
    attributes:
      (await context.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ['All'] })))
        .Attributes ?? {},
  }));
  const redriveTargets = new Set(
    queues.flatMap(({ attributes: { RedrivePolicy } }) =>
      RedrivePolicy
        ? [String((JSON.parse(RedrivePolicy) as { deadLetterTargetArn?: string }).deadLetterTargetArn)]
        : [],
    ),
  );
  return queues
    .filter((queue) => isDlqName(queue.name) || redriveTargets.has(queue.attributes.QueueArn ?? ''))
    .map((queue) => ({
      name: queue.name,
      url: queue.url,
      depth: Number(queue.attributes.ApproximateNumberOfMessages ?? 0),
      inFlight: Number(queue.attributes.ApproximateNumberOfMessagesNotVisible ?? 0),
    }));
}

/**
 * Every visible message of a queue, each hidden for `holdSeconds` so that the next receive returns others (a
 * receive with VisibilityTimeout 0 would keep answering the same first ten).
 */
export async function receiveAll(
  context: OpsContext,
  QueueUrl: string,
  holdSeconds: number,
): Promise<Message[]> {
  const received: Message[] = [];
  for (;;) {
    const page = await context.sqs.send(
      new ReceiveMessageCommand({
        QueueUrl,
        MaxNumberOfMessages: 10,
        VisibilityTimeout: holdSeconds,
        WaitTimeSeconds: 0,
        MessageAttributeNames: ['All'],
        MessageSystemAttributeNames: ['All'],
      }),
    );
    if (!page.Messages?.length) return received;
    received.push(...page.Messages);
  }
}

/** Makes held messages visible again at once. */
export async function release(
  context: OpsContext,
  QueueUrl: string,
  messages: readonly Message[],
): Promise<void> {
  for (let start = 0; start < messages.length; start += 10)
    await context.sqs.send(
      new ChangeMessageVisibilityBatchCommand({
        QueueUrl,
        Entries: messages.slice(start, start + 10).map((message, index) => ({
          Id: String(index),
          ReceiptHandle: message.ReceiptHandle,
          VisibilityTimeout: 0,
        })),
      }),
    );
}

/**
 * Where a dead-lettered message was going: EventBridge rules put the target's ARN in TARGET_ARN, EventBridge
 * Scheduler in X-Amz-Scheduler-Target-Arn.
 */
export const targetOf = (message: Message): string | undefined =>
  message.MessageAttributes?.TARGET_ARN?.StringValue ??
  message.MessageAttributes?.['X-Amz-Scheduler-Target-Arn']?.StringValue;

/**
 * Sends a dead-lettered body to its target again. An EventBridge DLQ holds the event itself (the target's
 * input transformer is not applied again); a Scheduler DLQ holds the target's input.
 */
export async function replayTo(context: OpsContext, targetArn: string, body: string): Promise<void> {
  const [, , service, , account = '', ...resource] = targetArn.split(':');
  switch (service) {
    case 'states':
      await context.sfn.send(new StartExecutionCommand({ stateMachineArn: targetArn, input: body }));
      return;
    case 'lambda':
      await new LambdaClient({}).send(
        new InvokeCommand({
          FunctionName: targetArn,
          InvocationType: 'Event',
          Payload: new TextEncoder().encode(body),
        }),
      );
      return;
    case 'sqs': {
      const { QueueUrl } = await context.sqs.send(
        new GetQueueUrlCommand({ QueueName: resource.join(':'), QueueOwnerAWSAccountId: account }),
      );
      await context.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: body }));
      return;
    }
    case 'events': {
      const event = JSON.parse(body) as {
        source?: string;
        'detail-type'?: string;
        detail?: unknown;
        resources?: string[];
      };
      const sent = await new EventBridgeClient({}).send(
        new PutEventsCommand({
          Entries: [
            {
              EventBusName: targetArn,
              Source: event.source,
              DetailType: event['detail-type'],
              Detail: JSON.stringify(event.detail ?? {}),
              Resources: event.resources,
            },
          ],
        }),
      );
      if (sent.FailedEntryCount)
        throw new Error(sent.Entries?.[0]?.ErrorMessage ?? 'PutEvents refused the event');
      return;
    }
    case 'sns':
      await new SNSClient({}).send(new PublishCommand({ TopicArn: targetArn, Message: body }));
      return;
    case 'firehose':
      // arn:aws:firehose:<region>:<account>:deliverystream/<name>
      await new FirehoseClient({}).send(
        new PutRecordCommand({
          DeliveryStreamName: resource.join(':').replace(/^deliverystream\//, ''),
          Record: { Data: new TextEncoder().encode(body) },
        }),
      );
      return;
    default:
      throw new Error(`cannot replay to a ${service} target`);
  }
}
