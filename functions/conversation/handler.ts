/**
 * Routed by an EventBridge rule: MessageReceived and PostbackReceived from aurora.messenger. Answers each
 * message once through the Send API, however often it arrives: EventBridge and Lambda's async retries deliver
 * the same event again, and the webhook may publish the same message twice under two event ids (stopped after
 * publishing but before its own idempotency record completed, it publishes again when Meta redelivers).
 * So the dedupe key is the message's (its `mid`), not the event's id.
 */
import type { Context, EventBridgeEvent } from 'aws-lambda';
import type { MessageReceivedDetail, PostbackReceivedDetail } from '../../events-schema/generated/types';
import { dynamoDbClient } from '../shared/clients';
import { required } from '../shared/config';
import { parseEvent } from '../shared/events/consume';
import { once } from '../shared/idempotency';
import { logger } from '../shared/logger';
import { awsConversationPorts } from './adapters';
import { converse, type Incoming } from './converse';

const tableName = required('TABLE_NAME');
const ports = awsConversationPorts({
  tableName,
  eventBusName: required('EVENT_BUS_NAME'),
  graphApiBaseUrl: required('GRAPH_API_BASE_URL'),
  pageTokenId: required('PAGE_TOKEN_ID'),
  otpKeyId: required('OTP_KEY_ID'),
});

const handleOnce = once(
  async ({ incoming }: { messageKey: string; incoming: Incoming }) => {
    const result = await converse(incoming, ports);
    if (!result.outcome || result.outcome.status === 'sent')
      logger.debug('answered', { command: result.command });
    else logger.warn('reply not delivered', { command: result.command, outcome: result.outcome });
    return result.outcome?.status ?? 'left to a workflow';
  },
  {
    tableName,
    functionKey: 'conversation',
    keyPath: 'messageKey',
    client: dynamoDbClient,
  },
);

export const handler = async (event: EventBridgeEvent<string, unknown>, context: Context): Promise<void> => {
  logger.addContext(context);
  handleOnce.registerContext(context);
  const received = parseEvent(event, ['MessageReceived', 'PostbackReceived']);
  await handleOnce.run({ messageKey: messageKeyOf(received.detail), incoming: incomingOf(received.detail) });
};

/**
 * The webhook's own dedupe key for the item (functions/messenger-webhook/delivery.ts): the `mid`, or for a
 * postback without one (or with an empty one: no usable idempotency key) its sender, time and payload.
 */
function messageKeyOf(detail: MessageReceivedDetail | PostbackReceivedDetail): string {
  if (detail.mid) return detail.mid;
  const payload = 'payload' in detail ? detail.payload : '';
  return `postback:${detail.psid}:${detail.sentAt}:${payload}`;
}

function incomingOf(detail: MessageReceivedDetail | PostbackReceivedDetail): Incoming {
  const { psid, sentAt } = detail;
  if ('payload' in detail) return { psid, sentAt, payload: detail.payload };
  return {
    psid,
    sentAt,
    ...(detail.text === undefined ? {} : { text: detail.text }),
    ...(detail.quickReplyPayload === undefined ? {} : { payload: detail.quickReplyPayload }),
  };
}
