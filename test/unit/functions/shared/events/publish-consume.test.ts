import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsCommandOutput,
} from '@aws-sdk/client-eventbridge';
import type { EventBridgeEvent } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { parseEvent } from '../../../../../functions/shared/events/consume';
import { EventValidationError } from '../../../../../functions/shared/events/contracts';
import {
  type PublishableEvent,
  PublishError,
  publishEvents,
} from '../../../../../functions/shared/events/publish';

const read = (index: number): PublishableEvent => ({
  detailType: 'MessageRead',
  detail: {
    schemaVersion: 1,
    psid: String(1000 + index),
    pageId: '106793054321234',
    watermark: '2026-11-22T09:00:00.000Z',
  },
});

/** A unit-test double of the EventBridge client that fails chosen entries on chosen calls. */
function fakeEventBridge(failEntry: (call: number, detail: string) => boolean) {
  const calls: string[][] = [];
  const client = {
    send: async (command: PutEventsCommand): Promise<Partial<PutEventsCommandOutput>> => {
      expect(command).toBeInstanceOf(PutEventsCommand);
      const entries = command.input.Entries ?? [];
      calls.push(entries.map((entry) => entry.Detail ?? ''));
      const results = entries.map((entry) =>
        failEntry(calls.length, entry.Detail ?? '')
          ? { ErrorCode: 'InternalFailure', ErrorMessage: 'try again' }
          : { EventId: `id-${calls.length}` },
      );
      return { Entries: results, FailedEntryCount: results.filter((result) => 'ErrorCode' in result).length };
    },
  };
  return { client: client as unknown as EventBridgeClient, calls };
}

const noWait = { sleep: async () => {} };

describe('publishEvents', () => {
  it('sends batches of at most 10 entries with the source of each detail-type', async () => {
    const { client, calls } = fakeEventBridge(() => false);
    await publishEvents(
      client,
      'aurora-bus',
      Array.from({ length: 23 }, (_, index) => read(index)),
      noWait,
    );
    expect(calls.map((call) => call.length)).toEqual([10, 10, 3]);
  });

  it('retries only the entries PutEvents reported as failed', async () => {
    const { client, calls } = fakeEventBridge((call, detail) => call === 1 && detail.includes('"1002"'));
    await publishEvents(client, 'aurora-bus', [read(1), read(2), read(3)], noWait);
    expect(calls).toHaveLength(2);
    expect(calls[1]).toHaveLength(1);
    expect(calls[1]?.[0]).toContain('"1002"');
  });

  it('gives up after the last attempt and says which events failed', async () => {
    const { client, calls } = fakeEventBridge((_, detail) => detail.includes('"1002"'));
    await expect(
      publishEvents(client, 'aurora-bus', [read(2)], { ...noWait, maxAttempts: 3 }),
    ).rejects.toThrow(PublishError);
    expect(calls).toHaveLength(3);
  });

  it('sends nothing when any event is invalid', async () => {
    const { client, calls } = fakeEventBridge(() => false);
    const invalid = {
      detailType: 'MessageRead',
      detail: { schemaVersion: 1 },
    } as unknown as PublishableEvent;
    await expect(publishEvents(client, 'aurora-bus', [read(1), invalid], noWait)).rejects.toThrow(
      /Invalid MessageRead event: detail must have required property 'psid'/,
    );
    expect(calls).toHaveLength(0);
  });
});

describe('parseEvent', () => {
  const event = (
    overrides: Partial<EventBridgeEvent<string, unknown>>,
  ): EventBridgeEvent<string, unknown> => ({
    version: '0',
    id: 'e-1',
    account: '000000000000',
    region: 'us-east-1',
    time: '2026-11-22T09:00:00Z',
    resources: [],
    source: 'aurora.messenger',
    'detail-type': 'MessageRead',
    detail: read(1).detail,
    ...overrides,
  });

  it('returns the typed detail of an accepted event', () => {
    const parsed = parseEvent(event({}), ['MessageRead']);
    expect(parsed.detail.psid).toBe('1001');
  });

  it('refuses a detail-type the consumer does not accept, a wrong source, and an invalid detail', () => {
    expect(() => parseEvent(event({}), ['MessageReceived'])).toThrow(/not one this consumer accepts/);
    expect(() => parseEvent(event({ source: 'aurora.auth' }), ['MessageRead'])).toThrow(
      /source must be aurora.messenger/,
    );
    expect(() => parseEvent(event({ detail: { schemaVersion: 1, psid: 'x' } }), ['MessageRead'])).toThrow(
      EventValidationError,
    );
  });
});
