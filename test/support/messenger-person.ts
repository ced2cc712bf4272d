/**
 * One person's side of a Messenger chat with the app on a running local cloud: signed webhook deliveries in
 * (as Meta sends them; the Graph stand-in sees them and opens the 24-hour window), the Graph stand-in's
 * sends out, and the AWS APIs behind them (schedules, executions, items). `useChat` keeps one for a file's tests.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { GetScheduleCommand, ListSchedulesCommand, SchedulerClient } from '@aws-sdk/client-scheduler';
import { ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, expect } from 'vitest';
import { signDelivery } from '../../functions/shared/messenger/signature';
import { delivery, quickReply, textMessage } from '../fixtures/messenger/deliveries';
import type { EdgeClientConfig, TestCloud } from './local-cloud';
import { eventually } from './polling';

const APP_SECRET = 'aurora-dev-app-secret';
const TABLE = 'aurora-dev';
const GROUP = 'aurora-dev-reminders';

export interface Send {
  readonly recipient: string;
  readonly at: string;
  readonly message?: {
    readonly text?: string;
    readonly quick_replies?: ReadonlyArray<{ title: string; payload: string }>;
  };
}

export interface ScheduleView {
  readonly name: string;
  readonly expression: string;
  readonly timeZone: string;
  readonly input: string;
}

/**
 * One person's side of the chat against a running cloud (in this process or a child): signed deliveries in,
 * Graph sends out, and the AWS APIs behind it.
 */
export function chat(endpoints: { edgeUrl: string; apiUrl: string; clientConfig: EdgeClientConfig }) {
  const { edgeUrl, apiUrl, clientConfig } = endpoints;
  const scheduler = new SchedulerClient(clientConfig);
  const sfn = new SFNClient(clientConfig);
  const table = DynamoDBDocumentClient.from(new DynamoDBClient(clientConfig));
  const machineArn = (name: string) =>
    `arn:aws:states:${clientConfig.region}:000000000000:stateMachine:${name}`;
  /** Each message a little later than the last, and never before the cloud's clock, as a person types them. */
  let lastSentAt = 0;

  const now = async (): Promise<number> => {
    const response = await fetch(`${edgeUrl}/_aurora/clock`);
    return Date.parse(((await response.json()) as { now: string }).now);
  };

  const post = async (item: (sentAt: number) => ReturnType<typeof textMessage>) => {
    const sentAt = Math.max(lastSentAt + 1000, await now());
    lastSentAt = sentAt;
    const body = JSON.stringify(delivery([item(sentAt)]));
    const response = await fetch(`${apiUrl}/webhook`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-hub-signature-256': signDelivery(body, APP_SECRET) },
      body,
    });
    expect(response.status).toBe(200);
  };

  const sent = async (psid: string): Promise<Send[]> => {
    const response = await fetch(`${edgeUrl}/_aurora/messenger/sent?psid=${psid}`);
    return (await response.json()) as Send[];
  };

  const executions = async (machine: string) => {
    const { executions: found = [] } = await sfn.send(
      new ListExecutionsCommand({ stateMachineArn: machineArn(machine), maxResults: 1000 }),
    );
    return found;
  };

  return {
    now,
    async advance(duration: string): Promise<void> {
      const response = await fetch(`${edgeUrl}/_aurora/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advanceBy: duration }),
      });
      expect(response.status).toBe(200);
    },
    /** Types one message as `psid`, signed as Meta signs deliveries. */
    say: (psid: string, text: string) => post((at) => textMessage(psid, text, at)),
    /** Taps a quick reply: Meta sends its title as the text and its payload. */
    tap: (psid: string, title: string, payload: string) => post((at) => quickReply(psid, title, payload, at)),
    sent,
    /** The sends to `psid` whose text matches, once there are at least `count` of them. */
    async sendsMatching(psid: string, pattern: RegExp, count = 1): Promise<Send[]> {
      return eventually(
        async () => {
          const matching = (await sent(psid)).filter((send) => pattern.test(send.message?.text ?? ''));
          return matching.length >= count ? matching : undefined;
        },
        20_000,
        `${count} message(s) to ${psid} matching ${pattern}`,
      );
    },
    async countMatching(psid: string, pattern: RegExp): Promise<number> {
      return (await sent(psid)).filter((send) => pattern.test(send.message?.text ?? '')).length;
    },
    /** Every schedule in the reminders group, with what GetSchedule says about it. */
    async schedules(): Promise<ScheduleView[]> {
      const views: ScheduleView[] = [];
      let NextToken: string | undefined;
      do {
        const page = await scheduler.send(new ListSchedulesCommand({ GroupName: GROUP, NextToken }));
        for (const summary of page.Schedules ?? []) {
          const schedule = await scheduler.send(
            new GetScheduleCommand({ GroupName: GROUP, Name: summary.Name }),
          );
          views.push({
            name: schedule.Name ?? '',
            expression: schedule.ScheduleExpression ?? '',
            timeZone: schedule.ScheduleExpressionTimezone ?? '',
            input: schedule.Target?.Input ?? '',
          });
        }
        NextToken = page.NextToken;
      } while (NextToken);
      return views;
    },
    executions,
    /** Resolves once no execution of the machine is running (a firing's delivery has finished). */
    settled: (machine: string, timeoutMs = 20_000) =>
      eventually(
        async () => {
          const found = await executions(machine);
          return found.some((execution) => execution.status === 'RUNNING') ? undefined : found;
        },
        timeoutMs,
        `no running ${machine} execution`,
      ),
    item: async (key: { PK: string; SK: string }) =>
      (await table.send(new GetCommand({ TableName: TABLE, Key: key, ConsistentRead: true }))).Item,
    destroy(): void {
      scheduler.destroy();
      sfn.destroy();
      table.destroy();
    },
  };
}

export type Chat = ReturnType<typeof chat>;

/**
 * A person chatting on `test`'s cloud (a `useTestCloud` handle) for the enclosing file's tests: met once the
 * cloud has started, their clients destroyed before it stops. Call the answer to reach them.
 */
export function useChat(test: TestCloud): () => Chat {
  let person: Chat | undefined;
  beforeAll(() => {
    person = chat({
      edgeUrl: test.cloud.edgeUrl,
      apiUrl: test.cloud.apiUrl,
      clientConfig: test.clientConfig,
    });
  });
  afterAll(() => {
    person?.destroy();
  });
  return () => {
    if (!person) throw new Error('The chat is used before its beforeAll hook started it');
    return person;
  };
}
