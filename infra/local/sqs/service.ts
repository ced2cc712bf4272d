/**
 * Local SQS over awsJson1_0 (`AmazonSQS`, query-compatible errors), as SDK v3 speaks it. Queues and their
 * journals live under `${stateDir}/sqs/`; visibility timeouts, delays and retention follow the shared clock.
 */
import { join } from 'node:path';
import type { ReceiveMessageRequest, SendMessageRequest, SQS } from '@aws-sdk/client-sqs';
import type { Clock, TimerHandle } from '../clock';
import {
  AwsServiceError,
  type JsonProtocolService,
  type QueryProtocolService,
  type WireInput,
  type WireOperationsOf,
} from '../edge/contracts';
import { textMap } from '../edge/request-input';
import { paginate } from '../shared/pagination';
import { readJsonOr, writeJsonAtomic } from '../shared/persistence';
import type { LocalAccount } from '../shared/ports';
import {
  DEFAULT_ATTRIBUTES,
  messageSystemAttributes,
  parseRedrivePolicy,
  reportQueueAttributes,
  selectMessageAttributes,
  validateQueueAttributes,
} from './attributes';
import {
  invalidBodyCharacter,
  invalidMessageContents,
  invalidParameterValue,
  messageNotInflight,
  missingParameter,
  QUERY_ERROR_CODES,
  queueDoesNotExist,
  receiptHandleIsInvalid,
} from './errors';
import type { MessageAttributes } from './md5';
import { sqsQueryService } from './query-protocol';
import { contentDeduplicationId, Queue, type QueueDefinition, type StoredMessage } from './queue';

export interface SqsServiceOptions {
  readonly clock: Clock;
  /** Omit to keep queues in memory. */
  readonly stateDir?: string;
  readonly account: LocalAccount;
  /** The edge URL queue URLs start with; `setEndpoint` changes it once the edge has a port. */
  readonly endpoint?: string;
}

/** The AWS::SQS::Queue properties the local cloud honours (KMS and policies change nothing locally). */
export interface QueueProperties {
  readonly QueueName: string;
  readonly DelaySeconds?: number | string;
  readonly MaximumMessageSize?: number | string;
  readonly MessageRetentionPeriod?: number | string;
  readonly ReceiveMessageWaitTimeSeconds?: number | string;
  readonly VisibilityTimeout?: number | string;
  readonly RedrivePolicy?:
    | string
    | { readonly deadLetterTargetArn: string; readonly maxReceiveCount: number | string };
  readonly FifoQueue?: boolean | string;
  readonly ContentBasedDeduplication?: boolean | string;
  readonly Tags?: readonly { readonly Key: string; readonly Value: string }[];
  readonly [other: string]: unknown;
}

/** SendMessage's input, also a SendMessageBatch entry's and what EventBridge and Scheduler targets send. */
type SendInput = WireInput<Omit<SendMessageRequest, 'QueueUrl'>, 'json'>;
type ReceiveInput = WireInput<Omit<ReceiveMessageRequest, 'QueueUrl'>, 'json'>;
type WireMessageAttributes = SendInput['MessageAttributes'] | SendInput['MessageSystemAttributes'];

interface Waiter {
  readonly receive: () => StoredMessage[];
  readonly finish: (messages: StoredMessage[]) => void;
}

const MAX_BATCH_ENTRIES = 10;
const BATCH_ENTRY_ID = /^[A-Za-z0-9_-]{1,80}$/;
const QUEUE_NAME = /^[A-Za-z0-9_-]{1,80}$/;

export class SqsService {
  /** awsJson1_0, as SDK v3 speaks it. */
  readonly edgeService: JsonProtocolService;
  /** The same operations over the query protocol, for older clients; register both at the edge. */
  readonly queryEdgeService: QueryProtocolService;
  private readonly clock: Clock;
  private readonly account: LocalAccount;
  private readonly directory: string | undefined;
  private readonly queues = new Map<string, Queue>();
  private readonly waiters = new Map<Queue, Waiter[]>();
  private readonly wakeTimers = new Map<Queue, TimerHandle>();
  private endpoint: string;

  constructor({ clock, stateDir, account, endpoint }: SqsServiceOptions) {
    this.clock = clock;
    this.account = account;
    this.endpoint = endpoint ?? 'http://localhost:4566';
    this.directory = stateDir ? join(stateDir, 'sqs') : undefined;
    const definitions = this.directory
      ? readJsonOr<Record<string, QueueDefinition>>(this.registryPath(), {})
      : {};
    for (const definition of Object.values(definitions)) this.open(definition);
    this.edgeService = {
      protocol: 'awsJson1_0',
      signingName: 'sqs',
      targetPrefix: 'AmazonSQS',
      errorNamespace: 'com.amazonaws.sqs',
      awsQueryCompatible: { errorCodes: QUERY_ERROR_CODES },
      operations: this.operations(),
    };
    this.queryEdgeService = sqsQueryService(this.edgeService, QUERY_ERROR_CODES);
  }

  private operations(): WireOperationsOf<SQS, 'json'> {
    return {
      CreateQueue: (input) => ({
        QueueUrl: this.urlOf(
          this.create(required(input.QueueName, 'QueueName'), textMap(input.Attributes), textMap(input.tags)),
        ),
      }),
      GetQueueUrl: (input) => {
        const queue = this.queues.get(required(input.QueueName, 'QueueName'));
        const owner = input.QueueOwnerAWSAccountId ?? this.account.accountId;
        if (!queue || owner !== this.account.accountId) throw queueDoesNotExist();
        return { QueueUrl: this.urlOf(queue) };
      },
      GetQueueAttributes: (input) => {
        const attributes = reportQueueAttributes(
          this.byUrl(input.QueueUrl),
          input.AttributeNames ?? [],
          this.clock.now(),
        );
        return Object.keys(attributes).length > 0 ? { Attributes: attributes } : {};
      },
      SetQueueAttributes: (input) => {
        this.setAttributes(this.byUrl(input.QueueUrl), textMap(input.Attributes));
        return {};
      },
      ListQueues: (input) => this.list(input),
      DeleteQueue: (input) => {
        this.deleteQueue(this.byUrl(input.QueueUrl));
        return {};
      },
      PurgeQueue: (input) => {
        this.byUrl(input.QueueUrl).purge();
        return {};
      },
      SendMessage: (input) => this.sendMessage(this.byUrl(input.QueueUrl), input),
      SendMessageBatch: (input) => {
        const queue = this.byUrl(input.QueueUrl);
        return batch(input.Entries, (entry) => this.sendMessage(queue, entry));
      },
      ReceiveMessage: (input) => this.receiveMessage(this.byUrl(input.QueueUrl), input),
      DeleteMessage: (input) => {
        this.deleteMessage(this.byUrl(input.QueueUrl), input.ReceiptHandle);
        return {};
      },
      DeleteMessageBatch: (input) => {
        const queue = this.byUrl(input.QueueUrl);
        return batch(input.Entries, (entry) => this.deleteMessage(queue, entry.ReceiptHandle));
      },
      ChangeMessageVisibility: (input) => {
        this.changeVisibility(this.byUrl(input.QueueUrl), input.ReceiptHandle, input.VisibilityTimeout);
        return {};
      },
      ChangeMessageVisibilityBatch: (input) => {
        const queue = this.byUrl(input.QueueUrl);
        return batch(input.Entries, (entry) =>
          this.changeVisibility(queue, entry.ReceiptHandle, entry.VisibilityTimeout),
        );
      },
      ListQueueTags: (input) => {
        const { tags } = this.byUrl(input.QueueUrl).definition;
        return Object.keys(tags).length > 0 ? { Tags: tags } : {};
      },
      TagQueue: (input) => {
        const queue = this.byUrl(input.QueueUrl);
        Object.assign(queue.definition.tags, textMap(input.Tags));
        this.saveRegistry();
        return {};
      },
      UntagQueue: (input) => {
        const queue = this.byUrl(input.QueueUrl);
        for (const key of input.TagKeys ?? []) delete queue.definition.tags[key];
        this.saveRegistry();
        return {};
      },
    };
  }

  /** Queue URLs returned from now on start with this edge URL. */
  setEndpoint(url: string): void {
    this.endpoint = url.replace(/\/+$/, '');
  }

  /** Creates a queue from its CloudFormation properties, or updates the existing one and keeps its messages. */
  createQueue(properties: QueueProperties): { QueueUrl: string; QueueArn: string; QueueName: string } {
    const attributes: Record<string, string> = {};
    for (const name of [
      'DelaySeconds',
      'MaximumMessageSize',
      'MessageRetentionPeriod',
      'ReceiveMessageWaitTimeSeconds',
      'VisibilityTimeout',
      'FifoQueue',
      'ContentBasedDeduplication',
    ] as const) {
      const value = properties[name];
      if (value !== undefined) attributes[name] = String(value);
    }
    const { RedrivePolicy } = properties;
    if (RedrivePolicy !== undefined) {
      attributes.RedrivePolicy =
        typeof RedrivePolicy === 'string' ? RedrivePolicy : JSON.stringify(RedrivePolicy);
    }
    const tags = Object.fromEntries((properties.Tags ?? []).map((tag) => [tag.Key, tag.Value]));
    const existing = this.queues.get(properties.QueueName);
    if (existing) {
      // Creation-only attributes cannot change; everything else follows the template.
      const { FifoQueue: _fifo, ...changeable } = attributes;
      this.setAttributes(existing, changeable);
      Object.assign(existing.definition.tags, tags);
      this.saveRegistry();
    }
    const queue = existing ?? this.create(properties.QueueName, attributes, tags);
    return { QueueUrl: this.urlOf(queue), QueueArn: queue.arn, QueueName: queue.name };
  }

  /** SendMessage to the queue with this ARN, for EventBridge and Scheduler targets. */
  async sendByArn(
    queueArn: string,
    body: string,
    messageAttributes?: MessageAttributes,
    fifo?: { readonly groupId?: string; readonly deduplicationId?: string },
  ): Promise<{ MessageId: string }> {
    const queue = this.byArn(queueArn);
    if (!queue) throw queueDoesNotExist();
    const { MessageId } = this.sendMessage(queue, {
      MessageBody: body,
      MessageAttributes: messageAttributes,
      MessageGroupId: fifo?.groupId,
      MessageDeduplicationId: fifo?.deduplicationId,
    });
    return { MessageId };
  }

  /** How many ReceiveMessage calls are waiting for messages (long polls), for diagnostics and tests. */
  longPollsWaiting(): number {
    let count = 0;
    for (const waiting of this.waiters.values()) count += waiting.length;
    return count;
  }

  /** Ends pending long polls (they answer with no messages) and stops timers. */
  close(): void {
    for (const queue of [...this.waiters.keys()]) this.endWaits(queue);
  }

  private create(name: string, attributes: Record<string, string>, tags: Record<string, string> = {}): Queue {
    const isFifoName = name.endsWith('.fifo');
    const baseName = isFifoName ? name.slice(0, -'.fifo'.length) : name;
    if (!QUEUE_NAME.test(baseName) || name.length > 80) {
      throw invalidParameterValue(
        'Can only include alphanumeric characters, hyphens, or underscores. 1 to 80 in length',
      );
    }
    if (isFifoName !== (attributes.FifoQueue === 'true')) {
      throw invalidParameterValue(
        'The name of a FIFO queue can only include alphanumeric characters, hyphens, or underscores, must end with .fifo suffix and be 1 to 80 in length',
      );
    }
    validateQueueAttributes(attributes, (arn) => this.byArn(arn) !== undefined);
    const existing = this.queues.get(name);
    if (existing) {
      for (const [key, value] of Object.entries(attributes)) {
        if ((existing.definition.attributes[key] ?? DEFAULT_ATTRIBUTES[key]) !== value) {
          throw new AwsServiceError(
            'QueueNameExists',
            `A queue already exists with the same name and a different value for attribute ${key}`,
          );
        }
      }
      return existing;
    }
    const now = this.clock.now();
    const queue = this.open({
      name,
      attributes: { ...DEFAULT_ATTRIBUTES, ...attributes },
      createdAt: now,
      lastModifiedAt: now,
      tags: { ...tags },
    });
    this.saveRegistry();
    return queue;
  }

  private open(definition: QueueDefinition): Queue {
    const arn = `arn:aws:sqs:${this.account.region}:${this.account.accountId}:${definition.name}`;
    const journal = this.directory ? join(this.directory, 'messages', `${definition.name}.jsonl`) : undefined;
    const queue = new Queue(definition, arn, journal);
    this.queues.set(definition.name, queue);
    return queue;
  }

  private setAttributes(queue: Queue, attributes: Record<string, string>): void {
    if ('FifoQueue' in attributes) throw invalidParameterValue('FifoQueue cannot be changed after creation');
    validateQueueAttributes(attributes, (arn) => this.byArn(arn) !== undefined);
    Object.assign(queue.definition.attributes, attributes);
    queue.definition.lastModifiedAt = this.clock.now();
    this.saveRegistry();
  }

  private deleteQueue(queue: Queue): void {
    this.endWaits(queue);
    this.queues.delete(queue.name);
    queue.destroy();
    this.saveRegistry();
  }

  private list(input: { QueueNamePrefix?: string; MaxResults?: number; NextToken?: string }) {
    const prefix = input.QueueNamePrefix ?? '';
    const names = [...this.queues.keys()].filter((name) => name.startsWith(prefix)).sort();
    const page = paginate(
      names,
      { token: input.NextToken, pageSize: input.MaxResults ?? 1000 },
      {
        list: `sqs:ListQueues:${prefix}`,
        keyOf: (name) => name,
        invalidToken: () => invalidParameterValue('Invalid NextToken value.'),
      },
    );
    return {
      ...(page.items.length > 0
        ? { QueueUrls: page.items.map((name) => `${this.endpoint}/${this.account.accountId}/${name}`) }
        : {}),
      // AWS pages ListQueues only when the caller asks for MaxResults.
      ...(input.MaxResults !== undefined && page.nextToken ? { NextToken: page.nextToken } : {}),
    };
  }

  private sendMessage(queue: Queue, input: SendInput) {
    const body = checkedBody(input.MessageBody, input.MessageAttributes, queue.setting('MaximumMessageSize'));
    const { MessageAttributes: attributes, MessageSystemAttributes: systemAttributes } = input;
    validateMessageAttributes(attributes);
    validateSystemAttributes(systemAttributes);
    const deduplicationId = queue.fifo ? fifoDeduplicationId(queue, input, body) : undefined;
    if (!queue.fifo) validateDelay(input.DelaySeconds);
    const message = queue.send(
      {
        body,
        attributes,
        systemAttributes,
        delaySeconds: queue.fifo ? undefined : input.DelaySeconds,
        groupId: input.MessageGroupId,
        deduplicationId,
        senderId: this.account.accountId,
      },
      this.clock.now(),
    );
    this.wake(queue);
    return {
      MessageId: message.id,
      MD5OfMessageBody: message.md5OfBody,
      MD5OfMessageAttributes: message.md5OfAttributes,
      MD5OfMessageSystemAttributes: message.md5OfSystemAttributes,
      SequenceNumber: message.sequenceNumber,
    };
  }

  private async receiveMessage(queue: Queue, input: ReceiveInput) {
    const max = input.MaxNumberOfMessages ?? 1;
    if (!Number.isInteger(max) || max < 1 || max > 10) {
      throw invalidParameterValue(
        `Value ${max} for parameter MaxNumberOfMessages is invalid. Reason: Must be between 1 and 10, if provided.`,
      );
    }
    const waitSeconds =
      input.WaitTimeSeconds ?? Number(queue.definition.attributes.ReceiveMessageWaitTimeSeconds);
    if (waitSeconds < 0 || waitSeconds > 20) {
      throw invalidParameterValue(
        `Value ${waitSeconds} for parameter WaitTimeSeconds is invalid. Reason: Must be >= 0 and <= 20, if provided.`,
      );
    }
    const visibilityMs = (input.VisibilityTimeout ?? queue.setting('VisibilityTimeout')) * 1000;
    const receive = () =>
      queue.receive(max, visibilityMs, this.clock.now(), (message) => this.redrive(queue, message));
    let messages = receive();
    if (messages.length === 0 && waitSeconds > 0)
      messages = await this.waitForMessages(queue, receive, waitSeconds);
    const systemNames = new Set([
      ...(input.AttributeNames ?? []),
      ...(input.MessageSystemAttributeNames ?? []),
    ]);
    const attributeNames = input.MessageAttributeNames ?? [];
    // An empty receive leaves `Messages` out (it is not an empty list on the wire).
    if (messages.length === 0) return {};
    return {
      Messages: messages.map((message) => ({
        MessageId: message.id,
        ReceiptHandle: Buffer.from(`${message.id}:${message.receipt}`, 'utf8').toString('base64url'),
        MD5OfBody: message.md5OfBody,
        Body: message.body,
        Attributes: messageSystemAttributes(message, systemNames),
        MD5OfMessageAttributes: message.md5OfAttributes,
        MessageAttributes: selectMessageAttributes(message.attributes, attributeNames),
      })),
    };
  }

  /** Long polling: answers as soon as a message arrives or becomes visible, else after `waitSeconds`. */
  private waitForMessages(
    queue: Queue,
    receive: () => StoredMessage[],
    waitSeconds: number,
  ): Promise<StoredMessage[]> {
    return new Promise((resolve) => {
      const waiter: Waiter = {
        receive,
        finish: (messages) => {
          const waiting = this.waiters.get(queue) ?? [];
          const index = waiting.indexOf(waiter);
          if (index === -1) return;
          waiting.splice(index, 1);
          this.clock.cancel(clockTimer);
          clearTimeout(wallTimer);
          resolve(messages);
        },
      };
      // The wait ends on the shared clock (a jump ends it) or on the wall clock, whichever comes first, so a
      // manual clock that nobody moves cannot hold a connection open forever.
      const clockTimer = this.clock.after(waitSeconds * 1000, () => waiter.finish([]));
      const wallTimer = setTimeout(() => waiter.finish([]), waitSeconds * 1000);
      const waiting = this.waiters.get(queue) ?? [];
      waiting.push(waiter);
      this.waiters.set(queue, waiting);
      this.armWakeTimer(queue);
    });
  }

  /** Serves waiting long polls, in arrival order, after the queue gained visible messages. */
  private wake(queue: Queue): void {
    const waiting = this.waiters.get(queue);
    if (!waiting || waiting.length === 0) return;
    for (const waiter of [...waiting]) {
      const messages = waiter.receive();
      if (messages.length === 0) break;
      waiter.finish(messages);
    }
    this.armWakeTimer(queue);
  }

  /** While polls wait, wake them when the next hidden message becomes visible on the clock. */
  private armWakeTimer(queue: Queue): void {
    this.clock.cancel(this.wakeTimers.get(queue));
    this.wakeTimers.delete(queue);
    if (!this.waiters.get(queue)?.length) return;
    const next = queue.nextVisibleAt(this.clock.now());
    if (next !== undefined)
      this.wakeTimers.set(
        queue,
        this.clock.at(next, () => this.wake(queue)),
      );
  }

  private endWaits(queue: Queue): void {
    for (const waiter of [...(this.waiters.get(queue) ?? [])]) waiter.finish([]);
    this.waiters.delete(queue);
    this.clock.cancel(this.wakeTimers.get(queue));
    this.wakeTimers.delete(queue);
  }

  /** Moves a message received too often to the dead-letter queue; true when it moved. */
  private redrive(queue: Queue, message: StoredMessage): boolean {
    const policy = parseRedrivePolicy(queue.definition.attributes.RedrivePolicy);
    if (!policy || message.receiveCount < policy.maxReceiveCount) return false;
    const deadLetterQueue = this.byArn(policy.deadLetterTargetArn);
    if (!deadLetterQueue) return false;
    deadLetterQueue.adopt(message, this.clock.now());
    queueMicrotask(() => this.wake(deadLetterQueue));
    return true;
  }

  private deleteMessage(queue: Queue, receiptHandle: string | undefined): void {
    const { messageId, receipt } = parseReceiptHandle(receiptHandle);
    queue.delete(messageId, receipt);
  }

  private changeVisibility(
    queue: Queue,
    receiptHandle: string | undefined,
    timeout: number | undefined,
  ): void {
    const { messageId, receipt } = parseReceiptHandle(receiptHandle);
    if (timeout === undefined) throw missingParameter('VisibilityTimeout');
    if (!Number.isInteger(timeout) || timeout < 0 || timeout > 43_200) {
      throw invalidParameterValue(
        `Value ${timeout} for parameter VisibilityTimeout is invalid. Reason: Must be between 0 and 43200.`,
      );
    }
    const now = this.clock.now();
    const message = queue.inFlight(messageId, receipt, now);
    if (!message) throw messageNotInflight();
    queue.changeVisibility(message, now + timeout * 1000);
    if (timeout === 0) this.wake(queue);
    else this.armWakeTimer(queue);
  }

  private urlOf(queue: Queue): string {
    return `${this.endpoint}/${this.account.accountId}/${queue.name}`;
  }

  /** Any host is accepted: the account and queue name are the last two path segments. */
  private byUrl(queueUrl: string | undefined): Queue {
    const url = required(queueUrl, 'QueueUrl');
    const path = url.split('?')[0]?.split('/').filter(Boolean) ?? [];
    const name = path[path.length - 1];
    const owner = path[path.length - 2];
    const queue = name && owner === this.account.accountId ? this.queues.get(name) : undefined;
    if (!queue) throw queueDoesNotExist();
    return queue;
  }

  private byArn(arn: string): Queue | undefined {
    const [, , service, , accountId, name] = arn.split(':');
    if (service !== 'sqs' || accountId !== this.account.accountId || !name) return undefined;
    return this.queues.get(name);
  }

  private registryPath(): string {
    return join(this.directory ?? '', 'queues.json');
  }

  private saveRegistry(): void {
    if (!this.directory) return;
    const definitions = Object.fromEntries([...this.queues].map(([name, queue]) => [name, queue.definition]));
    writeJsonAtomic(this.registryPath(), definitions);
  }
}

function required(value: string | undefined, name: string): string {
  if (value === undefined || value === '') throw missingParameter(name);
  return value;
}

function parseReceiptHandle(handle: string | undefined): { messageId: string; receipt: string } {
  const text = Buffer.from(required(handle, 'ReceiptHandle'), 'base64url').toString('utf8');
  const separator = text.indexOf(':');
  if (separator <= 0 || separator === text.length - 1) throw receiptHandleIsInvalid(handle ?? '');
  return { messageId: text.slice(0, separator), receipt: text.slice(separator + 1) };
}

/** The body, once it is present, has only characters SQS allows and fits the queue with the attributes. */
function checkedBody(body: string | undefined, attributes: WireMessageAttributes, maximum: number): string {
  if (body === undefined || body === '') throw missingParameter('MessageBody');
  const invalid = invalidBodyCharacter(body);
  if (invalid !== undefined) throw invalidMessageContents(invalid);
  if (messageSize(body, attributes) > maximum) {
    throw invalidParameterValue(
      `One or more parameters are invalid. Reason: Message must be shorter than ${maximum} bytes.`,
    );
  }
  return body;
}

/** A FIFO send needs a group, no delay of its own, and a deduplication id given or derived from the body. */
function fifoDeduplicationId(queue: Queue, input: SendInput, body: string): string {
  if (!input.MessageGroupId) throw missingParameter('MessageGroupId');
  if (input.DelaySeconds !== undefined && input.DelaySeconds !== 0) {
    throw invalidParameterValue(
      `Value ${input.DelaySeconds} for parameter DelaySeconds is invalid. Reason: The request include parameter that is not valid for this queue type.`,
    );
  }
  if (input.MessageDeduplicationId) return input.MessageDeduplicationId;
  if (queue.definition.attributes.ContentBasedDeduplication !== 'true') {
    throw invalidParameterValue(
      'The queue should either have ContentBasedDeduplication enabled or MessageDeduplicationId provided explicitly',
    );
  }
  return contentDeduplicationId(body);
}

function validateDelay(delaySeconds: number | undefined): void {
  if (delaySeconds !== undefined && (delaySeconds < 0 || delaySeconds > 900)) {
    throw invalidParameterValue(
      `Value ${delaySeconds} for parameter DelaySeconds is invalid. Reason: must be between 0 and 900, if provided.`,
    );
  }
}

function messageSize(body: string, attributes: WireMessageAttributes): number {
  let size = Buffer.byteLength(body);
  for (const [name, value] of Object.entries(attributes ?? {})) {
    size += Buffer.byteLength(name) + Buffer.byteLength(value.DataType ?? '');
    size += value.BinaryValue
      ? Buffer.from(value.BinaryValue, 'base64').length
      : Buffer.byteLength(value.StringValue ?? '');
  }
  return size;
}

function validateMessageAttributes(
  attributes: WireMessageAttributes,
): asserts attributes is MessageAttributes | undefined {
  const entries = Object.entries(attributes ?? {});
  if (entries.length > 10) {
    throw invalidParameterValue(
      `Number of message attributes [${entries.length}] exceeds the allowed maximum [10].`,
    );
  }
  for (const [name, value] of entries) {
    const type = value.DataType ?? '';
    const base = type.split('.')[0];
    if (base !== 'String' && base !== 'Number' && base !== 'Binary') {
      throw invalidParameterValue(
        `The type of message (user) attribute '${name}' is invalid. You must use only the following supported type prefixes: Binary, Number, String.`,
      );
    }
    const hasValue = base === 'Binary' ? value.BinaryValue !== undefined : value.StringValue !== undefined;
    if (!hasValue) {
      throw invalidParameterValue(
        `The message attribute '${name}' must contain non-empty message attribute value for message attribute type '${type}'.`,
      );
    }
  }
}

/** Only AWSTraceHeader can be set, and like any attribute it declares its type. */
function validateSystemAttributes(
  attributes: WireMessageAttributes,
): asserts attributes is MessageAttributes | undefined {
  for (const [name, value] of Object.entries(attributes ?? {})) {
    if (name !== 'AWSTraceHeader') {
      throw invalidParameterValue('Only the AWSTraceHeader message system attribute can be set');
    }
    if (value.DataType === undefined) {
      throw invalidParameterValue(`The message system attribute '${name}' must declare its DataType.`);
    }
  }
}

/** The batch form of an operation: checks the entries as SQS does, then runs each, collecting failures. */
async function batch<Entry extends { Id?: string }>(
  entries: readonly Entry[] | undefined,
  run: (entry: Entry) => unknown,
): Promise<{ Successful: Record<string, unknown>[]; Failed: Record<string, unknown>[] }> {
  if (!entries || entries.length === 0) {
    throw new AwsServiceError(
      'EmptyBatchRequest',
      'There should be at least one SendMessageBatchRequestEntry in the request.',
    );
  }
  if (entries.length > MAX_BATCH_ENTRIES) {
    throw new AwsServiceError(
      'TooManyEntriesInBatchRequest',
      `Maximum number of entries per request are ${MAX_BATCH_ENTRIES}. You have sent ${entries.length}.`,
    );
  }
  const ids = new Set<string>();
  for (const entry of entries) {
    const id = entry.Id ?? '';
    if (!BATCH_ENTRY_ID.test(id)) {
      throw new AwsServiceError(
        'InvalidBatchEntryId',
        'A batch entry id can only contain alphanumeric characters, hyphens and underscores. It can be at most 80 letters long.',
      );
    }
    if (ids.has(id)) throw new AwsServiceError('BatchEntryIdsNotDistinct', `Id ${id} repeated.`);
    ids.add(id);
  }
  const Successful: Record<string, unknown>[] = [];
  const Failed: Record<string, unknown>[] = [];
  for (const entry of entries) {
    try {
      const result = await run(entry);
      Successful.push({ Id: entry.Id, ...(typeof result === 'object' && result !== null ? result : {}) });
    } catch (error) {
      if (!(error instanceof AwsServiceError)) throw error;
      Failed.push({
        Id: entry.Id,
        SenderFault: error.statusCode < 500,
        Code: error.code,
        Message: error.message,
      });
    }
  }
  return { Successful, Failed };
}
