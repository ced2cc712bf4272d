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

/** Resources of the templates, read for what they cost. */
export function inventory(stacks: readonly StackTemplate[]): Inventory {
  const functions: Record<string, { memoryMb: number; arm: boolean }> = {};
  const stateMachines: Record<string, StateMachineInfo> = {};
  const counts: Record<string, number> = {};
  let tablesWithPitr = 0;
  let alarmMetrics = 0;
  const streams: Array<Omit<FirehoseStream, 'fedByRule'>> = [];
  const ruleTargets = new Set<string>();
  for (const { template } of stacks) {
    for (const [logicalId, resource] of Object.entries(template.Resources ?? {})) {
      counts[resource.Type] = (counts[resource.Type] ?? 0) + 1;
      const properties = (resource.Properties ?? {}) as Record<string, unknown>;
      if (resource.Type === 'AWS::Lambda::Function') {
        const architectures = (properties.Architectures as string[] | undefined) ?? ['x86_64'];
        functions[logicalId] = {
          memoryMb: Number(properties.MemorySize ?? 128),
          arm: architectures.includes('arm64'),
        };
      } else if (resource.Type === 'AWS::StepFunctions::StateMachine') {
        const name =
          typeof properties.StateMachineName === 'string' ? properties.StateMachineName : logicalId;
        stateMachines[name] = {
          logicalId,
          type: properties.StateMachineType === 'EXPRESS' ? 'EXPRESS' : 'STANDARD',
          expressBlockers: expressBlockers(definitionText(properties.DefinitionString)),
        };
      } else if (resource.Type === 'AWS::DynamoDB::GlobalTable' || resource.Type === 'AWS::DynamoDB::Table') {
        if (hasPointInTimeRecovery(properties)) tablesWithPitr++;
      } else if (resource.Type === 'AWS::CloudWatch::Alarm') {
        const metrics = properties.Metrics as Array<{ MetricStat?: unknown }> | undefined;
        alarmMetrics += metrics ? Math.max(1, metrics.filter((metric) => metric.MetricStat).length) : 1;
      } else if (resource.Type === 'AWS::KinesisFirehose::DeliveryStream') {
        const destination = (properties.ExtendedS3DestinationConfiguration ?? {}) as Record<string, unknown>;
        const text = JSON.stringify(destination);
        streams.push({
          logicalId,
          bufferSeconds: Number(
            (destination.BufferingHints as { IntervalInSeconds?: number } | undefined)?.IntervalInSeconds ??
              300,
          ),
          dynamicPartitioning: /"DynamicPartitioningConfiguration":\{"Enabled":true/.test(text),
          jq: text.includes('"JQ-'),
        });
      } else if (resource.Type === 'AWS::Events::Rule') {
        for (const target of (properties.Targets as Array<{ Arn?: unknown }> | undefined) ?? []) {
          const attribute = (target.Arn as { 'Fn::GetAtt'?: [string, string] } | undefined)?.['Fn::GetAtt'];
          if (attribute) ruleTargets.add(attribute[0]);
        }
      }
    }
  }
  const firehoseStreams = streams.map((stream) => ({
    ...stream,
    fedByRule: ruleTargets.has(stream.logicalId),
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

export function costReport(
  inventoryOf: Inventory,
  profile: UsageProfile,
  measurement: Measurement,
): CostReport {
  const occurrences = monthlyOccurrences(profile);
  const perMonth = (figure: (scenario: ScenarioFigures) => number) =>
    monthly(measurement, occurrences, figure);
  const lines: LineItem[] = [];
  const add = (service: string, item: string, quantity: number, price: PriceName, fixed = false) => {
    if (quantity > 0)
      lines.push({ service, item, quantity, price, usd: quantity * PRICES[price].usd, fixed });
  };
  const count = (type: string) => inventoryOf.counts[type] ?? 0;

  const workflowNames = new Set(
    Object.values(measurement.scenarios).flatMap((scenario) => Object.keys(scenario.workflows)),
  );
  const transitionsPerWorkflow: Record<string, number> = {};
  const express: ExpressAdvice[] = [];
  for (const name of [...workflowNames].sort()) {
    const executions = perMonth((scenario) => scenario.workflows[name]?.executions ?? 0);
    const transitions = perMonth((scenario) => scenario.workflows[name]?.transitions ?? 0);
    const durationMs = perMonth((scenario) => scenario.workflows[name]?.durationMs ?? 0);
    transitionsPerWorkflow[name] = transitions;
    const machine = inventoryOf.stateMachines[name];
    const durationEach = executions > 0 ? durationMs / executions : 0;
    if (machine?.type === 'EXPRESS') {
      const bill = expressBill(executions, durationEach);
      add('Step Functions', `${name} (Express) requests`, bill.requests, 'sfnExpressRequest');
      add('Step Functions', `${name} (Express) duration`, bill.gbSeconds, 'sfnExpressGbSecond');
      continue;
    }
    add('Step Functions', `${name} (Standard) state transitions`, transitions, 'sfnStandardTransition');
    const standardUsd = transitions * PRICES.sfnStandardTransition.usd;
    const blockers = [...(machine?.expressBlockers ?? [])];
    if (executions > 0 && durationMs / executions > EXPRESS_MAX_SECONDS * 1000)
      blockers.push('measured executions last longer than 5 minutes');
    express.push({
      workflow: name,
      standardUsd,
      expressUsd: expressUsd(executions, durationEach),
      blockers,
      verdict:
        blockers.length > 0
          ? 'cannot be Express'
          : expressUsd(executions, durationEach) < standardUsd
            ? 'cheaper as Express'
            : 'keep Standard',
    });
  }

  const functionIds = new Set(
    Object.values(measurement.scenarios).flatMap((scenario) => Object.keys(scenario.functions)),
  );
  for (const id of [...functionIds].sort()) {
    const configuration = inventoryOf.functions[id] ?? { memoryMb: 128, arm: false };
    const invocations = perMonth((scenario) => scenario.functions[id]?.invocations ?? 0);
    const billedSeconds = perMonth((scenario) => scenario.functions[id]?.billedMs ?? 0) / 1000;
    add('Lambda', `${id} requests`, invocations, 'lambdaRequest');
    add(
      'Lambda',
      `${id} compute (${configuration.memoryMb} MB, ${configuration.arm ? 'arm64' : 'x86_64'})`,
      billedSeconds * (configuration.memoryMb / 1024),
      configuration.arm ? 'lambdaArmGbSecond' : 'lambdaX86GbSecond',
    );
  }

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
  if (inventoryOf.tablesWithPitr > 0) add('DynamoDB', 'point-in-time recovery', tableGb, 'dynamoPitr');

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

  add(
    'CloudWatch',
    `standard alarms (${count('AWS::CloudWatch::Alarm')}): metrics alarmed`,
    inventoryOf.alarmMetrics,
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

  const eventsPut = perMonth((scenario) => scenario.eventsPut);
  // What lands in S3 and Athena scans: the records' own bytes (before gzip, so an upper bound).
  let analyticsGb = 0;
  for (const stream of inventoryOf.firehoseStreams) {
    // Events reach a rule-fed stream inside AWS, not through a call the measurement sees: one record each.
    const records = perMonth((scenario) => scenario.firehoseRecords) + (stream.fedByRule ? eventsPut : 0);
    const gb =
      (perMonth((scenario) => scenario.firehoseBilledBytes) +
        (stream.fedByRule ? eventsPut * FIREHOSE_RECORD_UNIT_BYTES : 0)) /
      GB;
    analyticsGb +=
      (perMonth((scenario) => scenario.firehoseBilledBytes) + (stream.fedByRule ? eventBytes : 0)) / GB;
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
  }
  if (count('AWS::S3::Bucket') > 0) add('S3', 'a month of analytics data stored', analyticsGb, 's3Storage');
  if (count('AWS::Athena::WorkGroup') > 0 || count('AWS::Glue::Table') > 0) {
    const scannedBytes = Math.max(ATHENA_MINIMUM_BYTES, analyticsGb * GB);
    add(
      'Athena',
      'data scanned by admin queries',
      (profile.analyticsQueries * scannedBytes) / GB / 1024,
      'athenaScanned',
    );
    add(
      'Glue',
      'Data Catalog requests',
      profile.analyticsQueries * GLUE_CALLS_PER_QUERY,
      'glueCatalogRequest',
    );
  }
  add('Budgets', 'budgets', count('AWS::Budgets::Budget'), 'budget', true);
  if (count('AWS::CloudFront::Distribution') > 0) {
    const webRequests = occurrences.login * profile.webRequestsPerLogin;
    add('CloudFront', 'web app requests', webRequests, 'cloudFrontRequest');
    add('CloudFront', 'web app data out', (webRequests * WEB_BYTES_PER_REQUEST) / GB, 'cloudFrontTransfer');
  }

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
