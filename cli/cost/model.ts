/**
 * The cost model: pure functions from the synthesized templates, a usage profile and the figures measured
 * on a local cloud (per login, per reminder) to monthly line items, with free tiers credited apart and
 * advice on which Standard workflows would be cheaper as Express.
 */
import { FREE_TIERS, type FreeTier, PRICES, type PriceName } from './prices';

export interface UsageProfile {
  /** Monthly active people. */
  readonly users: number;
  readonly loginsPerUser: number;
  readonly remindersPerUser: number;
  /** Table storage per person (profile, links, reminders and their delivery records). */
  readonly storedKbPerUser: number;
  /** Admin analytics queries a month (Athena). */
  readonly analyticsQueries: number;
  /** Web app requests (files, config) per sign-in, through CloudFront. */
  readonly webRequestsPerLogin: number;
}

export const DEFAULT_PROFILE: UsageProfile = {
  users: 1000,
  loginsPerUser: 4,
  remindersPerUser: 10,
  storedKbPerUser: 20,
  analyticsQueries: 100,
  webRequestsPerLogin: 10,
};

export type Scenario = 'login' | 'reminder';

export interface WorkflowFigures {
  readonly executions: number;
  /** Billed state transitions: states entered plus retries. */
  readonly transitions: number;
  /** Summed over the executions; what Express would bill (observed on the local cloud: an upper bound). */
  readonly durationMs: number;
}

export interface FunctionFigures {
  readonly invocations: number;
  readonly billedMs: number;
}

/** What one occurrence of a scenario made the system do. */
export interface ScenarioFigures {
  /** By state machine name. */
  readonly workflows: Readonly<Record<string, WorkflowFigures>>;
  /** By the function's logical id in its template. */
  readonly functions: Readonly<Record<string, FunctionFigures>>;
  readonly apiRequests: number;
  readonly eventsPut: number;
  readonly eventBytes: number;
  readonly schedulerInvocations: number;
  readonly emails: number;
  readonly dynamoReadUnits: number;
  readonly dynamoWriteUnits: number;
  readonly secretsCalls: number;
  readonly sqsRequests: number;
  readonly firehoseRecords: number;
  /** Each record rounded up to 5 KB, as Firehose bills. */
  readonly firehoseBilledBytes: number;
  readonly logBytes: number;
  readonly traces: number;
}

export interface Measurement {
  /** Hash of workflows/ and functions/ the figures were measured with. */
  readonly sourceHash: string;
  readonly measuredAt: string;
  readonly scenarios: Readonly<Record<Scenario, ScenarioFigures>>;
  /** The executions each scenario ran, by state machine name: the evidence for the figures. */
  readonly executionArns: Readonly<Record<Scenario, Readonly<Record<string, readonly string[]>>>>;
  /** How each figure was obtained, for the report. */
  readonly method: readonly string[];
}

export interface StackTemplate {
  readonly stackName: string;
  readonly template: {
    readonly Resources?: Readonly<Record<string, { Type: string; Properties?: unknown }>>;
  };
}

export interface StateMachineInfo {
  readonly logicalId: string;
  readonly type: 'STANDARD' | 'EXPRESS';
  /** Why Express cannot run it, if anything does. */
  readonly expressBlockers: readonly string[];
}

export interface Inventory {
  /** By logical id. */
  readonly functions: Readonly<Record<string, { readonly memoryMb: number; readonly arm: boolean }>>;
  /** By state machine name. */
  readonly stateMachines: Readonly<Record<string, StateMachineInfo>>;
  /** Resources of each CloudFormation type. */
  readonly counts: Readonly<Record<string, number>>;
  readonly tablesWithPitr: number;
  /** CloudWatch bills an alarm per metric it reads: a metric-math alarm counts each metric in it. */
  readonly alarmMetrics: number;
  readonly firehoseStreams: readonly FirehoseStream[];
}

export interface FirehoseStream {
  readonly logicalId: string;
  readonly bufferSeconds: number;
  readonly dynamicPartitioning: boolean;
  readonly jq: boolean;
  /** An EventBridge rule delivers to it: every event put then becomes a record. */
  readonly fedByRule: boolean;
}

export interface LineItem {
  readonly service: string;
  readonly item: string;
  readonly quantity: number;
  readonly price: PriceName;
  readonly usd: number;
  /** A monthly fee for a resource, whatever the traffic. */
  readonly fixed: boolean;
}

export interface FreeTierCredit {
  readonly price: PriceName;
  readonly quantity: number;
  /** Negative: what the tier takes off. Zero for a 12-month tier, which is listed but not applied. */
  readonly usd: number;
  readonly term: FreeTier['term'];
  /** What the tier would take off, applied or not. */
  readonly worthUsd: number;
}

export interface ExpressAdvice {
  readonly workflow: string;
  readonly standardUsd: number;
  readonly expressUsd: number;
  readonly blockers: readonly string[];
  readonly verdict: 'cheaper as Express' | 'keep Standard' | 'cannot be Express';
}

export interface CostReport {
  readonly profile: UsageProfile;
  readonly lines: readonly LineItem[];
  readonly freeTiers: readonly FreeTierCredit[];
  readonly grossUsd: number;
  readonly totalUsd: number;
  readonly fixedUsd: number;
  readonly express: readonly ExpressAdvice[];
  /** Per workflow per month, for the report and its checks. */
  readonly transitionsPerWorkflow: Readonly<Record<string, number>>;
}

const GB = 1024 ** 3;
const MB = 1024 ** 2;
/** Express bills memory in 64 MB chunks; small payloads and definitions use one. */
const EXPRESS_MEMORY_GB = 64 / 1024;
const EXPRESS_MAX_SECONDS = 300;
/** Athena bills at least 10 MB per query. */
const ATHENA_MINIMUM_BYTES = 10 * MB;
/** Data Catalog calls per Athena query (GetDatabase, GetTable, GetPartitions), AWS's usual count. */
const GLUE_CALLS_PER_QUERY = 3;
const WEB_BYTES_PER_REQUEST = 50 * 1024;
const SECONDS_PER_MONTH = 31 * 24 * 3600;
const FIREHOSE_RECORD_UNIT_BYTES = 5 * 1024;
/** JQ time to extract the partition key of one small record (estimated). */
const JQ_SECONDS_PER_RECORD = 0.001;

/** The inventory as it is gathered, resource by resource. */
interface InventoryDraft {
  readonly functions: Record<string, { memoryMb: number; arm: boolean }>;
  readonly stateMachines: Record<string, StateMachineInfo>;
  readonly counts: Record<string, number>;
  tablesWithPitr: number;
  alarmMetrics: number;
  readonly streams: Array<Omit<FirehoseStream, 'fedByRule'>>;
  /** Logical ids an EventBridge rule targets. */
  readonly ruleTargets: Set<string>;
}

type Properties = Record<string, unknown>;
type ResourceReader = (draft: InventoryDraft, logicalId: string, properties: Properties) => void;

const readFunction: ResourceReader = (draft, logicalId, properties) => {
  const architectures = (properties.Architectures as string[] | undefined) ?? ['x86_64'];
  draft.functions[logicalId] = {
    memoryMb: Number(properties.MemorySize ?? 128),
    arm: architectures.includes('arm64'),
  };
};

const readStateMachine: ResourceReader = (draft, logicalId, properties) => {
  const name = typeof properties.StateMachineName === 'string' ? properties.StateMachineName : logicalId;
  draft.stateMachines[name] = {
    logicalId,
    type: properties.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
    expressBlockers: expressBlockers(definitionText(properties.DefinitionString)),
  };
};

const readTable: ResourceReader = (draft, _, properties) => {
  if (hasPointInTimeRecovery(properties)) draft.tablesWithPitr++;
};

const readAlarm: ResourceReader = (draft, _, properties) => {
  const metrics = properties.Metrics as Array<{ MetricStat?: unknown }> | undefined;
  draft.alarmMetrics += metrics ? Math.max(1, metrics.filter((metric) => metric.MetricStat).length) : 1;
};

const readFirehoseStream: ResourceReader = (draft, logicalId, properties) => {
  const destination = (properties.ExtendedS3DestinationConfiguration ?? {}) as Properties;
  const text = JSON.stringify(destination);
  const hints = destination.BufferingHints as { IntervalInSeconds?: number } | undefined;
  draft.streams.push({
    logicalId,
    bufferSeconds: Number(hints?.IntervalInSeconds ?? 300),
    dynamicPartitioning: /"DynamicPartitioningConfiguration":\{"Enabled":true/.test(text),
    jq: text.includes('"JQ-'),
  });
};

const readRule: ResourceReader = (draft, _, properties) => {
  for (const target of (properties.Targets as Array<{ Arn?: unknown }> | undefined) ?? []) {
    const attribute = (target.Arn as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
    if (attribute) draft.ruleTargets.add(attribute[0]);
  }
};

/** What each resource type adds to the inventory beyond its count. */
const RESOURCE_READERS: Readonly<Record<string, ResourceReader>> = {
  'AWS::Lambda::Function': readFunction,
  'AWS::StepFunctions::StateMachine': readStateMachine,
  'AWS::DynamoDB::GlobalTable': readTable,
  'AWS::DynamoDB::Table': readTable,
  'AWS::CloudWatch::Alarm': readAlarm,
  'AWS::KinesisFirehose::DeliveryStream': readFirehoseStream,
  'AWS::Events::Rule': readRule,
};

/** Resources of the templates, read for what they cost. */
export function inventory(stacks: readonly StackTemplate[]): Inventory {
  const draft: InventoryDraft = {
    functions: {},
    stateMachines: {},
    counts: {},
    tablesWithPitr: 0,
    alarmMetrics: 0,
    streams: [],
    ruleTargets: new Set(),
  };
  for (const { template } of stacks) {
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      draft.counts[resource.Type] = (draft.counts[resource.Type] ?? 0) + 1;
      RESOURCE_READERS[resource.Type]?.(draft, logicalId, (resource.Properties ?? {}) as Properties);
    }
  }
  const { functions, stateMachines, counts, tablesWithPitr, alarmMetrics } = draft;
  const firehoseStreams = draft.streams.map((stream) => ({
    ...stream,
    fedByRule: draft.ruleTargets.has(stream.logicalId),
  }));
  return { functions, stateMachines, counts, tablesWithPitr, alarmMetrics, firehoseStreams };
}

/** The definition as text: a string, or the literal parts of an Fn::Join. */
function definitionText(definition: unknown): string {
  if (typeof definition === 'string') return definition;
  const join = (definition as { 'Fn::Join'?: [string, unknown[]] } | undefined)?.['Fn::Join'];
  if (!join) return '';
  return join[1].map((part) => (typeof part === 'string' ? part : '""')).join(join[0]);
}

/** What in a definition Express workflows do not allow: task tokens, .sync, runs longer than 5 minutes. */
export function expressBlockers(definition: string): string[] {
  const blockers: string[] = [];
  if (definition.includes('.waitForTaskToken')) blockers.push('waits on a task token (.waitForTaskToken)');
  if (/\.sync(:\d+)?"/.test(definition)) blockers.push('runs a .sync integration');
  const waits = [...definition.matchAll(/"(?:Seconds|TimeoutSeconds)"\s*:\s*"?(\d+)/g)].map((match) =>
    Number(match[1]),
  );
  const longest = Math.max(0, ...waits);
  if (longest > EXPRESS_MAX_SECONDS) blockers.push(`waits up to ${longest} s (Express stops at 300 s)`);
  if (/"Type"\s*:\s*"Wait"/.test(definition) && /"Timestamp(Path)?"|"Seconds"\s*:\s*"\{%/.test(definition))
    blockers.push('has a Wait whose length is set at run time');
  return blockers;
}

function hasPointInTimeRecovery(properties: Record<string, unknown>): boolean {
  const specifications = [
    properties.PointInTimeRecoverySpecification,
    ...((properties.Replicas as Array<Record<string, unknown>> | undefined) ?? []).map(
      (replica) => replica.PointInTimeRecoverySpecification,
    ),
  ];
  return specifications.some(
    (specification) =>
      (specification as { PointInTimeRecoveryEnabled?: boolean } | undefined)?.PointInTimeRecoveryEnabled,
  );
}

/** How often each scenario happens in a month. */
export function monthlyOccurrences(profile: UsageProfile): Record<Scenario, number> {
  return { login: profile.users * profile.loginsPerUser, reminder: profile.users * profile.remindersPerUser };
}

/** A figure of every scenario, times how often it happens. */
function monthly(
  measurement: Measurement,
  occurrences: Record<Scenario, number>,
  figure: (scenario: ScenarioFigures) => number,
): number {
  return (Object.keys(occurrences) as Scenario[]).reduce(
    (sum, scenario) => sum + occurrences[scenario] * figure(measurement.scenarios[scenario]),
    0,
  );
}

/** What Express would bill the executions for: a request each, and 64 MB for their duration in 100 ms steps. */
export function expressBill(
  executions: number,
  durationMsEach: number,
): { requests: number; gbSeconds: number } {
  const billedSeconds = Math.max(1, Math.ceil(durationMsEach / 100)) / 10;
  return { requests: executions, gbSeconds: executions * billedSeconds * EXPRESS_MEMORY_GB };
}

export function expressUsd(executions: number, durationMsEach: number): number {
  const { requests, gbSeconds } = expressBill(executions, durationMsEach);
  return requests * PRICES.sfnExpressRequest.usd + gbSeconds * PRICES.sfnExpressGbSecond.usd;
}

/** What each part of the bill reads, and how it adds its lines. */
interface Billing {
  readonly inventory: Inventory;
  readonly profile: UsageProfile;
  readonly occurrences: Record<Scenario, number>;
  /** A measured figure per month: summed over the scenarios, times how often each happens. */
  perMonth(figure: (scenario: ScenarioFigures) => number): number;
  /** Resources of a CloudFormation type. */
  count(type: string): number;
  /** A line, if its quantity is more than nothing. */
  add(service: string, item: string, quantity: number, price: PriceName, fixed?: boolean): void;
}

function expressVerdict(blockers: readonly string[], expressCost: number, standardUsd: number) {
  if (blockers.length > 0) return 'cannot be Express';
  return expressCost < standardUsd ? 'cheaper as Express' : 'keep Standard';
}

/** One workflow's lines; for a Standard one, the advice on running it as Express. */
function billWorkflow(billing: Billing, name: string): { transitions: number; advice?: ExpressAdvice } {
  const executions = billing.perMonth((scenario) => scenario.workflows[name]?.executions ?? 0);
  const transitions = billing.perMonth((scenario) => scenario.workflows[name]?.transitions ?? 0);
  const durationMs = billing.perMonth((scenario) => scenario.workflows[name]?.durationMs ?? 0);
  const machine = billing.inventory.stateMachines[name];
  const durationEach = executions > 0 ? durationMs / executions : 0;
  if (machine?.type === 'EXPRESS') {
    const bill = expressBill(executions, durationEach);
    billing.add('Step Functions', `${name} (Express) requests`, bill.requests, 'sfnExpressRequest');
    billing.add('Step Functions', `${name} (Express) duration`, bill.gbSeconds, 'sfnExpressGbSecond');
    return { transitions };
  }
  billing.add('Step Functions', `${name} (Standard) state transitions`, transitions, 'sfnStandardTransition');
  const standardUsd = transitions * PRICES.sfnStandardTransition.usd;
  const blockers = [...(machine?.expressBlockers ?? [])];
  if (durationEach > EXPRESS_MAX_SECONDS * 1000)
    blockers.push('measured executions last longer than 5 minutes');
  const expressCost = expressUsd(executions, durationEach);
  return {
    transitions,
    advice: {
      workflow: name,
      standardUsd,
      expressUsd: expressCost,
      blockers,
      verdict: expressVerdict(blockers, expressCost, standardUsd),
    },
  };
}

function billWorkflows(
  billing: Billing,
  measurement: Measurement,
): Pick<CostReport, 'express' | 'transitionsPerWorkflow'> {
  const workflowNames = new Set(
    Object.values(measurement.scenarios).flatMap((scenario) => Object.keys(scenario.workflows)),
  );
  const transitionsPerWorkflow: Record<string, number> = {};
  const express: ExpressAdvice[] = [];
  for (const name of [...workflowNames].sort()) {
    const { transitions, advice } = billWorkflow(billing, name);
    transitionsPerWorkflow[name] = transitions;
    if (advice) express.push(advice);
  }
  return { express, transitionsPerWorkflow };
}

function billFunctions(billing: Billing, measurement: Measurement): void {
  const functionIds = new Set(
    Object.values(measurement.scenarios).flatMap((scenario) => Object.keys(scenario.functions)),
  );
  for (const id of [...functionIds].sort()) {
    const configuration = billing.inventory.functions[id] ?? { memoryMb: 128, arm: false };
    const invocations = billing.perMonth((scenario) => scenario.functions[id]?.invocations ?? 0);
    const billedSeconds = billing.perMonth((scenario) => scenario.functions[id]?.billedMs ?? 0) / 1000;
    billing.add('Lambda', `${id} requests`, invocations, 'lambdaRequest');
    billing.add(
      'Lambda',
      `${id} compute (${configuration.memoryMb} MB, ${configuration.arm ? 'arm64' : 'x86_64'})`,
      billedSeconds * (configuration.memoryMb / 1024),
      configuration.arm ? 'lambdaArmGbSecond' : 'lambdaX86GbSecond',
    );
  }
}

/** EventBridge (events, archive) and Scheduler. */
function billEvents({ add, count, perMonth }: Billing): void {
  const eventBytes = perMonth((scenario) => scenario.eventBytes);
  add(
    'EventBridge',
    'custom events put',
    perMonth((scenario) => scenario.eventsPut),
    'eventBridgeCustomEvent',
  );
  if (count('AWS::Events::Archive') > 0) {
    add('EventBridge', 'archive: events archived', eventBytes / GB, 'eventBridgeArchiveProcessing');
    add('EventBridge', 'archive: a month of events stored', eventBytes / GB, 'eventBridgeArchiveStorage');
  }
  add(
    'Scheduler',
    'schedule invocations',
    perMonth((scenario) => scenario.schedulerInvocations),
    'schedulerInvocation',
  );
}

function billTables({ add, count, perMonth, profile, inventory: found }: Billing): void {
  add(
    'DynamoDB',
    'on-demand read request units',
    perMonth((scenario) => scenario.dynamoReadUnits),
    'dynamoReadUnit',
  );
  add(
    'DynamoDB',
    'on-demand write request units',
    perMonth((scenario) => scenario.dynamoWriteUnits),
    'dynamoWriteUnit',
  );
  const tableGb = (profile.users * profile.storedKbPerUser * 1024) / GB;
  const tables = count('AWS::DynamoDB::GlobalTable') + count('AWS::DynamoDB::Table');
  if (tables > 0) add('DynamoDB', 'table storage', tableGb, 'dynamoStorage');
  if (found.tablesWithPitr > 0) add('DynamoDB', 'point-in-time recovery', tableGb, 'dynamoPitr');
}

/** SES, API Gateway, Secrets Manager, KMS and SQS: billed per call or per resource. */
function billRequests({ add, count, perMonth }: Billing): void {
  add(
    'SES',
    'emails sent',
    perMonth((scenario) => scenario.emails),
    'sesEmail',
  );
  const apiRequests = perMonth((scenario) => scenario.apiRequests);
  if (count('AWS::ApiGatewayV2::Api') > 0)
    add('API Gateway', 'HTTP API requests', apiRequests, 'httpApiRequest');
  else if (count('AWS::ApiGateway::RestApi') > 0)
    add('API Gateway', 'REST API requests', apiRequests, 'restApiRequest');
  add('Secrets Manager', 'secrets stored', count('AWS::SecretsManager::Secret'), 'secret', true);
  add(
    'Secrets Manager',
    'GetSecretValue calls',
    perMonth((scenario) => scenario.secretsCalls),
    'secretsApiCall',
  );
  add('KMS', 'customer managed keys', count('AWS::KMS::Key'), 'kmsKey', true);
  add(
    'SQS',
    'requests',
    perMonth((scenario) => scenario.sqsRequests),
    'sqsRequest',
  );
}

/** CloudWatch alarms and dashboards, logs, X-Ray. */
function billMonitoring({ add, count, perMonth, inventory: found }: Billing): void {
  add(
    'CloudWatch',
    `standard alarms (${count('AWS::CloudWatch::Alarm')}): metrics alarmed`,
    found.alarmMetrics,
    'alarmStandard',
    true,
  );
  add('CloudWatch', 'dashboards', count('AWS::CloudWatch::Dashboard'), 'dashboard', true);
  const logGb = perMonth((scenario) => scenario.logBytes) / GB;
  add('CloudWatch Logs', 'log ingestion', logGb, 'logsIngestion');
  add('CloudWatch Logs', 'a month of logs stored', logGb, 'logsStorage');
  add(
    'X-Ray',
    'traces recorded',
    perMonth((scenario) => scenario.traces),
    'xrayTrace',
  );
}

/** One Firehose stream's lines; answers the gigabytes it lands in S3 for Athena to scan. */
function billStream({ add, perMonth }: Billing, stream: FirehoseStream): number {
  const eventsPut = perMonth((scenario) => scenario.eventsPut);
  const eventBytes = perMonth((scenario) => scenario.eventBytes);
  const billedBytes = perMonth((scenario) => scenario.firehoseBilledBytes);
  // Events reach a rule-fed stream inside AWS, not through a call the measurement sees: one record each.
  const fromRule = stream.fedByRule ? 1 : 0;
  const records = perMonth((scenario) => scenario.firehoseRecords) + fromRule * eventsPut;
  const gb = (billedBytes + fromRule * eventsPut * FIREHOSE_RECORD_UNIT_BYTES) / GB;
  add('Firehose', `${stream.logicalId}: data ingested (5 KB records)`, gb, 'firehoseIngestion');
  const objects = Math.min(records, SECONDS_PER_MONTH / stream.bufferSeconds);
  add(
    'S3',
    `${stream.logicalId}: objects written (one per ${stream.bufferSeconds} s buffer)`,
    objects,
    's3Put',
  );
  if (stream.dynamicPartitioning) {
    add('Firehose', `${stream.logicalId}: dynamic partitioning`, gb, 'firehosePartitionedGb');
    add('Firehose', `${stream.logicalId}: partitioned objects`, objects, 'firehosePartitionedObject');
  }
  if (stream.jq)
    add(
      'Firehose',
      `${stream.logicalId}: JQ partition keys`,
      (records * JQ_SECONDS_PER_RECORD) / 3600,
      'firehoseJqHour',
    );
  // What lands in S3 and Athena scans: the records' own bytes (before gzip, so an upper bound).
  return (billedBytes + fromRule * eventBytes) / GB;
}

/** Firehose, the analytics bucket, Athena and the Data Catalog. */
function billAnalytics(billing: Billing): void {
  const { add, count, profile } = billing;
  const analyticsGb = sum(billing.inventory.firehoseStreams.map((stream) => billStream(billing, stream)));
  if (count('AWS::S3::Bucket') > 0) add('S3', 'a month of analytics data stored', analyticsGb, 's3Storage');
  if (count('AWS::Athena::WorkGroup') === 0 && count('AWS::Glue::Table') === 0) return;
  const scannedBytes = Math.max(ATHENA_MINIMUM_BYTES, analyticsGb * GB);
  add(
    'Athena',
    'data scanned by admin queries',
    (profile.analyticsQueries * scannedBytes) / GB / 1024,
    'athenaScanned',
  );
  add('Glue', 'Data Catalog requests', profile.analyticsQueries * GLUE_CALLS_PER_QUERY, 'glueCatalogRequest');
}

/** Budgets, and CloudFront for the web app. */
function billWeb({ add, count, occurrences, profile }: Billing): void {
  add('Budgets', 'budgets', count('AWS::Budgets::Budget'), 'budget', true);
  if (count('AWS::CloudFront::Distribution') === 0) return;
  const webRequests = occurrences.login * profile.webRequestsPerLogin;
  add('CloudFront', 'web app requests', webRequests, 'cloudFrontRequest');
  add('CloudFront', 'web app data out', (webRequests * WEB_BYTES_PER_REQUEST) / GB, 'cloudFrontTransfer');
}

export function costReport(
  inventoryOf: Inventory,
  profile: UsageProfile,
  measurement: Measurement,
): CostReport {
  const occurrences = monthlyOccurrences(profile);
  const lines: LineItem[] = [];
  const billing: Billing = {
    inventory: inventoryOf,
    profile,
    occurrences,
    perMonth: (figure) => monthly(measurement, occurrences, figure),
    count: (type) => inventoryOf.counts[type] ?? 0,
    add: (service, item, quantity, price, fixed = false) => {
      if (quantity > 0)
        lines.push({ service, item, quantity, price, usd: quantity * PRICES[price].usd, fixed });
    },
  };
  const { express, transitionsPerWorkflow } = billWorkflows(billing, measurement);
  billFunctions(billing, measurement);
  billEvents(billing);
  billTables(billing);
  billRequests(billing);
  billMonitoring(billing);
  billAnalytics(billing);
  billWeb(billing);

  const freeTiers = creditFreeTiers(lines);
  const grossUsd = sum(lines.map((line) => line.usd));
  return {
    profile,
    lines,
    freeTiers,
    grossUsd,
    totalUsd: grossUsd + sum(freeTiers.map((credit) => credit.usd)),
    fixedUsd: sum(lines.filter((line) => line.fixed).map((line) => line.usd)),
    express,
    transitionsPerWorkflow,
  };
}

/** Each free tier against the lines billed at its price: always-free tiers applied, 12-month ones listed. */
export function creditFreeTiers(lines: readonly LineItem[]): FreeTierCredit[] {
  const quantityAt = (price: PriceName) =>
    sum(lines.filter((line) => line.price === price).map((line) => line.quantity));
  const credits: FreeTierCredit[] = [];
  for (const [price, tier] of Object.entries(FREE_TIERS) as Array<[PriceName, FreeTier]>) {
    // Lambda's free GB-seconds are shared by both architectures: Arm's first, then x86's at their price.
    const sharedWith: PriceName[] = price === 'lambdaArmGbSecond' ? [price, 'lambdaX86GbSecond'] : [price];
    let left = tier.quantity;
    let worthUsd = 0;
    for (const billedAt of sharedWith) {
      const quantity = Math.min(quantityAt(billedAt), left);
      left -= quantity;
      worthUsd += quantity * PRICES[billedAt].usd;
    }
    const quantity = tier.quantity - left;
    if (quantity === 0) continue;
    credits.push({ price, quantity, worthUsd, term: tier.term, usd: tier.term === 'always' ? -worthUsd : 0 });
  }
  return credits;
}

function sum(values: readonly number[]): number {
  return values.reduce((total, value) => total + value, 0);
}
