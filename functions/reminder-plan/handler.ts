/**
 * The reminder workflows' planning step: time-zone arithmetic and recurrence, which ASL expresses badly.
 * Items travel in DynamoDB's attribute-value form, as the state machines' GetItem and PutItem use them.
 */

import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { marshall, unmarshall } from '@aws-sdk/util-dynamodb';
import type { Context } from 'aws-lambda';
import type {
  ReminderChangeRequestedDetail,
  ReminderRequestedDetail,
} from '../../events-schema/generated/types';
import { logger } from '../shared/logger';
import type { Firing, Reminder } from '../shared/reminders/model';
import { planAdvance, planChange, planCreate } from './plan';

type Item = Record<string, AttributeValue>;

export type PlanRequest =
  | {
      readonly action: 'create';
      readonly detail: ReminderRequestedDetail;
      readonly now: string;
      readonly requestedAt: string;
      readonly pendingCount: number;
    }
  | {
      readonly action: 'change';
      readonly item?: Item;
      readonly detail: ReminderChangeRequestedDetail;
      readonly now: string;
    }
  | { readonly action: 'advance'; readonly item: Item; readonly firing: Firing; readonly now: string };

const toItem = (reminder: Reminder): Item => marshall(reminder, { removeUndefinedValues: true });
const fromItem = (item: Item | undefined): Reminder | undefined =>
  item && Object.keys(item).length > 0 ? (unmarshall(item) as Reminder) : undefined;

export const handler = async (request: PlanRequest, context: Context) => {
  logger.addContext(context);
  const plan =
    request.action === 'create'
      ? planCreate(request.detail, request)
      : request.action === 'change'
        ? planChange(fromItem(request.item), request.detail, request.now)
        : advance(request);
  logger.info('planned', {
    action: request.action,
    ok: !('ok' in plan) || plan.ok,
    ...('reminder' in plan ? { reminderId: plan.reminder.reminderId, version: plan.reminder.version } : {}),
  });
  return 'reminder' in plan ? { ...plan, item: toItem(plan.reminder) } : plan;
};

function advance(request: Extract<PlanRequest, { action: 'advance' }>) {
  const current = fromItem(request.item);
  if (!current) throw new Error(`Reminder ${request.firing.reminderId} vanished before it could advance`);
  return planAdvance(current, request.firing, request.now);
}
