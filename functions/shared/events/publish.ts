/**
 * The one way functions put Aurora events on the bus: validate every event first (an invalid one stops the
 * whole call before anything is sent), then PutEvents in batches of at most 10 entries and 256 KB, retrying
 * only the entries PutEvents reports as failed, with exponential backoff and full jitter.
 */
import {
  type EventBridgeClient,
  PutEventsCommand,
  type PutEventsRequestEntry,
} from '@aws-sdk/client-eventbridge';
import { backoffDelayMs, type RetryTiming, realSleep } from '../backoff';
import { type DetailOf, type DetailType, SOURCE_OF, validateDetail } from './contracts';

export type PublishableEvent = {
  [T in DetailType]: { detailType: T; detail: DetailOf<T>; resources?: string[] };
}[DetailType];

/** Attempts are per entry. */
export type PublishOptions = RetryTiming;

export class PublishError extends Error {
  constructor(
    readonly failures: ReadonlyArray<{ detailType: string; errorCode: string; errorMessage: string }>,
  ) {
    super(
      `PutEvents failed for ${failures.length} event(s): ${failures
        .map((failure) => `${failure.detailType} (${failure.errorCode}: ${failure.errorMessage})`)
        .join('; ')}`,
    );
    this.name = 'PublishError';
  }
}

const MAX_ENTRIES_PER_CALL = 10;
const MAX_BYTES_PER_CALL = 256 * 1024;

/** PutEvents' size rule: UTF-8 bytes of Source, DetailType, Detail and Resources, plus 14 for Time. */
const entrySize = (entry: PutEventsRequestEntry): number =>
  14 +
  Buffer.byteLength(entry.Source ?? '') +
  Buffer.byteLength(entry.DetailType ?? '') +
  Buffer.byteLength(entry.Detail ?? '') +
  (entry.Resources ?? []).reduce((sum, resource) => sum + Buffer.byteLength(resource), 0);

export function toEntries(busName: string, events: readonly PublishableEvent[]): PutEventsRequestEntry[] {
  return events.map((event) => {
    validateDetail(event.detailType, event.detail);
    const entry: PutEventsRequestEntry = {
      EventBusName: busName,
      Source: SOURCE_OF[event.detailType],
      DetailType: event.detailType,
      Detail: JSON.stringify(event.detail),
      ...(event.resources ? { Resources: event.resources } : {}),
    };
    if (entrySize(entry) > MAX_BYTES_PER_CALL) {
      throw new PublishError([
        { detailType: event.detailType, errorCode: 'TooLarge', errorMessage: 'over 256 KB' },
      ]);
    }
    return entry;
  });
}

export function batches(entries: readonly PutEventsRequestEntry[]): PutEventsRequestEntry[][] {
  const result: PutEventsRequestEntry[][] = [];
  let current: PutEventsRequestEntry[] = [];
  let currentBytes = 0;
  for (const entry of entries) {
    const size = entrySize(entry);
    if (current.length === MAX_ENTRIES_PER_CALL || currentBytes + size > MAX_BYTES_PER_CALL) {
      result.push(current);
      current = [];
      currentBytes = 0;
    }
    current.push(entry);
    currentBytes += size;
  }
  if (current.length > 0) result.push(current);
  return result;
}

export async function publishEvents(
  client: EventBridgeClient,
  busName: string,
  events: readonly PublishableEvent[],
  { maxAttempts = 4, baseDelayMs = 100, sleep = realSleep, random = Math.random }: PublishOptions = {},
): Promise<void> {
  const entries = toEntries(busName, events);
  for (const batch of batches(entries)) {
    let pending = batch;
    let lastFailures: PublishError['failures'] = [];
    for (let attempt = 1; pending.length > 0; attempt++) {
      if (attempt > maxAttempts) throw new PublishError(lastFailures);
      if (attempt > 1) await sleep(backoffDelayMs(attempt, baseDelayMs, random));
      const { Entries: results = [] } = await client.send(new PutEventsCommand({ Entries: pending }));
      const failed = pending.filter((_, index) => results[index]?.ErrorCode !== undefined);
      lastFailures = pending.flatMap((entry, index) => {
        const result = results[index];
        return result?.ErrorCode === undefined
          ? []
          : [
              {
                detailType: entry.DetailType ?? '',
                errorCode: result.ErrorCode,
                errorMessage: result.ErrorMessage ?? '',
              },
            ];
      });
      pending = failed;
    }
  }
}
