/**
 * Routed by an EventBridge rule: MessageReceived and PostbackReceived from aurora.messenger. Handles each
 * event once (EventBridge and Lambda's async retries may deliver it again) and answers through the Send API.
 */
import type { Context, EventBridgeEvent } from 'aws-lambda';
import type { MessageReceivedDetail, PostbackReceivedDetail } from '../../events-schema/generated/types';
import { parseEvent } from '../shared/events/consume';
import { logger } from '../shared/logger';
import { once } from '../shared/messenger/idempotency';
import { awsConversationPorts, newDynamoDbClient } from './adapters';
import { converse, type Incoming } from './converse';

const tableName = process.env.TABLE_NAME ?? '';
const ports = awsConversationPorts({
  tableName,
  eventBusName: process.env.EVENT_BUS_NAME ?? '',
  graphApiBaseUrl: process.env.GRAPH_API_BASE_URL ?? '',
  pageTokenId: process.env.PAGE_TOKEN_ID ?? '',
  otpKeyId: process.env.OTP_KEY_ID ?? '',
});

const handleOnce = once(
  async ({ incoming }: { eventId: string; incoming: Incoming }) => {
    const result = await converse(incoming, ports);
    if (!result.outcome || result.outcome.status === 'sent')
      logger.debug('answered', { command: result.command });
    else logger.warn('reply not delivered', { command: result.command, outcome: result.outcome });
    return result.outcome?.status ?? 'left to a workflow';
  },
  {
    tableName,
    functionKey: 'conversation',
    keyPath: 'eventId',
    client: newDynamoDbClient(),
  },
);

export const handler = async (event: EventBridgeEvent<string, unknown>, context: Context): Promise<void> => {
  handleOnce.registerContext(context);
  const received = parseEvent(event, ['MessageReceived', 'PostbackReceived']);
  await handleOnce.run({ eventId: received.id, incoming: incomingOf(received.detail) });
};

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
