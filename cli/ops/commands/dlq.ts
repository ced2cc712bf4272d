/** `dlq`, `dlq peek <queue>`, `dlq replay <queue> [--dry-run]`: dead-letter queues, their messages, replay. */
import { DeleteMessageCommand, type Message } from '@aws-sdk/client-sqs';
import type { OpsContext } from '../context';
import { prettyJson, table } from '../format';
import { deadLetterQueues, queueUrl, receiveAll, release, replayTo, targetOf } from '../queues';

/** Long enough to replay a whole queue before a held message shows up again for another reader. */
const REPLAY_HOLD_SECONDS = 60;
const PEEK_HOLD_SECONDS = 30;

export async function dlq(context: OpsContext, [action, queue]: readonly string[]): Promise<void> {
  if (action === undefined) return depths(context);
  if (action !== 'peek' && action !== 'replay')
    throw new Error(`unknown dlq action ${action} (peek, replay)`);
  if (!queue) throw new Error(`dlq ${action} needs a queue name or URL`);
  const url = await queueUrl(context, queue);
  return action === 'peek' ? peek(context, url) : replay(context, url);
}

async function depths(context: OpsContext): Promise<void> {
  const queues = await deadLetterQueues(context);
  context.print(queues, () =>
    table(
      ['QUEUE', 'DEPTH', 'IN FLIGHT'],
      queues.map((queue) => [queue.name, String(queue.depth), String(queue.inFlight)]),
    ),
  );
}

async function peek(context: OpsContext, url: string): Promise<void> {
  const received = await receiveAll(context, url, PEEK_HOLD_SECONDS);
  await release(context, url, received);
  const messages = received.map((message) => ({
    messageId: message.MessageId ?? '',
    target: targetOf(message),
    attributes: Object.fromEntries(
      Object.entries(message.MessageAttributes ?? {}).map(([key, value]) => [key, value.StringValue]),
    ),
    body: message.Body,
  }));
  context.print(
    messages,
    () =>
      messages
        .map(
          (message) =>
            `${message.messageId} → ${message.target ?? '(unknown target)'}\n${prettyJson(message.body, context.options.all === true, 400)}`,
        )
        .join('\n\n') || '(empty)',
  );
}

async function replay(context: OpsContext, url: string): Promise<void> {
  const dryRun = context.options['dry-run'] === true;
  const messages = await receiveAll(context, url, REPLAY_HOLD_SECONDS);
  const results: { messageId: string; target: string; result: string }[] = [];
  const keep: Message[] = [];
  for (const [index, message] of messages.entries()) {
    const target = targetOf(message);
    const entry = { messageId: message.MessageId ?? '', target: target ?? '' };
    context.progress(`[${index + 1}/${messages.length}] ${entry.messageId} → ${entry.target || '?'}`);
    if (!target || dryRun) {
      keep.push(message);
      results.push({ ...entry, result: target ? 'would replay' : 'skipped: no target ARN attribute' });
      continue;
    }
    try {
      await replayTo(context, target, message.Body ?? '');
    } catch (error) {
      keep.push(message);
      results.push({ ...entry, result: `failed: ${(error as Error).message}` });
      continue;
    }
    // Deleted only once the target took it, so a failed replay leaves the message in the queue.
    await context.sqs.send(new DeleteMessageCommand({ QueueUrl: url, ReceiptHandle: message.ReceiptHandle }));
    results.push({ ...entry, result: 'replayed' });
  }
  await release(context, url, keep);
  const replayed = results.filter((entry) => entry.result === 'replayed').length;
  context.print({ replayed, total: results.length, results }, () =>
    [
      table(
        ['MESSAGE', 'TARGET', 'RESULT'],
        results.map((result) => [result.messageId, result.target, result.result]),
      ),
      `${replayed} of ${results.length} replayed${dryRun ? ' (dry run)' : ''}`,
    ].join('\n'),
  );
}
