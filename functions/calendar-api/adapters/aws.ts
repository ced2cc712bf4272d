/** The REST API's ports on AWS: the shared SDK clients, the table, the bus and the reminders schedule group. */

import { dynamoDb, eventBridge, scheduler } from '../../shared/clients';
import { required } from '../../shared/config';
import { ulid } from '../../shared/ulid';
import type { AccountPorts } from '../account';
import type { AdminPorts } from '../admin';
import { eventReminderRequests } from '../event-reminders';
import type { EventPorts } from '../events';
import type { ReminderPorts } from '../reminders';
import { awsAccountPorts, dynamoSettingsReader } from './account-store';
import { dynamoAdminStore } from './admin-store';
import { dynamoEventStore } from './event-store';
import { busLifecycle } from './lifecycle';
import { dynamoReminderStore } from './reminder-store';

export type ApiPorts = EventPorts & ReminderPorts & AccountPorts & AdminPorts;

/** How long a change waits for the reminder lifecycle to record it before answering with the plan. */
const LIFECYCLE_WAIT_MS = 8_000;

export function awsPorts(): ApiPorts {
  const tableName = required('TABLE_NAME');
  const busName = required('EVENT_BUS_NAME');
  const lifecycle = busLifecycle({
    client: dynamoDb,
    eventBridge,
    tableName,
    busName,
    waitMs: LIFECYCLE_WAIT_MS,
  });
  return {
    ...awsAccountPorts({
      client: dynamoDb,
      eventBridge,
      scheduler,
      tableName,
      busName,
      scheduleGroupName: required('SCHEDULE_GROUP_NAME'),
    }),
    now: () => Date.now(),
    newRequestId: () => ulid(),
    settings: dynamoSettingsReader(dynamoDb, tableName),
    lifecycle,
    events: dynamoEventStore(dynamoDb, tableName),
    reminders: dynamoReminderStore(dynamoDb, tableName),
    admin: dynamoAdminStore(dynamoDb, tableName),
    eventReminders: eventReminderRequests(lifecycle),
  };
}
