/**
 * Driving and observing reminders on a started local cloud running the real app: requests and changes in on
 * the bus, the person's Messenger window and profile in the table, the shared clock moved over the edge;
 * schedules, executions (status and the states they went through), Messenger sends, mail, the reminder item,
 * the bus's reminder events and the schedules' dead-letter queue out.
 */
import { randomInt, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import {
  DescribeExecutionCommand,
  GetExecutionHistoryCommand,
  type HistoryEvent,
  ListExecutionsCommand,
  ListStateMachinesCommand,
  SFNClient,
  StartExecutionCommand,
} from '@aws-sdk/client-sfn';
import {
  DeleteMessageCommand,
  GetQueueUrlCommand,
  ReceiveMessageCommand,
  SQSClient,
} from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import { ulid } from '../../functions/shared/ulid';
import { type BusEvent, tapBus } from '../support/bus-tap';
import type { TestCloud } from '../support/local-cloud';
import { eventually } from '../support/polling';

export const BUS = 'aurora-dev';
export const TABLE = 'aurora-dev';
export const SOURCE = 'aurora.reminders';
export const LIFECYCLE = 'aurora-dev-reminder-lifecycle';
export const DELIVERY = 'aurora-dev-reminder-delivery';
export const SCHEDULE_GROUP = 'aurora-dev-reminders';
export const SCHEDULES_DLQ = 'aurora-dev-schedules-dlq';

export type Machine = typeof LIFECYCLE | typeof DELIVERY;

/** Someone who talks to the Page: their Aurora user id and page-scoped id. */
export interface Person {
  readonly userId: string;
  readonly psid: string;
}

/** What a schedule fires: the delivery workflow's input. */
export interface Firing {
  readonly reminderId: string;
  readonly version: number;
  readonly occurrence: string;
}

export interface ReminderRequest {
  readonly title: string;
  /** Wall time in `timeZone`, `YYYY-MM-DDTHH:mm[:ss]`. */
  readonly dueLocal: string;
  readonly timeZone: string;
  readonly anchor?: 'wall' | 'instant';
  readonly rrule?: string;
  readonly deliverBy?: readonly ('messenger' | 'email')[];
  /** A calendar event's reminder: fires this long (ISO-8601) before each occurrence of `dueLocal`. */
  readonly leadTime?: string;
  readonly eventId?: string;
  /** Reuse one to publish the same request again, as a redelivery would. */
  readonly requestId?: string;
}

export type ChangeKind = 'cancel' | 'snooze' | 'reschedule' | 'edit' | 'timezone';

export interface ChangeExtras {
  readonly snoozeMinutes?: number;
  readonly dueLocal?: string;
  readonly timeZone?: string;
  readonly occurrence?: string;
  readonly title?: string;
}

export interface ReminderEvent extends BusEvent {
  readonly time: string;
}

export interface ScheduleView {
  readonly Name: string;
  readonly ScheduleExpression?: string;
  readonly ScheduleExpressionTimezone?: string;
  readonly ActionAfterCompletion?: string;
  readonly State?: string;
  readonly Target?: { readonly Arn?: string; readonly Input?: string };
  readonly firing: Firing;
}

export interface ExecutionView {
  readonly executionArn: string;
  readonly name: string;
  readonly status: string;
  readonly input: Record<string, unknown>;
  readonly output?: Record<string, unknown>;
  readonly error?: string;
  readonly cause?: string;
  /** State names entered, in order. */
  readonly states: string[];
  readonly history: HistoryEvent[];
}

export interface MessengerSend {
  readonly recipient: string;
  readonly messaging_type: string;
  readonly message?: { readonly text?: string; readonly quick_replies?: { payload?: string }[] };
  readonly at: string;
}

export interface Mail {
  readonly to: readonly string[];
  readonly subject: string;
  readonly text?: string;
  readonly html?: string;
}

const TERMINAL = new Set(['SUCCEEDED', 'FAILED', 'TIMED_OUT', 'ABORTED']);

export function reminderDriver(test: TestCloud) {
  const config = test.clientConfig;
  const edge = test.cloud.edgeUrl;
  const events = new EventBridgeClient(config);
  const table = DynamoDBDocumentClient.from(new DynamoDBClient(config));
  const scheduler = new SchedulerClient(config);
  const sfn = new SFNClient(config);
  const sqs = new SQSClient(config);
  const machineArns = new Map<string, string>();
  /** Execution views that can no longer change, by ARN. */
  const finished = new Map<string, ExecutionView>();

  const now = () => test.cloud.clock.now();
  const iso = (ms: number) => new Date(ms).toISOString();

  const postJson = async (path: string, body: unknown): Promise<Response> => {
    const response = await fetch(`${edge}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    if (!response.ok) throw new Error(`POST ${path}: ${response.status} ${await response.text()}`);
    return response;
  };

  const put = async (detailType: string, detail: Record<string, unknown>, time?: Date) => {
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: BUS,
            Source: SOURCE,
            DetailType: detailType,
            Detail: JSON.stringify(detail),
            ...(time ? { Time: time } : {}),
          },
        ],
      }),
    );
    if (result.FailedEntryCount) throw new Error(`PutEvents failed: ${JSON.stringify(result.Entries)}`);
  };

  const machineArn = async (name: Machine): Promise<string> => {
    const known = machineArns.get(name);
    if (known) return known;
    const { stateMachines = [] } = await sfn.send(new ListStateMachinesCommand({ maxResults: 1000 }));
    for (const machine of stateMachines) {
      if (machine.name && machine.stateMachineArn) machineArns.set(machine.name, machine.stateMachineArn);
    }
    const arn = machineArns.get(name);
    if (!arn) throw new Error(`no state machine ${name}`);
    return arn;
  };

  const view = async (executionArn: string): Promise<ExecutionView> => {
    const done = finished.get(executionArn);
    if (done) return done;
    const described = await sfn.send(new DescribeExecutionCommand({ executionArn }));
    const history: HistoryEvent[] = [];
    let nextToken: string | undefined;
    do {
      const page = await sfn.send(
        new GetExecutionHistoryCommand({ executionArn, maxResults: 1000, nextToken }),
      );
      history.push(...(page.events ?? []));
      nextToken = page.nextToken;
    } while (nextToken);
    const result: ExecutionView = {
      executionArn,
      name: described.name ?? '',
      status: described.status ?? '',
      input: JSON.parse(described.input ?? '{}') as Record<string, unknown>,
      ...(described.output ? { output: JSON.parse(described.output) as Record<string, unknown> } : {}),
      ...(described.error ? { error: described.error } : {}),
      ...(described.cause ? { cause: described.cause } : {}),
      states: history.flatMap((event) =>
        event.stateEnteredEventDetails?.name ? [event.stateEnteredEventDetails.name] : [],
      ),
      history,
    };
    if (TERMINAL.has(result.status)) finished.set(executionArn, result);
    return result;
  };

  /** Every execution of `machine` whose input mentions `text` (a reminder or request id), oldest first. */
  const executions = async (machine: Machine, text: string): Promise<ExecutionView[]> => {
    const { executions: listed = [] } = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: await machineArn(machine), maxResults: 1000 }),
    );
    const views = await Promise.all(
      listed
        .filter((execution) => execution.executionArn)
        .map((execution) => view(execution.executionArn as string)),
    );
    return views
      .filter((execution) => JSON.stringify(execution.input).includes(text))
      .sort((a, b) => (a.history[0]?.timestamp?.getTime() ?? 0) - (b.history[0]?.timestamp?.getTime() ?? 0));
  };

  /** Waits until `count` executions of `machine` for `text` exist and none of them is still running. */
  const settled = (machine: Machine, text: string, count: number, timeoutMs = 20_000) =>
    eventually(
      async () => {
        const found = await executions(machine, text);
        return found.length >= count && found.every((execution) => TERMINAL.has(execution.status))
          ? found
          : undefined;
      },
      timeoutMs,
      `${count} finished ${machine} execution(s) for ${text}`,
    );

  const reminder = async (reminderId: string) =>
    (
      await table.send(
        new GetCommand({
          TableName: TABLE,
          Key: { PK: `REMINDER#${reminderId}`, SK: 'REMINDER' },
          ConsistentRead: true,
        }),
      )
    ).Item;

  const schedules = async (reminderId?: string): Promise<ScheduleView[]> => {
    const names: string[] = [];
    let nextToken: string | undefined;
    do {
      const page = await scheduler.send(
        new ListSchedulesCommand({
          GroupName: SCHEDULE_GROUP,
          ...(reminderId ? { NamePrefix: `${reminderId}-v` } : {}),
          NextToken: nextToken,
        }),
      );
      names.push(...(page.Schedules ?? []).flatMap((schedule) => (schedule.Name ? [schedule.Name] : [])));
      nextToken = page.NextToken;
    } while (nextToken);
    return Promise.all(
      names.sort().map(async (Name) => {
        const schedule = await scheduler.send(new GetScheduleCommand({ Name, GroupName: SCHEDULE_GROUP }));
        return {
          Name,
          ScheduleExpression: schedule.ScheduleExpression,
          ScheduleExpressionTimezone: schedule.ScheduleExpressionTimezone,
          ActionAfterCompletion: schedule.ActionAfterCompletion,
          State: schedule.State,
          Target: { Arn: schedule.Target?.Arn, Input: schedule.Target?.Input },
          firing: JSON.parse(schedule.Target?.Input ?? '{}') as Firing,
        };
      }),
    );
  };

  const sent = async (psid: string): Promise<MessengerSend[]> => {
    const response = await fetch(`${edge}/_aurora/messenger/sent?psid=${encodeURIComponent(psid)}`);
    return (await response.json()) as MessengerSend[];
  };

  const texts = async (psid: string): Promise<string[]> =>
    (await sent(psid)).map((send) => send.message?.text ?? '');

  const mails = async (to: string): Promise<Mail[]> => {
    const response = await fetch(`${edge}/_aurora/ses/messages?to=${encodeURIComponent(to)}`);
    return (await response.json()) as Mail[];
  };

  /** Publishes ReminderRequested as the conversation does; returns its requestId. */
  const request = async (
    person: Person,
    detail: ReminderRequest,
    options: { time?: Date } = {},
  ): Promise<string> => {
    const requestId = detail.requestId ?? randomUUID();
    await put(
      'ReminderRequested',
      {
        schemaVersion: 1,
        requestId,
        userId: person.userId,
        channel: 'messenger',
        psid: person.psid,
        title: detail.title,
        dueLocal: detail.dueLocal,
        timeZone: detail.timeZone,
        anchor: detail.anchor ?? 'wall',
        ...(detail.rrule ? { rrule: detail.rrule } : {}),
        ...(detail.leadTime ? { leadTime: detail.leadTime } : {}),
        ...(detail.eventId ? { eventId: detail.eventId } : {}),
        deliverBy: detail.deliverBy ?? ['messenger'],
      },
      options.time,
    );
    return requestId;
  };

  /** Publishes ReminderChangeRequested; returns its requestId. */
  const change = async (
    person: Person,
    reminderId: string,
    kind: ChangeKind,
    extra: ChangeExtras = {},
  ): Promise<string> => {
    const requestId = randomUUID();
    await put('ReminderChangeRequested', {
      schemaVersion: 1,
      requestId,
      reminderId,
      userId: person.userId,
      channel: 'messenger',
      psid: person.psid,
      change: kind,
      requestedAt: iso(now()),
      ...extra,
    });
    return requestId;
  };

  /** Requests a reminder and waits for the lifecycle to schedule it; returns the reminder id. */
  const created = async (person: Person, detail: ReminderRequest): Promise<string> => {
    const requestId = await request(person, detail);
    const [execution] = await settled(LIFECYCLE, requestId, 1);
    const reminderId = execution?.output?.reminderId;
    if (execution?.status !== 'SUCCEEDED' || typeof reminderId !== 'string') {
      throw new Error(`request ${requestId} not scheduled: ${JSON.stringify(execution?.output)}`);
    }
    return reminderId;
  };

  /** Publishes a change and waits for the lifecycle to finish with it. */
  const changed = async (
    person: Person,
    reminderId: string,
    kind: ChangeKind,
    extra: ChangeExtras = {},
  ): Promise<ExecutionView> => {
    const requestId = await change(person, reminderId, kind, extra);
    const [execution] = await settled(LIFECYCLE, requestId, 1);
    if (!execution) throw new Error(`no lifecycle execution for ${requestId}`);
    return execution;
  };

  let dlqUrl: string | undefined;
  /** Dead-letter messages seen so far, by message id (a receive hides them, so they are kept here). */
  const deadLetters = new Map<string, Record<string, unknown>>();

  return {
    now,
    nowIso: () => iso(now()),
    /** Moves the shared clock forward to `instant` (ISO or epoch ms), as `POST /_aurora/clock {"set"}`. */
    async setClock(instant: string | number): Promise<void> {
      await postJson('/_aurora/clock', { set: typeof instant === 'number' ? iso(instant) : instant });
    },
    /** Moves the shared clock forward by an ISO-8601 duration (`PT15M`). */
    async advance(duration: string): Promise<void> {
      await postJson('/_aurora/clock', { advanceBy: duration });
    },

    newPerson(): Person {
      return { userId: ulid(now()), psid: String(randomInt(1e9, 1e10)) + String(randomInt(1e5, 1e6)) };
    },
    /**
     * The person writes to the Page at `at` (default now): the PSID link's `lastMessageAt`, which the send
     * function reads for the 24-hour window, and Meta's side of it, which the Graph stand-in enforces.
     */
    async personWrites(person: Person, at: number = now()): Promise<void> {
      await table.send(
        new PutCommand({
          TableName: TABLE,
          Item: {
            PK: `PSID#${person.psid}`,
            SK: 'PSID',
            type: 'PsidLink',
            userId: person.userId,
            firstSeenAt: iso(at),
            lastMessageAt: iso(at),
          },
        }),
      );
      await postJson('/_aurora/messenger/inbound', { psid: person.psid, at: iso(at) });
    },
    /** The person's profile, with the verified email address reminders are also mailed to. */
    async setUser(person: Person, profile: { email?: string; timeZone?: string } = {}): Promise<void> {
      await table.send(
        new PutCommand({
          TableName: TABLE,
          Item: {
            PK: `USER#${person.userId}`,
            SK: 'PROFILE',
            type: 'User',
            userId: person.userId,
            psid: person.psid,
            createdAt: iso(now()),
            locale: 'en_US',
            ...profile,
          },
        }),
      );
    },

    request,
    change,
    /** The lifecycle executions for a request, once finished (the output names the reminder). */
    handled: (requestId: string, count = 1) => settled(LIFECYCLE, requestId, count),
    created,
    changed,

    reminder,
    async deliveryRecord(reminderId: string, occurrence: string) {
      return (
        await table.send(
          new GetCommand({
            TableName: TABLE,
            Key: { PK: `REMINDER#${reminderId}`, SK: `DELIVERY#${occurrence}` },
            ConsistentRead: true,
          }),
        )
      ).Item;
    },
    schedules,
    executions,
    settled,
    view,
    /**
     * Lets everything the last clock move released start, then waits until no execution of `machine` for
     * `text` is still running: after this, what has not happened is not about to.
     */
    async quiet(machine: Machine, text: string): Promise<ExecutionView[]> {
      await test.cloud.services.scheduler.idle();
      return eventually(
        async () => {
          const found = await executions(machine, text);
          return found.every((execution) => TERMINAL.has(execution.status)) ? found : undefined;
        },
        20_000,
        `no running ${machine} execution for ${text}`,
      );
    },
    /**
     * Waits for a running execution to end, moving the shared clock past each Retry backoff as it comes
     * (the engine's retry waits follow the shared clock; `step` is at least the longest possible wait).
     */
    async finishThroughRetries(
      executionArn: string,
      step = 'PT2M',
      timeoutMs = 30_000,
    ): Promise<ExecutionView> {
      return eventually(
        async () => {
          const current = await view(executionArn);
          if (TERMINAL.has(current.status)) return current;
          if (current.history.at(-1)?.type === 'TaskFailed')
            await postJson('/_aurora/clock', { advanceBy: step });
          return undefined;
        },
        timeoutMs,
        `${executionArn} to finish`,
      );
    },
    /** Starts the delivery workflow directly with a firing, as Scheduler (or an operator) would. */
    async startDelivery(firing: Firing): Promise<string> {
      const { executionArn } = await sfn.send(
        new StartExecutionCommand({
          stateMachineArn: await machineArn(DELIVERY),
          input: JSON.stringify(firing),
        }),
      );
      if (!executionArn) throw new Error('StartExecution returned no executionArn');
      return executionArn;
    },

    sent,
    texts,
    mails,
    /** Texts sent to `psid` that start with "⏰ Reminder:" (deliveries, not replies to requests). */
    async deliveries(psid: string): Promise<MessengerSend[]> {
      return (await sent(psid)).filter((send) => send.message?.text?.startsWith('⏰ Reminder:'));
    },
    /** Waits for a Messenger text to `psid` matching `pattern`. */
    told(psid: string, pattern: RegExp, timeoutMs = 20_000): Promise<string> {
      return eventually(
        async () => (await texts(psid)).find((text) => pattern.test(text)),
        timeoutMs,
        `a message to ${psid} matching ${pattern}`,
      );
    },
    /** The next `count` Send API calls fail with this Graph error (the stand-in's fault injection). */
    async failNextSends(count: number, error: Record<string, unknown>, status = 400): Promise<void> {
      await postJson('/_aurora/messenger/faults', { next: count, error, status });
    },

    /** Messages in the schedules' dead-letter queue so far (bodies parsed), kept across calls. */
    async deadLettered(): Promise<Record<string, unknown>[]> {
      dlqUrl ??= (await sqs.send(new GetQueueUrlCommand({ QueueName: SCHEDULES_DLQ }))).QueueUrl;
      for (;;) {
        const { Messages = [] } = await sqs.send(
          new ReceiveMessageCommand({ QueueUrl: dlqUrl, MaxNumberOfMessages: 10, WaitTimeSeconds: 0 }),
        );
        if (Messages.length === 0) break;
        for (const message of Messages) {
          deadLetters.set(message.MessageId ?? randomUUID(), JSON.parse(message.Body ?? '{}'));
          await sqs.send(
            new DeleteMessageCommand({ QueueUrl: dlqUrl, ReceiptHandle: message.ReceiptHandle }),
          );
        }
      }
      return [...deadLetters.values()];
    },

    /** Collects every aurora.reminders event from now on, through a rule to an SQS queue. */
    watchEvents: (): Promise<() => Promise<ReminderEvent[]>> =>
      tapBus<ReminderEvent>({ events, sqs }, BUS, { source: [SOURCE] }),
  };
}

/** Events of one type about one reminder, from a `watchEvents` collector. */
export async function eventsOf(
  collected: () => Promise<ReminderEvent[]>,
  detailType: string,
  reminderId: string,
): Promise<ReminderEvent[]> {
  return (await collected()).filter(
    (event) => event['detail-type'] === detailType && event.detail.reminderId === reminderId,
  );
}

/** Waits for at least `count` events of a type about a reminder. */
export function awaitEvents(
  collected: () => Promise<ReminderEvent[]>,
  detailType: string,
  reminderId: string,
  count = 1,
  timeoutMs = 20_000,
): Promise<ReminderEvent[]> {
  return eventually(
    async () => {
      const found = await eventsOf(collected, detailType, reminderId);
      return found.length >= count ? found : undefined;
    },
    timeoutMs,
    `${count} ${detailType} for ${reminderId}`,
  );
}
