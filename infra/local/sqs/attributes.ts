/** Queue attributes as SQS validates and reports them, and the attributes a received message carries. */
import { invalidAttributeName, invalidAttributeValue } from './errors';
import type { Queue, StoredMessage } from './queue';

const NUMERIC_RANGES: Readonly<Record<string, readonly [number, number]>> = {
  DelaySeconds: [0, 900],
  MaximumMessageSize: [1024, 1_048_576],
  MessageRetentionPeriod: [60, 1_209_600],
  ReceiveMessageWaitTimeSeconds: [0, 20],
  VisibilityTimeout: [0, 43_200],
  KmsDataKeyReusePeriodSeconds: [60, 86_400],
};

const BOOLEAN_ATTRIBUTES = new Set(['FifoQueue', 'ContentBasedDeduplication', 'SqsManagedSseEnabled']);

/** Accepted and reported back, with no local effect. */
const PASSIVE_ATTRIBUTES = new Set([
  'Policy',
  'RedriveAllowPolicy',
  'KmsMasterKeyId',
  'DeduplicationScope',
  'FifoThroughputLimit',
]);

export const DEFAULT_ATTRIBUTES: Readonly<Record<string, string>> = {
  DelaySeconds: '0',
  MaximumMessageSize: '262144',
  MessageRetentionPeriod: '345600',
  ReceiveMessageWaitTimeSeconds: '0',
  VisibilityTimeout: '30',
  SqsManagedSseEnabled: 'true',
};

const COMPUTED_ATTRIBUTES = [
  'QueueArn',
  'ApproximateNumberOfMessages',
  'ApproximateNumberOfMessagesNotVisible',
  'ApproximateNumberOfMessagesDelayed',
  'CreatedTimestamp',
  'LastModifiedTimestamp',
] as const;

export interface RedrivePolicy {
  readonly deadLetterTargetArn: string;
  readonly maxReceiveCount: number;
}

/** Checks attributes a caller sets; `deadLetterQueueExists` resolves a RedrivePolicy's target. */
export function validateQueueAttributes(
  attributes: Readonly<Record<string, string>>,
  deadLetterQueueExists: (arn: string) => boolean,
): void {
  for (const [name, value] of Object.entries(attributes)) {
    if (!isValidAttribute(name, value, deadLetterQueueExists)) throw invalidAttributeValue(name, value);
  }
}

/** False for a value the attribute cannot take; throws for a name SQS does not know or a missing queue. */
function isValidAttribute(
  name: string,
  value: string,
  deadLetterQueueExists: (arn: string) => boolean,
): boolean {
  const range = NUMERIC_RANGES[name];
  if (range) return value !== '' && isIntegerBetween(Number(value), range);
  if (BOOLEAN_ATTRIBUTES.has(name)) return value === 'true' || value === 'false';
  if (name === 'RedrivePolicy') {
    const policy = parseRedrivePolicy(value);
    if (policy && !deadLetterQueueExists(policy.deadLetterTargetArn)) {
      throw invalidAttributeValue(name, `${value}. Reason: Dead letter target does not exist.`);
    }
    return policy !== undefined;
  }
  if (!PASSIVE_ATTRIBUTES.has(name)) throw invalidAttributeName(name);
  return true;
}

function isIntegerBetween(number: number, [minimum, maximum]: readonly [number, number]): boolean {
  return Number.isInteger(number) && number >= minimum && number <= maximum;
}

export function parseRedrivePolicy(text: string | undefined): RedrivePolicy | undefined {
  if (!text) return undefined;
  try {
    const parsed = JSON.parse(text) as { deadLetterTargetArn?: unknown; maxReceiveCount?: unknown };
    const maxReceiveCount = Number(parsed.maxReceiveCount);
    if (typeof parsed.deadLetterTargetArn !== 'string' || !Number.isInteger(maxReceiveCount))
      return undefined;
    if (maxReceiveCount < 1 || maxReceiveCount > 1000) return undefined;
    return { deadLetterTargetArn: parsed.deadLetterTargetArn, maxReceiveCount };
  } catch {
    return undefined;
  }
}

/** GetQueueAttributes: `All`, or the names asked for; an unknown name is an error. */
export function reportQueueAttributes(
  queue: Queue,
  requested: readonly string[],
  now: number,
): Record<string, string> {
  const { definition } = queue;
  const counts = queue.counts(now);
  const computed: Record<(typeof COMPUTED_ATTRIBUTES)[number], string> = {
    QueueArn: queue.arn,
    ApproximateNumberOfMessages: String(counts.visible),
    ApproximateNumberOfMessagesNotVisible: String(counts.inFlight),
    ApproximateNumberOfMessagesDelayed: String(counts.delayed),
    CreatedTimestamp: String(Math.floor(definition.createdAt / 1000)),
    LastModifiedTimestamp: String(Math.floor(definition.lastModifiedAt / 1000)),
  };
  const all: Record<string, string> = { ...definition.attributes, ...computed };
  if (requested.includes('All')) return all;
  const result: Record<string, string> = {};
  for (const name of requested) {
    const value = all[name];
    if (value !== undefined) result[name] = value;
    else if (!isKnownAttribute(name)) throw invalidAttributeName(name);
  }
  return result;
}

function isKnownAttribute(name: string): boolean {
  return (
    name in NUMERIC_RANGES ||
    BOOLEAN_ATTRIBUTES.has(name) ||
    PASSIVE_ATTRIBUTES.has(name) ||
    name === 'RedrivePolicy' ||
    (COMPUTED_ATTRIBUTES as readonly string[]).includes(name)
  );
}

const SYSTEM_ATTRIBUTE_NAMES = [
  'SenderId',
  'SentTimestamp',
  'ApproximateReceiveCount',
  'ApproximateFirstReceiveTimestamp',
  'SequenceNumber',
  'MessageDeduplicationId',
  'MessageGroupId',
  'AWSTraceHeader',
] as const;

/** The system attributes of a received message that the caller asked for (`All` or names). */
export function messageSystemAttributes(
  message: StoredMessage,
  requested: ReadonlySet<string>,
): Record<string, string> | undefined {
  if (requested.size === 0) return undefined;
  const values: Record<(typeof SYSTEM_ATTRIBUTE_NAMES)[number], string | undefined> = {
    SenderId: message.senderId,
    SentTimestamp: String(message.sentAt),
    ApproximateReceiveCount: String(message.receiveCount),
    ApproximateFirstReceiveTimestamp:
      message.firstReceivedAt === undefined ? undefined : String(message.firstReceivedAt),
    SequenceNumber: message.sequenceNumber,
    MessageDeduplicationId: message.deduplicationId,
    MessageGroupId: message.groupId,
    AWSTraceHeader: message.systemAttributes?.AWSTraceHeader?.StringValue,
  };
  const all = requested.has('All');
  const result: Record<string, string> = {};
  for (const name of SYSTEM_ATTRIBUTE_NAMES) {
    const value = values[name];
    if (value !== undefined && (all || requested.has(name))) result[name] = value;
  }
  return Object.keys(result).length > 0 ? result : undefined;
}

/** The message attributes matching `All`, `.*`, an exact name or a `prefix.*` pattern. */
export function selectMessageAttributes<T>(
  attributes: Readonly<Record<string, T>> | undefined,
  requested: readonly string[],
): Record<string, T> | undefined {
  if (!attributes || requested.length === 0) return undefined;
  const all = requested.includes('All') || requested.includes('.*');
  const result: Record<string, T> = {};
  for (const [name, value] of Object.entries(attributes)) {
    const wanted =
      all ||
      requested.some((pattern) =>
        pattern.endsWith('.*') ? name.startsWith(pattern.slice(0, -1)) : pattern === name,
      );
    if (wanted) result[name] = value;
  }
  return Object.keys(result).length > 0 ? result : undefined;
}
