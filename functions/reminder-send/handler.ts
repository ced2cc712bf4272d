/**
 * The reminder workflows' step that talks to people: `deliver` one occurrence (delivery workflow), or
 * `tell` the person what became of their request (lifecycle workflow).
 */
import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { logger } from '../shared/logger';
import type { QuickReply } from '../shared/messenger/send-api';
import type { Firing, Reminder } from '../shared/reminders/model';
import { awsDeliveryPorts } from './adapters';
import { type DeliveryResult, deliver } from './deliver';

export type SendRequest =
  | {
      readonly kind: 'deliver';
      readonly item: Record<string, AttributeValue>;
      readonly firing: Firing;
      readonly executionId: string;
    }
  | {
      readonly kind: 'tell';
      readonly psid: string;
      readonly text: string;
      readonly quickReplies?: QuickReply[];
    };

const ports = awsDeliveryPorts();

export const handler = async (request: SendRequest): Promise<DeliveryResult | { told: string }> => {
  if (request.kind === 'tell') {
    const outcome = await ports.sendText({
      psid: request.psid,
      text: request.text,
      ...(request.quickReplies ? { quickReplies: request.quickReplies } : {}),
    });
    // What the person is told is a courtesy: a refused message does not undo the change it reports.
    if (outcome.status !== 'sent') logger.warn('reply not delivered', { outcome });
    return { told: outcome.status };
  }
  const reminder = unmarshall(request.item) as Reminder;
  const result = await deliver(reminder, request.firing.occurrence, request.executionId, ports);
  logger.info('delivery', {
    reminderId: reminder.reminderId,
    occurrence: request.firing.occurrence,
    ...result,
  });
  return result;
};
