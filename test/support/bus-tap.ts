/** Collects the events that match a pattern from now on, through a rule to an SQS queue (both real SDK calls). */
import { randomUUID } from 'node:crypto';
import { type EventBridgeClient, PutRuleCommand, PutTargetsCommand } from '@aws-sdk/client-eventbridge';
import {
  CreateQueueCommand,
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  type SQSClient,
} from '@aws-sdk/client-sqs';

export interface BusEvent {
  readonly id: string;
  readonly 'detail-type': string;
  readonly detail: Record<string, unknown>;
}

/** Resolves to a reader of every event seen so far, each once (a clock jump past the visibility timeout shows a message again). */
export async function tapBus<E extends BusEvent>(
  clients: { readonly events: EventBridgeClient; readonly sqs: SQSClient },
  bus: string,
  pattern: Record<string, unknown>,
): Promise<() => Promise<E[]>> {
  const name = `tap-${randomUUID().slice(0, 8)}`;
  const { events, sqs } = clients;
  const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: name }));
  const { Attributes } = await sqs.send(
    new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ['QueueArn'] }),
  );
  await events.send(
    new PutRuleCommand({ Name: name, EventBusName: bus, EventPattern: JSON.stringify(pattern) }),
  );
  await events.send(
    new PutTargetsCommand({
      Rule: name,
      EventBusName: bus,
      Targets: [{ Id: 'queue', Arn: Attributes?.QueueArn }],
    }),
  );
  const seen: E[] = [];
  return async () => {
    for (;;) {
      const { Messages = [] } = await sqs.send(
        new ReceiveMessageCommand({ QueueUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
      );
      if (Messages.length === 0) return seen;
      for (const message of Messages) {
        const event = JSON.parse(message.Body ?? '{}') as E;
        if (!seen.some((known) => known.id === event.id)) seen.push(event);
        await sqs.send(new DeleteMessageCommand({ QueueUrl, ReceiptHandle: message.ReceiptHandle }));
      }
    }
  };
}
