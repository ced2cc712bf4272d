/**
 * The reminder workflows' step that talks to people: `deliver` one occurrence (delivery workflow), or
 * `tell` the person what became of their request (lifecycle workflow).
 */

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context } from 'aws-lambda';
import { logger } from '../shared/logger';
import type { QuickReply } from '../shared/messenger/send-api';
import type { Firing, Reminder } from '../shared/reminders/model';
import { awsDeliveryPorts } from './adapters';
import { type DeliveryResult, deliver, sendDigest } from './deliver';

export type SendRequest =
  | {
      readonly kind: 'deliver';
      readonly item: Record<string, AttributeValue>;
      readonly firing: Firing;
      readonly executionId: string;
      /** Fired long after it was due: held for the person's digest. */
      readonly late?: boolean;
      /** ISO-8601: the workflow's time, which the 24-hour window is judged at. */
      readonly now?: string;
    }
  | { readonly kind: 'digest'; readonly item: Record<string, AttributeValue>; readonly now?: string }
  | {
      readonly kind: 'tell';
      readonly psid: string;
      readonly text: string;
      readonly quickReplies?: QuickReply[];
    };

/** The workflow's time for the invocation under way (one at a time per environment); else the function's. */
let workflowNow: number | undefined;
const ports = awsDeliveryPorts(() => workflowNow ?? Date.now());

export const handler = async (
  request: SendRequest,
  context: Context,
): Promise<DeliveryResult | { told: string } | { outcome: 'digest'; sent: number }> => {
  logger.addContext(context);
  const now = 'now' in request && request.now !== undefined ? Date.parse(request.now) : Number.NaN;
  workflowNow = Number.isNaN(now) ? undefined : now;
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
  if (request.kind === 'digest') {
    const digest = await sendDigest(reminder, ports);
    logger.info('digest', { userId: reminder.userId, ...digest });
    return { outcome: 'digest', ...digest };
  }
  const result = await deliver(reminder, request.firing.occurrence, request.executionId, ports, {
    late: request.late === true,
  });
  logger.info('delivery', {
    reminderId: reminder.reminderId,
    occurrence: request.firing.occurrence,
    ...result,
  });
  return result;
};
