import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App, Stack } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { beforeAll, describe, expect, it } from 'vitest';
import { loadEventCatalogue } from '../../events-schema/catalogue';
import { buildApp } from '../../infra/build-app';
import { LAMBDA_TRANSIENT_RETRY } from '../../infra/constructs/workflow-definition';
import { SECRET_KEYS } from '../../infra/stacks/stateful-stack';

// Bundling is skipped here (the e2e tests run real bundles); everything else is synthesized as deployed.
let app: App;
let outdir: string;
const templates: Record<string, Template> = {};
const template = (suffix: string): Template => {
  const found = Object.entries(templates).find(([name]) => name.endsWith(suffix));
  if (!found) throw new Error(`no stack ending in ${suffix}`);
  return found[1];
};

beforeAll(() => {
  app = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }));
  // Synthesis fails if cdk-nag (AwsSolutions) reports any finding that is not acknowledged.
  outdir = app.synth().directory;
  for (const child of app.node.children) {
    if (child instanceof Stack) templates[child.stackName] = Template.fromStack(child);
  }
});

const allConstructs = (root: IConstruct): IConstruct[] => [
  root,
  ...root.node.children.flatMap(allConstructs),
];

describe('compliance', () => {
  it('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ violations?: unknown[] }>;
    };
    expect(report.pluginReports.flatMap((plugin) => plugin.violations ?? [])).toEqual([]);
  });

  it('gives a written reason for every acknowledged rule', () => {
    const acknowledgements = allConstructs(app).flatMap((construct) =>
      construct.node.metadata
        .filter((entry) => entry.type === 'aws:cdk:acknowledged-rules')
        .flatMap((entry) => Object.entries(entry.data as Record<string, string>)),
    );
    expect(acknowledgements.length).toBeGreaterThan(0);
    for (const [id, reason] of acknowledgements) {
      expect(id).toMatch(/^AwsSolutions::AwsSolutions-/);
      expect(reason.length, id).toBeGreaterThan(40);
    }
  });

  it('allows no wildcard action in any IAM statement', () => {
    const allowStatements = (node: unknown): Array<{ Action?: string | string[] }> => {
      if (Array.isArray(node)) return node.flatMap(allowStatements);
      if (node === null || typeof node !== 'object') return [];
      const record = node as Record<string, unknown>;
      const own =
        record.Effect === 'Allow' && 'Action' in record ? [record as { Action?: string | string[] }] : [];
      return [...own, ...Object.values(record).flatMap(allowStatements)];
    };
    const offending = Object.entries(templates).flatMap(([stackName, stackTemplate]) =>
      allowStatements(stackTemplate.toJSON())
        .flatMap((statement) => [statement.Action ?? []].flat())
        .filter((action) => action === '*' || action.endsWith(':*'))
        .map((action) => `${stackName}: ${action}`),
    );
    expect(offending).toEqual([]);
  });
});

describe('stateful stack', () => {
  it('has one on-demand table with point-in-time recovery, a TTL attribute and the GSIs of the data model', () => {
    const stateful = template('-Stateful');
    stateful.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    stateful.hasResourceProperties('AWS::DynamoDB::GlobalTable', {
      BillingMode: 'PAY_PER_REQUEST',
      KeySchema: [
        { AttributeName: 'PK', KeyType: 'HASH' },
        { AttributeName: 'SK', KeyType: 'RANGE' },
      ],
      TimeToLiveSpecification: { AttributeName: 'expiresAt', Enabled: true },
      Replicas: [
        Match.objectLike({ PointInTimeRecoverySpecification: { PointInTimeRecoveryEnabled: true } }),
      ],
      GlobalSecondaryIndexes: [
        Match.objectLike({ IndexName: 'GSI1', Projection: { ProjectionType: 'ALL' } }),
        Match.objectLike({ IndexName: 'GSI2', Projection: { ProjectionType: 'ALL' } }),
        Match.objectLike({ IndexName: 'GSI3', Projection: { ProjectionType: 'ALL' } }),
      ],
    });
  });

  it('has the bus with an archive of every aurora.* event', () => {
    const stateful = template('-Stateful');
    stateful.hasResourceProperties('AWS::Events::EventBus', { Name: 'aurora-dev' });
    stateful.hasResourceProperties('AWS::Events::Archive', {
      EventPattern: Match.objectLike({ source: [{ prefix: 'aurora.' }] }),
      RetentionDays: Match.anyValue(),
    });
  });

  it('registers every event schema as Draft 4 in one registry', () => {
    const stateful = template('-Stateful');
    stateful.resourceCountIs('AWS::EventSchemas::Registry', 1);
    const catalogue = loadEventCatalogue();
    stateful.resourceCountIs('AWS::EventSchemas::Schema', catalogue.length);
    for (const entry of catalogue) {
      stateful.hasResourceProperties('AWS::EventSchemas::Schema', {
        Type: 'JSONSchemaDraft4',
        SchemaName: `${entry.source}@${entry.detailType}`,
        Content: JSON.stringify(entry.eventSchema),
      });
    }
  });

  it('has encrypted dead-letter queues that keep messages 14 days and refuse plain HTTP', () => {
    const stateful = template('-Stateful');
    stateful.resourceCountIs('AWS::SQS::Queue', 3);
    stateful.allResourcesProperties('AWS::SQS::Queue', {
      SqsManagedSseEnabled: true,
      MessageRetentionPeriod: 14 * 24 * 3600,
    });
    stateful.resourceCountIs('AWS::SQS::QueuePolicy', 3);
  });

  it('has a schedule group, the five secrets and an SES configuration set', () => {
    const stateful = template('-Stateful');
    stateful.hasResourceProperties('AWS::Scheduler::ScheduleGroup', { Name: 'aurora-dev-reminders' });
    for (const key of SECRET_KEYS) {
      stateful.hasResourceProperties('AWS::SecretsManager::Secret', { Name: `dev/aurora/${key}` });
    }
    stateful.hasResourceProperties('AWS::SES::ConfigurationSet', {
      Name: 'aurora-dev',
      DeliveryOptions: { TlsPolicy: 'REQUIRE' },
    });
  });
});

describe('functions', () => {
  it('are all built by the shared construct: Node 22 on arm64, traced, with their own log group', () => {
    // Not ours: CDK's BucketDeployment handler (Python) that copies the web build into its bucket.
    const functions = Object.values(templates).flatMap((stackTemplate) =>
      Object.entries(stackTemplate.findResources('AWS::Lambda::Function'))
        .filter(([logicalId]) => !logicalId.startsWith('CustomCDKBucketDeployment'))
        .map(([, fn]) => fn),
    );
    expect(functions.length).toBeGreaterThan(0);
    for (const fn of functions) {
      expect(fn.Properties).toMatchObject({
        Runtime: 'nodejs22.x',
        Architectures: ['arm64'],
        TracingConfig: { Mode: 'Active' },
        LoggingConfig: { LogGroup: expect.anything() },
        Environment: { Variables: expect.objectContaining({ POWERTOOLS_SERVICE_NAME: expect.any(String) }) },
      });
    }
  });

  it('the health check may read the table and describe the bus, and nothing else', () => {
    const api = template('-Api');
    const policies = Object.entries(api.findResources('AWS::IAM::Policy'))
      .filter(([logicalId]) => logicalId.startsWith('HealthRole'))
      .map(([, policy]) => policy);
    expect(policies).toHaveLength(1);
    const actions = policies
      .flatMap((policy) => policy.Properties.PolicyDocument.Statement as Array<{ Action: string | string[] }>)
      .flatMap((statement) => [statement.Action].flat())
      .sort();
    expect(actions).toEqual(
      [
        'dynamodb:GetItem',
        'events:DescribeEventBus',
        'logs:CreateLogStream',
        'logs:PutLogEvents',
        'xray:PutTelemetryRecords',
        'xray:PutTraceSegments',
      ].sort(),
    );
  });
});

describe('observability stack', () => {
  it('alarms on every dead-letter queue', () => {
    const queues = Object.values(templates).reduce(
      (count, stack) => count + Object.keys(stack.findResources('AWS::SQS::Queue')).length,
      0,
    );
    expect(queues).toBe(7);
    template('-Observability').resourcePropertiesCountIs(
      'AWS::CloudWatch::Alarm',
      { MetricName: 'ApproximateNumberOfMessagesVisible' },
      queues,
    );
  });
});

type AslState = {
  Type?: string;
  Resource?: string;
  Retry?: Array<{ ErrorEquals: string[] }>;
  Branches?: Array<{ States: Record<string, AslState> }>;
  ItemProcessor?: { States: Record<string, AslState> };
};

/** Every state of a definition with its name, those inside Parallel branches and Map processors included. */
const statesOf = (states: Record<string, AslState>): Array<[string, AslState]> =>
  Object.entries(states).flatMap(([name, state]) => [
    [name, state] as [string, AslState],
    ...[...(state.Branches ?? []), ...(state.ItemProcessor ? [state.ItemProcessor] : [])].flatMap((machine) =>
      statesOf(machine.States),
    ),
  ]);

describe('state machines', () => {
  const lambdaTasks = () =>
    Object.values(templates).flatMap((stack) =>
      Object.values(stack.findResources('AWS::StepFunctions::StateMachine')).flatMap((machine) => {
        const definition = JSON.parse(machine.Properties.DefinitionString as string) as {
          States: Record<string, AslState>;
        };
        return statesOf(definition.States).filter(
          ([, state]) =>
            state.Type === 'Task' && state.Resource?.startsWith('arn:aws:states:::lambda:invoke'),
        );
      }),
    );

  it('retry transient Lambda errors on every Lambda invoke task by the one shared policy', () => {
    const tasks = lambdaTasks();
    expect(tasks.length).toBeGreaterThanOrEqual(15);
    const own = tasks.filter(
      ([, state]) => JSON.stringify(state.Retry) !== JSON.stringify(LAMBDA_TRANSIENT_RETRY),
    );
    // Only these state a policy of their own, and each retries any error (so the transient ones too).
    expect(own.map(([name]) => name).sort()).toEqual(['Deliver', 'SendDigest', 'TellOnMessenger']);
    for (const [, state] of own) expect(state.Retry?.at(-1)?.ErrorEquals).toEqual(['States.ALL']);
  });
});
