/**
 * Local Amazon SNS over the query protocol (what SDK v3's SNS client speaks): topics, subscriptions and
 * Publish, kept in `${stateDir}/sns/state.json`. Published messages reach email subscriptions as mail in the
 * local SES inbox (from SNS's own sender), SQS subscriptions as the JSON notification (or the raw message),
 * Lambda subscriptions as an asynchronous invocation with the SNS event, each after Publish has answered.
 *
 * Local differences from AWS: email subscriptions are confirmed at once (no confirmation mail), filter
 * policies are stored but not evaluated, and only the email, email-json, sqs and lambda protocols deliver.
 */
import { randomUUID } from 'node:crypto';
import { join } from 'node:path';
import type { ListSubscriptionsByTopicInput, PublishInput, SNS } from '@aws-sdk/client-sns';
import type { Clock } from '../clock';
import {
  AwsServiceError,
  type QueryProtocolService,
  type WireInput,
  type WireOperationsOf,
} from '../edge/contracts';
import { FlattenedList } from '../edge/protocols';
import { decodedQueryOperations } from '../edge/query-input';
import { record, text, textMap } from '../edge/request-input';
import { codeUnitOrder, type ListPaging, paginate } from '../shared/pagination';
import { readJsonOr, writeJsonAtomic } from '../shared/persistence';
import type { LocalAccount } from '../shared/ports';
import type { MessageAttributeValue } from '../sqs/md5';
import {
  DEFAULT_EMAIL_SUBJECT,
  emailText,
  lambdaEvent,
  notificationJson,
  type PublishedMessage,
  SNS_EMAIL_SENDER,
} from './notification';

/** What Publish asks for, once its input is checked. */
export interface PublishRequest {
  readonly topicArn: string;
  readonly message: string;
  readonly subject?: string;
  readonly messageStructure?: string;
  readonly attributes?: Readonly<Record<string, MessageAttributeValue>>;
}

export interface SnsEmail {
  readonly from: string;
  readonly to: string;
  readonly subject: string;
  readonly text: string;
}

/** How SNS reaches its subscribers; the local cloud wires in SES, SQS and Lambda. */
export interface SnsDeliveryPorts {
  sendEmail(mail: SnsEmail): Promise<void> | void;
  sendToQueue(queueArn: string, body: string): Promise<void>;
  invokeLambdaAsync(functionArn: string, payload: string): Promise<void>;
}

export interface SnsServiceOptions {
  readonly clock: Clock;
  readonly stateDir: string;
  readonly account: LocalAccount;
  /** The edge URL, for the UnsubscribeURL in notifications. */
  readonly endpoint: string;
  readonly deliveries: SnsDeliveryPorts;
  readonly log?: (line: string) => void;
}

export type SnsProtocol = 'email' | 'email-json' | 'sqs' | 'lambda';
const PROTOCOLS: ReadonlySet<string> = new Set<SnsProtocol>(['email', 'email-json', 'sqs', 'lambda']);

export interface TopicRecord {
  readonly topicArn: string;
  readonly name: string;
  readonly attributes: Record<string, string>;
}

export interface SubscriptionRecord {
  readonly subscriptionArn: string;
  readonly topicArn: string;
  readonly protocol: SnsProtocol;
  readonly endpoint: string;
  readonly attributes: Record<string, string>;
}

interface SnsState {
  topics: TopicRecord[];
  subscriptions: SubscriptionRecord[];
}

const TOPIC_NAME = /^[A-Za-z0-9_-]{1,256}(\.fifo)?$/;
const TOPIC_ATTRIBUTES = new Set([
  'DisplayName',
  'Policy',
  'DeliveryPolicy',
  'KmsMasterKeyId',
  'FifoTopic',
  'ContentBasedDeduplication',
  'TracingConfig',
  'SignatureVersion',
]);
const SUBSCRIPTION_ATTRIBUTES = new Set(['RawMessageDelivery', 'FilterPolicy', 'FilterPolicyScope']);
const MAX_MESSAGE_BYTES = 262_144;
const PAGE_SIZE = 100;

const invalidParameter = (message: string) =>
  new AwsServiceError('InvalidParameter', `Invalid parameter: ${message}`, 400);
const notFound = (message: string) => new AwsServiceError('NotFound', message, 404);

export class SnsService {
  readonly edgeService: QueryProtocolService;
  private readonly statePath: string;
  private readonly topics = new Map<string, TopicRecord>();
  private readonly subscriptions = new Map<string, SubscriptionRecord>();

  constructor(private readonly options: SnsServiceOptions) {
    this.statePath = join(options.stateDir, 'sns', 'state.json');
    const state = readJsonOr<SnsState>(this.statePath, { topics: [], subscriptions: [] });
    for (const topic of state.topics) this.topics.set(topic.topicArn, topic);
    for (const subscription of state.subscriptions)
      this.subscriptions.set(subscription.subscriptionArn, subscription);
    this.edgeService = {
      protocol: 'query',
      signingName: 'sns',
      xmlNamespace: 'http://sns.amazonaws.com/doc/2010-03-31/',
      operations: decodedQueryOperations(this.operations()),
    };
  }

  // ---- plain methods (the deployer, EventBridge targets, the API below) -----------------------------------

  /** Idempotent, as CreateTopic is: the same name answers the existing topic. */
  createTopic(name: string, attributes: Record<string, string> = {}): string {
    if (!TOPIC_NAME.test(name)) {
      throw invalidParameter(
        'Topic Name: must be 1-256 letters, numbers, hyphens or underscores (FIFO topics end in .fifo)',
      );
    }
    checkAttributes(attributes, TOPIC_ATTRIBUTES);
    const topicArn = this.arn(name);
    if (!this.topics.has(topicArn)) {
      this.topics.set(topicArn, { topicArn, name, attributes: { ...attributes } });
      this.save();
    }
    return topicArn;
  }

  /** Deletes the topic and its subscriptions; deleting a topic that does not exist succeeds, as in AWS. */
  deleteTopic(topicArn: string): void {
    if (!this.topics.delete(topicArn)) return;
    for (const subscription of this.subscriptionsOf(topicArn))
      this.subscriptions.delete(subscription.subscriptionArn);
    this.save();
  }

  listTopics(): TopicRecord[] {
    return [...this.topics.values()].sort((left, right) => left.topicArn.localeCompare(right.topicArn));
  }

  /** The same topic, protocol and endpoint answer the existing subscription, as in AWS. */
  subscribe(
    topicArn: string,
    protocol: string,
    endpoint: string,
    attributes: Record<string, string> = {},
  ): string {
    this.topic(topicArn);
    if (!PROTOCOLS.has(protocol)) {
      throw invalidParameter(
        `Protocol: ${protocol} is not emulated locally (email, email-json, sqs and lambda are)`,
      );
    }
    checkEndpoint(protocol as SnsProtocol, endpoint);
    checkAttributes(attributes, SUBSCRIPTION_ATTRIBUTES);
    const existing = this.subscriptionsOf(topicArn).find(
      (subscription) => subscription.protocol === protocol && subscription.endpoint === endpoint,
    );
    if (existing) return existing.subscriptionArn;
    const subscriptionArn = `${topicArn}:${randomUUID()}`;
    this.subscriptions.set(subscriptionArn, {
      subscriptionArn,
      topicArn,
      protocol: protocol as SnsProtocol,
      endpoint,
      attributes: { ...attributes },
    });
    this.save();
    return subscriptionArn;
  }

  unsubscribe(subscriptionArn: string): void {
    if (!this.subscriptions.delete(subscriptionArn)) throw notFound('Subscription does not exist');
    this.save();
  }

  subscriptionsOf(topicArn: string): SubscriptionRecord[] {
    return [...this.subscriptions.values()].filter((subscription) => subscription.topicArn === topicArn);
  }

  /**
   * Accepts the message and answers its id; each subscriber gets it after this returns. A delivery that
   * fails is logged (locally there is no delivery retry policy or subscription dead-letter queue).
   */
  publish(input: PublishRequest): string {
    this.topic(input.topicArn);
    checkMessage(input.message, input.subject);
    const perProtocol = input.messageStructure === 'json' ? protocolMessages(input.message) : undefined;
    const messageId = randomUUID();
    const base = {
      messageId,
      topicArn: input.topicArn,
      ...(input.subject !== undefined ? { subject: input.subject } : {}),
      timestamp: new Date(this.options.clock.now()).toISOString(),
      attributes: input.attributes ?? {},
    };
    for (const subscription of this.subscriptionsOf(input.topicArn)) {
      const message = perProtocol
        ? (perProtocol[subscription.protocol] ?? perProtocol.default ?? '')
        : input.message;
      void this.deliver(subscription, { ...base, message });
    }
    return messageId;
  }

  // ---- delivery -----------------------------------------------------------------------------------------

  private async deliver(subscription: SubscriptionRecord, message: PublishedMessage): Promise<void> {
    const { region } = this.options.account;
    const { deliveries } = this.options;
    const unsubscribeUrl = `${this.options.endpoint}/?Action=Unsubscribe&SubscriptionArn=${encodeURIComponent(subscription.subscriptionArn)}`;
    try {
      switch (subscription.protocol) {
        case 'email':
        case 'email-json':
          await deliveries.sendEmail({
            from: SNS_EMAIL_SENDER,
            to: subscription.endpoint,
            subject: message.subject ?? DEFAULT_EMAIL_SUBJECT,
            text:
              subscription.protocol === 'email'
                ? emailText(message, unsubscribeUrl)
                : notificationJson(message, region, unsubscribeUrl),
          });
          return;
        case 'sqs':
          await deliveries.sendToQueue(
            subscription.endpoint,
            subscription.attributes.RawMessageDelivery === 'true'
              ? message.message
              : notificationJson(message, region, unsubscribeUrl),
          );
          return;
        case 'lambda':
          await deliveries.invokeLambdaAsync(
            subscription.endpoint,
            lambdaEvent(message, region, subscription.subscriptionArn, unsubscribeUrl),
          );
          return;
      }
    } catch (error) {
      this.options.log?.(
        `sns: message ${message.messageId} to ${subscription.protocol} ${subscription.endpoint} failed: ${error instanceof Error ? error.message : String(error)}`,
      );
    }
  }

  // ---- the API ------------------------------------------------------------------------------------------

  private operations(): WireOperationsOf<SNS, 'query'> {
    return {
      CreateTopic: (input) => ({
        TopicArn: this.createTopic(required(input.Name, 'Name'), textMap(input.Attributes)),
      }),
      DeleteTopic: (input) => {
        this.deleteTopic(required(input.TopicArn, 'TopicArn'));
        return undefined;
      },
      ListTopics: (input) => {
        const { page, nextToken } = pageOf(this.listTopics(), text(input.NextToken), {
          list: 'sns:ListTopics',
          keyOf: (topic) => topic.topicArn,
          compare: (left, right) => left.localeCompare(right),
        });
        return { Topics: page.map(({ topicArn }) => ({ TopicArn: topicArn })), NextToken: nextToken };
      },
      GetTopicAttributes: (input) => ({
        Attributes: entryList(this.topicAttributes(this.topic(required(input.TopicArn, 'TopicArn')))),
      }),
      SetTopicAttributes: (input) => {
        const topic = this.topic(required(input.TopicArn, 'TopicArn'));
        const name = required(input.AttributeName, 'AttributeName');
        checkAttributes({ [name]: '' }, TOPIC_ATTRIBUTES);
        topic.attributes[name] = text(input.AttributeValue) ?? '';
        this.save();
        return undefined;
      },
      Subscribe: (input) => ({
        SubscriptionArn: this.subscribe(
          required(input.TopicArn, 'TopicArn'),
          required(input.Protocol, 'Protocol'),
          required(input.Endpoint, 'Endpoint'),
          textMap(input.Attributes),
        ),
      }),
      Unsubscribe: (input) => {
        this.unsubscribe(required(input.SubscriptionArn, 'SubscriptionArn'));
        return undefined;
      },
      ListSubscriptionsByTopic: (input) => this.listSubscriptionsByTopic(input),
      Publish: (input) => ({ MessageId: this.publish(publishInput(input)) }),
    };
  }

  private listSubscriptionsByTopic(input: WireInput<ListSubscriptionsByTopicInput, 'query'>) {
    const topicArn = required(input.TopicArn, 'TopicArn');
    this.topic(topicArn);
    const { page, nextToken } = pageOf(
      this.subscriptionsOf(topicArn).toSorted((left, right) =>
        codeUnitOrder(left.subscriptionArn, right.subscriptionArn),
      ),
      text(input.NextToken),
      {
        list: `sns:ListSubscriptionsByTopic:${topicArn}`,
        keyOf: (subscription) => subscription.subscriptionArn,
      },
    );
    return {
      Subscriptions: page.map((subscription) => ({
        SubscriptionArn: subscription.subscriptionArn,
        Owner: this.options.account.accountId,
        Protocol: subscription.protocol,
        Endpoint: subscription.endpoint,
        TopicArn: subscription.topicArn,
      })),
      NextToken: nextToken,
    };
  }

  private topicAttributes(topic: TopicRecord): Record<string, string> {
    const subscriptions = this.subscriptionsOf(topic.topicArn);
    return {
      TopicArn: topic.topicArn,
      Owner: this.options.account.accountId,
      DisplayName: '',
      Policy: JSON.stringify(defaultPolicy(topic.topicArn, this.options.account.accountId)),
      SubscriptionsConfirmed: String(subscriptions.length),
      SubscriptionsPending: '0',
      SubscriptionsDeleted: '0',
      ...topic.attributes,
    };
  }

  private topic(topicArn: string): TopicRecord {
    const topic = this.topics.get(topicArn);
    if (!topic) throw notFound('Topic does not exist');
    return topic;
  }

  private arn(name: string): string {
    const { region, accountId } = this.options.account;
    return `arn:aws:sns:${region}:${accountId}:${name}`;
  }

  private save(): void {
    writeJsonAtomic(this.statePath, {
      topics: [...this.topics.values()],
      subscriptions: [...this.subscriptions.values()],
    } satisfies SnsState);
  }
}

function required(value: unknown, name: string): string {
  const given = text(value);
  if (given === undefined || given === '') throw invalidParameter(`${name} Reason: cannot be empty`);
  return given;
}

function publishInput(input: WireInput<PublishInput, 'query'>): PublishRequest {
  if (input.PhoneNumber !== undefined) throw invalidParameter('PhoneNumber: SMS is not emulated locally');
  const topicArn = text(input.TopicArn) ?? text(input.TargetArn);
  if (!topicArn) throw invalidParameter('TopicArn or TargetArn Reason: no value for required parameter');
  const subject = text(input.Subject);
  const messageStructure = text(input.MessageStructure);
  return {
    topicArn,
    message: text(input.Message) ?? '',
    ...(subject !== undefined ? { subject } : {}),
    ...(messageStructure !== undefined ? { messageStructure } : {}),
    attributes: messageAttributesOf(input.MessageAttributes),
  };
}

/** Publish's `MessageAttributes.entry.N.Name` with its `Value.DataType` (String when absent) and value. */
function messageAttributesOf(value: unknown): Record<string, MessageAttributeValue> {
  const attributes: Record<string, MessageAttributeValue> = {};
  for (const [name, attribute] of Object.entries(record(value) ?? {})) {
    const stringValue = text(record(attribute)?.StringValue);
    const binaryValue = text(record(attribute)?.BinaryValue);
    attributes[name] = {
      DataType: text(record(attribute)?.DataType) ?? 'String',
      ...(stringValue !== undefined ? { StringValue: stringValue } : {}),
      ...(binaryValue !== undefined ? { BinaryValue: binaryValue } : {}),
    };
  }
  return attributes;
}

function checkAttributes(attributes: Record<string, string>, allowed: ReadonlySet<string>): void {
  for (const name of Object.keys(attributes)) {
    if (!allowed.has(name)) throw invalidParameter(`AttributeName: ${name} is not a valid attribute`);
  }
}

function checkEndpoint(protocol: SnsProtocol, endpoint: string): void {
  switch (protocol) {
    case 'email':
    case 'email-json':
      if (!/^[^@\s]+@[^@\s]+$/.test(endpoint)) throw invalidParameter('Email address');
      return;
    case 'sqs':
      if (!/^arn:aws[\w-]*:sqs:[^:]+:\d{12}:[^:]+$/.test(endpoint))
        throw invalidParameter('SQS endpoint ARN');
      return;
    case 'lambda':
      if (!/^arn:aws[\w-]*:lambda:[^:]+:\d{12}:function:[^:]+(:[^:]+)?$/.test(endpoint))
        throw invalidParameter('Lambda endpoint ARN');
      return;
  }
}

function checkMessage(message: string, subject: string | undefined): void {
  if (message === '') throw invalidParameter('Message Reason: Empty message');
  if (Buffer.byteLength(message, 'utf8') > MAX_MESSAGE_BYTES) throw invalidParameter('Message too long');
  if (subject !== undefined && (subject === '' || subject.length > 100 || /[\r\n]/.test(subject)))
    throw invalidParameter('Subject');
}

/** MessageStructure=json: a JSON object of messages by protocol, with a required `default`. */
function protocolMessages(message: string): Record<string, string> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(message);
  } catch {
    throw invalidParameter('Message Structure - JSON message body failed to parse');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !('default' in parsed))
    throw invalidParameter('Message Structure - No default entry in JSON message body');
  return Object.fromEntries(Object.entries(parsed).map(([protocol, text]) => [protocol, String(text)]));
}

/** SNS writes maps as `<entry><key>..</key><value>..</value></entry>` elements. */
function entryList(map: Record<string, string>): { entry: FlattenedList } {
  return { entry: new FlattenedList(Object.entries(map).map(([key, value]) => ({ key, value }))) };
}

/** ListTopics and ListSubscriptionsByTopic answer pages of 100. */
function pageOf<T>(
  items: readonly T[],
  token: string | undefined,
  paging: Omit<ListPaging<T>, 'invalidToken'>,
) {
  const page = paginate(
    items,
    { token, pageSize: PAGE_SIZE },
    { ...paging, invalidToken: () => invalidParameter('NextToken') },
  );
  return { page: page.items, nextToken: page.nextToken };
}

/** The policy a new topic has in AWS: the owning account may do everything with it. */
function defaultPolicy(topicArn: string, accountId: string) {
  return {
    Version: '2008-10-17',
    Id: '__default_policy_ID',
    Statement: [
      {
        Sid: '__default_statement_ID',
        Effect: 'Allow',
        Principal: { AWS: '*' },
        Action: [
          'SNS:GetTopicAttributes',
          'SNS:SetTopicAttributes',
          'SNS:AddPermission',
          'SNS:RemovePermission',
          'SNS:DeleteTopic',
          'SNS:Subscribe',
          'SNS:ListSubscriptionsByTopic',
          'SNS:Publish',
        ],
        Resource: topicArn,
        Condition: { StringEquals: { 'AWS:SourceOwner': accountId } },
      },
    ],
  };
}
