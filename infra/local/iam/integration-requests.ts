/**
 * What IAM authorizes when a Step Functions Task makes its call: not the integration ARN
 * (`arn:aws:states:::dynamodb:updateItem`), which names no resource, but the API action of the service
 * behind it (`dynamodb:UpdateItem`) on the resource the call's parameters name (the table). One Task call can
 * need several authorizations (PutEvents to two buses, a transaction across tables, CreateSchedule and the
 * iam:PassRole of its target role); each is a separate request and all of them must be allowed.
 */
import { parseResource } from '../stepfunctions/engine/tasks';

export interface IamRequest {
  /** `service:Action`, as policies name it. */
  readonly action: string;
  /** The ARN the action is on, or `*` for actions that take no resource (or whose resource is unknowable). */
  readonly resource: string;
}

/** Where the call is made from: unqualified names resolve to ARNs in this partition, region and account. */
export interface CallerContext {
  readonly partition: string;
  readonly region: string;
  readonly account: string;
}

/** The partition, region and account of any ARN (the execution's, in practice). */
export function callerContextOf(arn: string): CallerContext {
  const [, partition = 'aws', , region = '', account = ''] = arn.split(':');
  return { partition, region, account };
}

/** The IAM service prefix where it is not the integration's service name (aws-sdk names are SDK ids). */
const IAM_PREFIX: Record<string, string> = {
  sfn: 'states',
  eventbridge: 'events',
  sesv2: 'ses',
  cloudwatchlogs: 'logs',
  emr: 'elasticmapreduce',
  emrcontainers: 'emr-containers',
  emrserverless: 'emr-serverless',
};

/** API operations that IAM authorizes under another action name. */
const ACTION_RENAMES: Record<string, string> = {
  'lambda:Invoke': 'lambda:InvokeFunction',
  'lambda:InvokeAsync': 'lambda:InvokeFunction',
  'lambda:InvokeWithResponseStream': 'lambda:InvokeFunction',
  'sqs:SendMessageBatch': 'sqs:SendMessage',
  'sqs:DeleteMessageBatch': 'sqs:DeleteMessage',
  'sqs:ChangeMessageVisibilityBatch': 'sqs:ChangeMessageVisibility',
  'sns:PublishBatch': 'sns:Publish',
  's3:HeadObject': 's3:GetObject',
  's3:HeadBucket': 's3:ListBucket',
  's3:ListObjects': 's3:ListBucket',
  's3:ListObjectsV2': 's3:ListBucket',
  's3:ListObjectVersions': 's3:ListBucketVersions',
};

type Fields = Record<string, unknown>;

const isFields = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const text = (value: unknown): string | undefined =>
  typeof value === 'string' && value !== '' ? value : undefined;

/** The parameter under its SDK (PascalCase) name or the camelCase spelling some callers use. */
const field = (parameters: Fields, name: string): string | undefined =>
  text(parameters[name]) ?? text(parameters[name.charAt(0).toLowerCase() + name.slice(1)]);

/**
 * The authorizations a Task call needs. `integration` is the Task's Resource (an integration ARN or, for
 * the legacy form, a function ARN); `parameters` what the call sends (Parameters or Arguments, evaluated).
 */
export function integrationRequests(
  integration: string,
  parameters: unknown,
  context: CallerContext,
): IamRequest[] {
  const task = parseResource(integration);
  if (task.legacyLambda) return [{ action: 'lambda:InvokeFunction', resource: task.arn }];
  const service = task.service.toLowerCase();
  // Own keys only: a service named like an Object.prototype member must not find one.
  const prefix = Object.hasOwn(IAM_PREFIX, service) ? (IAM_PREFIX[service] as string) : service;
  const named = `${prefix}:${task.action}`;
  const action = Object.hasOwn(ACTION_RENAMES, named) ? (ACTION_RENAMES[named] as string) : named;
  const fields = isFields(parameters) ? parameters : {};
  const rule = Object.hasOwn(RESOURCES, prefix) ? RESOURCES[prefix] : undefined;
  const requests = rule
    ? rule(task.action, action, fields, new Arns(context))
    : [{ action, resource: genericResource(fields) }];
  return unique(requests);
}

/** Services without a rule below: a parameter that is already an ARN is the best guess, else `*`. */
function genericResource(fields: Fields): string {
  for (const name of ['ResourceArn', 'Arn']) {
    const value = field(fields, name);
    if (value?.startsWith('arn:')) return value;
  }
  return '*';
}

function unique(requests: IamRequest[]): IamRequest[] {
  const seen = new Set<string>();
  return requests.filter((request) => {
    const key = `${request.action} ${request.resource}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

/** ARN builders for names given without their partition, region or account. */
class Arns {
  constructor(private readonly context: CallerContext) {}

  arn(service: string, resource: string, options: { region?: string; account?: string } = {}): string {
    const { partition, region, account } = this.context;
    return `arn:${partition}:${service}:${options.region ?? region}:${options.account ?? account}:${resource}`;
  }

  table(nameOrArn: string): string {
    return nameOrArn.startsWith('arn:') ? nameOrArn : this.arn('dynamodb', `table/${nameOrArn}`);
  }

  /**
   * Lambda accepts a name (`my-fn`, `my-fn:live`), a partial ARN (`123456789012:function:my-fn`) or a full
   * ARN, each optionally qualified; IAM checks the qualified ARN when there is a qualifier.
   */
  lambdaFunction(functionName: string, qualifier: string | undefined): string {
    let arn: string;
    if (functionName.startsWith('arn:')) arn = functionName;
    else {
      const parts = functionName.split(':');
      if (parts[1] === 'function' && parts[0] !== undefined) {
        arn = this.arn('lambda', `function:${parts.slice(2).join(':')}`, { account: parts[0] });
      } else arn = this.arn('lambda', `function:${functionName}`);
    }
    // `arn:aws:lambda:r:a:function:name` has 7 parts; an 8th is the version or alias.
    return qualifier !== undefined && arn.split(':').length === 7 ? `${arn}:${qualifier}` : arn;
  }

  eventBus(nameOrArn: string | undefined): string {
    if (nameOrArn?.startsWith('arn:')) return nameOrArn;
    return this.arn('events', `event-bus/${nameOrArn ?? 'default'}`);
  }

  eventRule(name: string, bus: string | undefined): string {
    if (name.startsWith('arn:')) return name;
    const busName = bus?.startsWith('arn:') ? bus.split('/').pop() : bus;
    return this.arn('events', busName && busName !== 'default' ? `rule/${busName}/${name}` : `rule/${name}`);
  }

  /** `https://sqs.<region>.amazonaws.com/<account>/<name>`, or the local edge's `<edge>/<account>/<name>`. */
  queueFromUrl(url: string): string {
    const [name, account] = url.replace(/\/+$/, '').split('/').reverse();
    const region = /^https?:\/\/sqs\.([a-z0-9-]+)\./.exec(url)?.[1];
    return this.arn('sqs', name ?? '', { ...(region ? { region } : {}), ...(account ? { account } : {}) });
  }
}

type ResourceRule = (api: string, action: string, fields: Fields, arns: Arns) => IamRequest[];

const one = (action: string, resource: string): IamRequest[] => [{ action, resource }];

/** Table-level DynamoDB actions; Query and Scan of an index are authorized on the index. */
const dynamodb: ResourceRule = (api, action, fields, arns) => {
  if (api === 'BatchGetItem' || api === 'BatchWriteItem') {
    const tables = Object.keys(isFields(fields.RequestItems) ? fields.RequestItems : {});
    return tables.length > 0
      ? tables.map((table) => ({ action, resource: arns.table(table) }))
      : one(action, '*');
  }
  if (api === 'TransactWriteItems' || api === 'TransactGetItems') return transaction(fields, arns);
  const table = field(fields, 'TableName') ?? field(fields, 'TableArn');
  if (!table) return one(action, field(fields, 'StreamArn') ?? field(fields, 'ResourceArn') ?? '*');
  const index = field(fields, 'IndexName');
  const resource = arns.table(table);
  return one(action, index && (api === 'Query' || api === 'Scan') ? `${resource}/index/${index}` : resource);
};

/** A transaction is not an IAM action: each item is authorized as the single-item call it stands for. */
function transaction(fields: Fields, arns: Arns): IamRequest[] {
  const actions: Record<string, string> = {
    Put: 'dynamodb:PutItem',
    Update: 'dynamodb:UpdateItem',
    Delete: 'dynamodb:DeleteItem',
    ConditionCheck: 'dynamodb:ConditionCheckItem',
    Get: 'dynamodb:GetItem',
  };
  const items = Array.isArray(fields.TransactItems) ? fields.TransactItems : [];
  return items.flatMap((item: unknown) =>
    Object.entries(isFields(item) ? item : {}).flatMap(([kind, operation]) => {
      const action = actions[kind];
      const table = isFields(operation) ? text(operation.TableName) : undefined;
      return action && table ? [{ action, resource: arns.table(table) }] : [];
    }),
  );
}

const lambda: ResourceRule = (_api, action, fields, arns) => {
  const name = field(fields, 'FunctionName');
  return one(action, name ? arns.lambdaFunction(name, field(fields, 'Qualifier')) : '*');
};

const RULE_ACTIONS = new Set([
  'PutRule',
  'DeleteRule',
  'DescribeRule',
  'EnableRule',
  'DisableRule',
  'PutTargets',
  'RemoveTargets',
  'ListTargetsByRule',
]);
const BUS_ACTIONS = new Set(['CreateEventBus', 'DeleteEventBus', 'DescribeEventBus', 'UpdateEventBus']);

/** PutEvents is authorized per bus its entries go to (the default bus when an entry names none). */
const events: ResourceRule = (api, action, fields, arns) => {
  if (api === 'PutEvents') {
    const entries = Array.isArray(fields.Entries) ? fields.Entries : [];
    const buses = entries.map((entry: unknown) =>
      arns.eventBus(isFields(entry) ? text(entry.EventBusName) : undefined),
    );
    return buses.length > 0
      ? buses.map((resource) => ({ action, resource }))
      : one(action, arns.eventBus(undefined));
  }
  const bus = field(fields, 'EventBusName');
  const rule = field(fields, 'Rule') ?? field(fields, 'Name');
  if (RULE_ACTIONS.has(api) && rule) return one(action, arns.eventRule(rule, bus));
  if (BUS_ACTIONS.has(api)) return one(action, arns.eventBus(field(fields, 'Name')));
  return one(action, bus ? arns.eventBus(bus) : genericResource(fields));
};

const SCHEDULE_ACTIONS = new Set(['CreateSchedule', 'UpdateSchedule', 'DeleteSchedule', 'GetSchedule']);
const GROUP_ACTIONS = new Set(['CreateScheduleGroup', 'DeleteScheduleGroup', 'GetScheduleGroup']);

/**
 * Schedules live in groups (`default` when the call names none). Creating or updating one hands its target
 * the schedule's role, which needs iam:PassRole on that role as well.
 */
const scheduler: ResourceRule = (api, action, fields, arns) => {
  const name = field(fields, 'Name');
  if (SCHEDULE_ACTIONS.has(api) && name) {
    const group = field(fields, 'GroupName') ?? 'default';
    const requests = one(action, arns.arn('scheduler', `schedule/${group}/${name}`));
    const role = isFields(fields.Target) ? text(fields.Target.RoleArn) : undefined;
    if (role && (api === 'CreateSchedule' || api === 'UpdateSchedule')) {
      requests.push({ action: 'iam:PassRole', resource: role });
    }
    return requests;
  }
  if (GROUP_ACTIONS.has(api) && name) return one(action, arns.arn('scheduler', `schedule-group/${name}`));
  return one(action, genericResource(fields));
};

const sqs: ResourceRule = (api, action, fields, arns) => {
  const url = field(fields, 'QueueUrl');
  if (url) return one(action, arns.queueFromUrl(url));
  const name = field(fields, 'QueueName');
  if (name && (api === 'GetQueueUrl' || api === 'CreateQueue')) {
    const owner = field(fields, 'QueueOwnerAWSAccountId');
    return one(action, arns.arn('sqs', name, owner ? { account: owner } : {}));
  }
  return one(action, '*');
};

/** Task-token answers name no state machine in their parameters; they are checked against `*`. */
const states: ResourceRule = (_api, action, fields) =>
  one(
    action,
    field(fields, 'StateMachineArn') ??
      field(fields, 'ExecutionArn') ??
      field(fields, 'ActivityArn') ??
      field(fields, 'MapRunArn') ??
      genericResource(fields),
  );

/**
 * Sending is authorized on the sending identity (the From address when it is a plain address, or the
 * identity ARN given for sending authorization) and on the configuration set, when one is named. A From
 * that is not a plain address leaves the identity unknown: `*`.
 */
const ses: ResourceRule = (api, action, fields, arns) => {
  if (!api.startsWith('Send')) {
    const identity = field(fields, 'Identity') ?? field(fields, 'EmailIdentity');
    return one(action, identity ? arns.arn('ses', `identity/${identity}`) : '*');
  }
  const identityArn = field(fields, 'SourceArn') ?? field(fields, 'FromEmailAddressIdentityArn');
  const from = field(fields, 'Source') ?? field(fields, 'FromEmailAddress');
  const address = from ? plainAddress(from) : undefined;
  const requests = one(action, identityArn ?? (address ? arns.arn('ses', `identity/${address}`) : '*'));
  const configurationSet = field(fields, 'ConfigurationSetName');
  if (configurationSet) {
    requests.push({ action, resource: arns.arn('ses', `configuration-set/${configurationSet}`) });
  }
  return requests;
};

/** `someone@example.com` or `Someone <someone@example.com>`; anything else is not simple. */
function plainAddress(from: string): string | undefined {
  const address = /^[^<>]*<([^<>\s]+@[^<>\s]+)>$/.exec(from.trim())?.[1] ?? from.trim();
  return /^[^\s@<>",]+@[^\s@<>",]+$/.test(address) ? address : undefined;
}

const sns: ResourceRule = (_api, action, fields) =>
  one(action, field(fields, 'TopicArn') ?? field(fields, 'TargetArn') ?? genericResource(fields));

/** S3 ARNs carry neither region nor account: `arn:aws:s3:::bucket` and `arn:aws:s3:::bucket/key`. */
const s3: ResourceRule = (_api, action, fields, arns) => {
  const bucket = field(fields, 'Bucket');
  if (!bucket) return one(action, '*');
  const key = field(fields, 'Key');
  return one(action, arns.arn('s3', key ? `${bucket}/${key}` : bucket, { region: '', account: '' }));
};

/** A secret given by name is checked as `secret:<name>`: the random suffix of its ARN is not known here. */
const secretsmanager: ResourceRule = (_api, action, fields, arns) => {
  const secret = field(fields, 'SecretId');
  if (!secret) return one(action, '*');
  return one(action, secret.startsWith('arn:') ? secret : arns.arn('secretsmanager', `secret:${secret}`));
};

const RESOURCES: Record<string, ResourceRule> = {
  dynamodb,
  lambda,
  events,
  scheduler,
  sqs,
  states,
  ses,
  sns,
  s3,
  secretsmanager,
};
