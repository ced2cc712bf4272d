/**
 * How each CloudFormation resource type becomes a resource of a local service. Every provisioner is
 * idempotent: a restart redeploys the same templates over the persisted state and keeps the data.
 */

import { createHash } from 'node:crypto';
import { existsSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import type { Target } from '@aws-sdk/client-eventbridge';
import { REPOSITORY_ROOT } from '../constructs/aurora-function';
import type { WorkGroupProperties } from './athena/service';
import { localSecretValue } from './config';
import { assetDirectory } from './deployer/assembly';
import { type DeployedResource, NotEmulatedLocally, type Provisioner } from './deployer/deploy';
import { text } from './edge/request-input';
import type { DatabaseInput, TableInput } from './glue/catalog';
import type { LocalServices } from './services';
import { readJsonOr, writeJsonAtomic } from './shared/persistence';

type Properties = Record<string, unknown>;

const optionalNumber = (value: unknown): number | undefined =>
  value === undefined || value === null || value === '' ? undefined : Number(value);

function functionCodeDirectory(resource: DeployedResource): string {
  const code = (resource.properties.Code ?? {}) as { S3Key?: unknown };
  const directory =
    typeof code.S3Key === 'string' ? assetDirectory(resource.assemblyDirectory, code.S3Key) : undefined;
  if (!directory) {
    throw new Error('has no bundled asset in the assembly; only asset-based functions run locally');
  }
  provideRuntimeSdk(directory);
  return directory;
}

/**
 * The Node.js Lambda runtime ships the AWS SDK v3, and NodejsFunction leaves it out of bundles by default.
 * Locally the project's own node_modules plays that part: linked beside the bundle, where Node's module
 * resolution finds it.
 */
function provideRuntimeSdk(codeDirectory: string): void {
  const link = join(codeDirectory, 'node_modules');
  if (!existsSync(link)) symlinkSync(join(REPOSITORY_ROOT, 'node_modules'), link, 'dir');
}

export function provisioners(services: LocalServices, stateDir: string): Record<string, Provisioner> {
  const { dynamodb, sqs, lambda, ses, secrets, scheduler, eventbridge, stepfunctions, policies, sns } =
    services;
  const { s3, firehose, glue, athena } = services;
  const deployedSchedulesFile = join(stateDir, 'deployer', 'schedules.json');
  const deployedSchedules = readJsonOr<Record<string, string>>(deployedSchedulesFile, {});
  const table: Provisioner = async ({ identity, properties }) => {
    await dynamodb.createTable({ ...(properties as Properties), TableName: identity.ref } as never);
  };
  const apiHandledPerStack: Provisioner = () => {};
  return {
    'AWS::DynamoDB::Table': table,
    'AWS::DynamoDB::GlobalTable': table,
    'AWS::SQS::Queue': ({ identity, properties }) => {
      sqs.createQueue({ ...properties, QueueName: String(identity.attributes.QueueName) });
    },
    'AWS::Lambda::Function': (resource) => {
      const { identity, properties } = resource;
      const runtime = String(properties.Runtime ?? 'nodejs22.x');
      // Workers run Node.js only; the one other runtime in the app is CDK's BucketDeployment handler
      // (Python), whose job the local web server does by serving web/dist itself.
      if (!runtime.startsWith('nodejs'))
        throw new NotEmulatedLocally(`${runtime} functions do not run locally`);
      const variables = ((properties.Environment as Properties | undefined)?.Variables ?? {}) as Record<
        string,
        string
      >;
      const reservedConcurrency = optionalNumber(properties.ReservedConcurrentExecutions);
      lambda.register({
        functionName: identity.ref,
        functionArn: String(identity.attributes.Arn),
        handler: String(properties.Handler ?? 'index.handler'),
        codeDirectory: functionCodeDirectory(resource),
        runtime,
        environment: Object.fromEntries(
          Object.entries(variables).map(([key, value]) => [key, String(value)]),
        ),
        timeoutSeconds: optionalNumber(properties.Timeout) ?? 3,
        memorySizeMb: optionalNumber(properties.MemorySize) ?? 128,
        ...(reservedConcurrency === undefined ? {} : { reservedConcurrency }),
        roleArn: String(properties.Role ?? ''),
        architectures: (properties.Architectures as string[] | undefined) ?? ['x86_64'],
        ...(typeof properties.Description === 'string' ? { description: properties.Description } : {}),
      });
    },
    'AWS::Lambda::EventInvokeConfig': ({ properties }) => {
      const destinations = (properties.DestinationConfig ?? {}) as Record<string, { Destination?: unknown }>;
      lambda.putEventInvokeConfig(
        String(properties.FunctionName),
        {
          maximumRetryAttempts: optionalNumber(properties.MaximumRetryAttempts),
          maximumEventAgeInSeconds: optionalNumber(properties.MaximumEventAgeInSeconds),
          onSuccess: text(destinations.OnSuccess?.Destination),
          onFailure: text(destinations.OnFailure?.Destination),
        },
        text(properties.Qualifier),
      );
    },
    'AWS::IAM::Role': ({ identity, properties }) => {
      for (const policy of (properties.Policies as Array<{ PolicyDocument: unknown }> | undefined) ?? []) {
        policies.attach(identity.ref, policy.PolicyDocument);
      }
    },
    'AWS::IAM::Policy': ({ properties }) => {
      for (const role of (properties.Roles as string[] | undefined) ?? [])
        policies.attach(role, properties.PolicyDocument);
    },
    'AWS::SecretsManager::Secret': ({ identity, properties }) => {
      const name = String(properties.Name ?? identity.ref);
      secrets.define({
        name,
        arn: identity.ref,
        ...(typeof properties.Description === 'string' ? { description: properties.Description } : {}),
        value:
          typeof properties.SecretString === 'string'
            ? properties.SecretString
            : localSecretValue(name, stateDir).value,
      });
    },
    'AWS::SES::ConfigurationSet': ({ identity }) => ses.createConfigurationSet(identity.ref),
    'AWS::SES::ConfigurationSetEventDestination': ({ identity, properties }) => {
      const destination = properties.EventDestination as Properties;
      const eventBusArn = (destination.EventBridgeDestination as Properties | undefined)?.EventBusArn;
      if (typeof eventBusArn !== 'string')
        throw new NotEmulatedLocally('only an EventBridge event destination is emulated');
      if (destination.Enabled === false) return;
      ses.addEventDestination(String(properties.ConfigurationSetName), {
        name: String(destination.Name ?? identity.ref),
        eventTypes: ((destination.MatchingEventTypes as string[] | undefined) ?? []).map((type) =>
          type.toLowerCase(),
        ),
        eventBusArn,
      });
    },
    'AWS::SES::EmailIdentity': ({ identity }) => ses.verifyIdentity(identity.ref),
    'AWS::Scheduler::ScheduleGroup': ({ identity }) => {
      scheduler.createScheduleGroup(identity.ref);
    },
    'AWS::Scheduler::Schedule': ({ stackName, logicalId, identity, properties }) => {
      const body = { ...properties, GroupName: properties.GroupName ?? 'default' };
      // As CloudFormation: an unchanged template does not bring back a schedule that completed and deleted
      // itself (ActionAfterCompletion DELETE) since it was deployed.
      const fingerprint = createHash('sha256').update(JSON.stringify(body)).digest('hex');
      const key = `${stackName}/${logicalId}`;
      if (deployedSchedules[key] === fingerprint) return;
      deployedSchedules[key] = fingerprint;
      writeJsonAtomic(deployedSchedulesFile, deployedSchedules);
      createOrUpdate(
        () => scheduler.createSchedule(identity.ref, body),
        'ConflictException',
        () => scheduler.updateSchedule(identity.ref, body),
      );
    },
    'AWS::Events::EventBus': ({ identity, properties }) => {
      createOrUpdate(
        () => eventbridge.createBus({ Name: identity.ref, Description: text(properties.Description) }),
        'ResourceAlreadyExistsException',
      );
    },
    'AWS::Events::Archive': ({ identity, properties }) => {
      createOrUpdate(
        () =>
          eventbridge.createArchive({
            ...properties,
            ArchiveName: identity.ref,
            EventSourceArn: String(properties.SourceArn),
            ...(properties.EventPattern ? { EventPattern: patternText(properties.EventPattern) } : {}),
          }),
        'ResourceAlreadyExistsException',
      );
    },
    'AWS::Events::Rule': ({ identity, properties }) => {
      const ruleName = identity.ref.split('|').pop() ?? identity.ref;
      eventbridge.putRule({
        ...properties,
        Name: ruleName,
        ...(properties.EventPattern ? { EventPattern: patternText(properties.EventPattern) } : {}),
      });
      // AWS::Events::Rule names its targets' members as PutTargets does; EventBridge checks them.
      const targets = (properties.Targets as Target[] | undefined) ?? [];
      if (targets.length > 0) {
        eventbridge.putTargets({
          Rule: ruleName,
          EventBusName: text(properties.EventBusName),
          Targets: targets,
        });
      }
    },
    'AWS::StepFunctions::StateMachine': ({ identity, properties }) => {
      const machine = {
        name: String(identity.attributes.Name),
        definition: stateMachineDefinition(properties),
        roleArn: String(properties.RoleArn ?? ''),
        type: properties.StateMachineType === 'EXPRESS' ? ('EXPRESS' as const) : ('STANDARD' as const),
      };
      createOrUpdate(
        () => stepfunctions.createStateMachine(machine),
        'StateMachineAlreadyExists',
        () =>
          stepfunctions.updateStateMachine({
            stateMachineArn: identity.ref,
            definition: machine.definition,
            roleArn: machine.roleArn,
          }),
      );
    },
    'AWS::SNS::Topic': ({ identity, properties }) => {
      const topicArn = sns.createTopic(String(identity.attributes.TopicName), topicAttributes(properties));
      for (const inline of (properties.Subscription as Properties[] | undefined) ?? [])
        subscribeOrSkip(() => sns.subscribe(topicArn, String(inline.Protocol), String(inline.Endpoint)));
    },
    'AWS::SNS::Subscription': ({ properties }) => {
      const attributes = Object.fromEntries(
        (['RawMessageDelivery', 'FilterPolicy', 'FilterPolicyScope'] as const).flatMap((name) => {
          const value = properties[name];
          if (value === undefined) return [];
          return [[name, typeof value === 'object' ? JSON.stringify(value) : String(value)]];
        }),
      );
      subscribeOrSkip(() =>
        sns.subscribe(
          String(properties.TopicArn),
          String(properties.Protocol),
          String(properties.Endpoint),
          attributes,
        ),
      );
    },
    'AWS::S3::Bucket': ({ identity, properties }) => {
      // A bucket a CDK BucketDeployment fills (the web stack's) would stay empty: that custom resource does not
      // run locally, and the local web server serves web/dist in the bucket's place.
      const tags = (properties.Tags as Array<{ Key?: unknown }> | undefined) ?? [];
      if (tags.some((tag) => String(tag.Key).startsWith('aws-cdk:cr-owned:')))
        throw new NotEmulatedLocally('its contents come from a BucketDeployment, which does not run locally');
      s3.store.ensureBucket(identity.ref);
    },
    'AWS::KinesisFirehose::DeliveryStream': ({ identity, properties }) => {
      firehose.define(identity.ref, String(identity.attributes.Arn), properties);
    },
    'AWS::Glue::Database': ({ identity, properties }) => {
      glue.putDatabase({ ...(properties.DatabaseInput as DatabaseInput), Name: identity.ref });
    },
    'AWS::Glue::Table': ({ identity, properties }) => {
      glue.putTable(String(properties.DatabaseName), {
        ...(properties.TableInput as TableInput),
        Name: identity.ref,
      });
    },
    'AWS::Athena::WorkGroup': ({ identity, properties }) => {
      athena.putWorkGroup({ ...(properties as Omit<WorkGroupProperties, 'Name'>), Name: identity.ref });
    },
    'AWS::Athena::NamedQuery': ({ identity, properties }) => {
      athena.putNamedQuery({
        NamedQueryId: identity.ref,
        Name: String(properties.Name ?? identity.ref),
        ...(typeof properties.Description === 'string' ? { Description: properties.Description } : {}),
        Database: String(properties.Database),
        QueryString: String(properties.QueryString),
        WorkGroup: String(properties.WorkGroup ?? 'primary'),
      });
    },
    'AWS::ApiGateway::RestApi': apiHandledPerStack,
    'AWS::ApiGateway::Resource': apiHandledPerStack,
    'AWS::ApiGateway::Method': apiHandledPerStack,
    'AWS::ApiGateway::Deployment': apiHandledPerStack,
    'AWS::ApiGateway::Stage': apiHandledPerStack,
    'AWS::ApiGateway::Authorizer': apiHandledPerStack,
    'AWS::ApiGatewayV2::Api': apiHandledPerStack,
    'AWS::ApiGatewayV2::Route': apiHandledPerStack,
    'AWS::ApiGatewayV2::Integration': apiHandledPerStack,
    'AWS::ApiGatewayV2::Stage': apiHandledPerStack,
    'AWS::ApiGatewayV2::Authorizer': apiHandledPerStack,
  };
}

/**
 * A restart redeploys onto persisted state: a resource already there from an earlier start is brought in
 * line with the template by `update`, as a stack update would, or kept as it is when there is none.
 */
function createOrUpdate(
  create: () => unknown,
  alreadyExistsCode: string,
  update: () => unknown = () => {},
): void {
  try {
    create();
  } catch (error) {
    if ((error as { code?: string }).code !== alreadyExistsCode) throw error;
    update();
  }
}

/** The topic properties that are SNS topic attributes (inline subscriptions and tags are not). */
function topicAttributes(properties: Properties): Record<string, string> {
  const names = ['DisplayName', 'KmsMasterKeyId', 'FifoTopic', 'ContentBasedDeduplication', 'TracingConfig'];
  return Object.fromEntries(
    names.flatMap((name) => (properties[name] === undefined ? [] : [[name, String(properties[name])]])),
  );
}

/** A protocol the local SNS does not deliver (https, sms...) is reported as skipped, not a failed deploy. */
function subscribeOrSkip(subscribe: () => unknown): void {
  try {
    subscribe();
  } catch (error) {
    if ((error as { code?: string }).code === 'InvalidParameter')
      throw new NotEmulatedLocally((error as Error).message);
    throw error;
  }
}

/** CloudFormation takes an event pattern as an object or a JSON string; the EventBridge API as a string. */
const patternText = (pattern: unknown): string =>
  typeof pattern === 'string' ? pattern : JSON.stringify(pattern);

/** Types that mean something only in AWS: accepted, with nothing to do locally. */
export const NO_LOCAL_EFFECT = new Set([
  'AWS::CDK::Metadata',
  'AWS::Lambda::Permission',
  'AWS::Logs::LogGroup',
  'AWS::SQS::QueuePolicy',
  'AWS::SNS::TopicPolicy',
]);

/** The definition with DefinitionSubstitutions applied, as CloudFormation does before creating the machine. */
export function stateMachineDefinition(properties: Properties): string {
  const definition =
    typeof properties.DefinitionString === 'string'
      ? properties.DefinitionString
      : JSON.stringify(properties.Definition ?? {});
  const substitutions = (properties.DefinitionSubstitutions ?? {}) as Record<string, unknown>;
  return definition.replace(/\$\{([A-Za-z0-9_]+)\}/g, (whole, name: string) =>
    name in substitutions ? String(substitutions[name]) : whole,
  );
}
