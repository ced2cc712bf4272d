/**
 * What CloudFormation would return for `Ref` and `Fn::GetAtt` of each resource, computed before anything is
 * created: physical names come from the name property when the template sets one, otherwise from a
 * deterministic `<stack>-<logicalId>-<hash>` (as CloudFormation generates, but stable across restarts, so
 * that persisted state still matches).
 */
import { createHash } from 'node:crypto';
import type { ResourceIdentity } from './intrinsics';

export interface IdentityContext {
  readonly account: string;
  readonly region: string;
  readonly stackName: string;
  readonly edgeUrl: string;
  readonly apiUrl: string;
  /** The resource's properties, resolved as far as they could be without this resource's own identity. */
  readonly properties: Record<string, unknown>;
}

export function generatedName(stackName: string, logicalId: string, maxLength = 64): string {
  const suffix = createHash('sha256')
    .update(`${stackName}/${logicalId}`)
    .digest('hex')
    .slice(0, 12)
    .toUpperCase();
  const base = `${stackName}-${logicalId}`.slice(0, maxLength - suffix.length - 1);
  return `${base}-${suffix}`;
}

type IdentityRule = (logicalId: string, context: IdentityContext) => ResourceIdentity;

const nameFrom =
  (property: string, maxLength = 64) =>
  (logicalId: string, { properties, stackName }: IdentityContext): string => {
    const value = properties[property];
    return typeof value === 'string' && value !== '' ? value : generatedName(stackName, logicalId, maxLength);
  };

/** Glue names its resources inside an input object: `DatabaseInput.Name`, `TableInput.Name`. */
const inputName = (input: string, logicalId: string, context: IdentityContext): string => {
  const name = (context.properties[input] as { Name?: unknown } | undefined)?.Name;
  return typeof name === 'string' && name !== '' ? name : generatedName(context.stackName, logicalId);
};

const arn = (context: IdentityContext, service: string, resource: string, global = false) =>
  `arn:aws:${service}:${global ? '' : context.region}:${context.account}:${resource}`;

const RULES: Record<string, IdentityRule> = {
  'AWS::DynamoDB::Table': (id, c) => table(nameFrom('TableName', 255)(id, c), c),
  'AWS::DynamoDB::GlobalTable': (id, c) => table(nameFrom('TableName', 255)(id, c), c),
  'AWS::Events::EventBus': (id, c) => {
    const name = nameFrom('Name', 256)(id, c);
    return { ref: name, attributes: { Name: name, Arn: arn(c, 'events', `event-bus/${name}`) } };
  },
  'AWS::Events::Rule': (id, c) => {
    const name = nameFrom('Name')(id, c);
    const bus =
      typeof c.properties.EventBusName === 'string' ? busName(c.properties.EventBusName) : 'default';
    const path = bus === 'default' ? name : `${bus}/${name}`;
    return {
      ref: bus === 'default' ? name : `${bus}|${name}`,
      attributes: { Arn: arn(c, 'events', `rule/${path}`) },
    };
  },
  'AWS::Events::Archive': (id, c) => {
    const name = nameFrom('ArchiveName', 48)(id, c);
    return { ref: name, attributes: { Arn: arn(c, 'events', `archive/${name}`) } };
  },
  'AWS::Lambda::Function': (id, c) => {
    const name = nameFrom('FunctionName')(id, c);
    return { ref: name, attributes: { Arn: arn(c, 'lambda', `function:${name}`) } };
  },
  'AWS::Lambda::Alias': (id, c) => {
    const name = nameFrom('Name')(id, c);
    return { ref: arn(c, 'lambda', `function:${String(c.properties.FunctionName)}:${name}`), attributes: {} };
  },
  'AWS::Lambda::Permission': (id, c) => ({ ref: generatedName(c.stackName, id), attributes: {} }),
  'AWS::Lambda::EventInvokeConfig': (id, c) => ({ ref: generatedName(c.stackName, id), attributes: {} }),
  'AWS::IAM::Role': (id, c) => {
    const name = nameFrom('RoleName')(id, c);
    return {
      ref: name,
      attributes: { Arn: arn(c, 'iam', `role/${name}`, true), RoleId: `AROA${hash(name, 17)}` },
    };
  },
  'AWS::IAM::Policy': (id, c) => ({ ref: nameFrom('PolicyName')(id, c), attributes: {} }),
  'AWS::IAM::ManagedPolicy': (id, c) => ({
    ref: arn(c, 'iam', `policy/${nameFrom('ManagedPolicyName')(id, c)}`, true),
    attributes: {},
  }),
  'AWS::SQS::Queue': (id, c) => {
    const fifo = c.properties.FifoQueue === true || c.properties.FifoQueue === 'true';
    const generated = generatedName(c.stackName, id, fifo ? 75 : 80);
    const name = nameFrom('QueueName', 80)(id, c) || generated;
    const queueName = fifo && !name.endsWith('.fifo') ? `${name}.fifo` : name;
    const url = `${c.edgeUrl}/${c.account}/${queueName}`;
    return { ref: url, attributes: { Arn: arn(c, 'sqs', queueName), QueueName: queueName, QueueUrl: url } };
  },
  'AWS::SQS::QueuePolicy': (id, c) => ({ ref: generatedName(c.stackName, id), attributes: {} }),
  'AWS::SNS::Topic': (id, c) => {
    const fifo = c.properties.FifoTopic === true || c.properties.FifoTopic === 'true';
    const name = nameFrom('TopicName', fifo ? 251 : 256)(id, c);
    const topicName = fifo && !name.endsWith('.fifo') ? `${name}.fifo` : name;
    const topicArn = arn(c, 'sns', topicName);
    return { ref: topicArn, attributes: { TopicArn: topicArn, TopicName: topicName } };
  },
  // Not emulated (skipped), but an encrypted topic's KmsMasterKeyId names the key by its ARN.
  'AWS::KMS::Key': (id, c) => {
    const keyId = hash(`${c.stackName}/${id}`, 32).toLowerCase();
    return { ref: keyId, attributes: { KeyId: keyId, Arn: arn(c, 'kms', `key/${keyId}`) } };
  },
  'AWS::KinesisFirehose::DeliveryStream': (id, c) => {
    const name = nameFrom('DeliveryStreamName', 64)(id, c);
    return { ref: name, attributes: { Arn: arn(c, 'firehose', `deliverystream/${name}`) } };
  },
  'AWS::Glue::Database': (id, c) => ({
    ref: inputName('DatabaseInput', id, c).toLowerCase(),
    attributes: {},
  }),
  'AWS::Glue::Table': (id, c) => ({ ref: inputName('TableInput', id, c).toLowerCase(), attributes: {} }),
  'AWS::Athena::WorkGroup': (id, c) => ({ ref: nameFrom('Name', 128)(id, c), attributes: {} }),
  'AWS::Logs::LogGroup': (id, c) => {
    const name = nameFrom('LogGroupName', 512)(id, c);
    return { ref: name, attributes: { Arn: arn(c, 'logs', `log-group:${name}:*`) } };
  },
  'AWS::SecretsManager::Secret': (id, c) => {
    const name = nameFrom('Name', 512)(id, c);
    const secretArn = arn(c, 'secretsmanager', `secret:${name}-${hash(name, 6)}`);
    return { ref: secretArn, attributes: { Id: secretArn } };
  },
  'AWS::StepFunctions::StateMachine': (id, c) => {
    const name = nameFrom('StateMachineName', 80)(id, c);
    const machineArn = arn(c, 'states', `stateMachine:${name}`);
    return { ref: machineArn, attributes: { Arn: machineArn, Name: name } };
  },
  'AWS::Scheduler::ScheduleGroup': (id, c) => {
    const name = nameFrom('Name')(id, c);
    return { ref: name, attributes: { Arn: arn(c, 'scheduler', `schedule-group/${name}`) } };
  },
  'AWS::Scheduler::Schedule': (id, c) => {
    const name = nameFrom('Name')(id, c);
    const group = typeof c.properties.GroupName === 'string' ? c.properties.GroupName : 'default';
    return { ref: name, attributes: { Arn: arn(c, 'scheduler', `schedule/${group}/${name}`) } };
  },
  'AWS::SES::ConfigurationSet': (id, c) => ({ ref: nameFrom('Name')(id, c), attributes: {} }),
  'AWS::SES::EmailIdentity': (id, c) => ({ ref: String(c.properties.EmailIdentity ?? id), attributes: {} }),
  'AWS::EventSchemas::Registry': (id, c) => {
    const name = nameFrom('RegistryName')(id, c);
    const registryArn = arn(c, 'schemas', `registry/${name}`);
    return { ref: registryArn, attributes: { RegistryName: name, RegistryArn: registryArn } };
  },
  'AWS::EventSchemas::Schema': (id, c) => {
    const name = nameFrom('SchemaName', 385)(id, c);
    const schemaArn = arn(c, 'schemas', `schema/${String(c.properties.RegistryName)}/${name}`);
    return { ref: schemaArn, attributes: { SchemaName: name, SchemaArn: schemaArn, SchemaVersion: '1' } };
  },
  'AWS::ApiGatewayV2::Api': (id, c) => {
    const apiId = hash(`${c.stackName}/${id}`, 10).toLowerCase();
    return { ref: apiId, attributes: { ApiId: apiId, ApiEndpoint: c.apiUrl } };
  },
  'AWS::ApiGateway::RestApi': (id, c) => {
    const apiId = hash(`${c.stackName}/${id}`, 10).toLowerCase();
    return {
      ref: apiId,
      attributes: { RestApiId: apiId, RootResourceId: hash(`${apiId}/`, 10).toLowerCase() },
    };
  },
  'AWS::ApiGateway::Resource': (id, c) => {
    const resourceId = hash(`${c.stackName}/${id}`, 6).toLowerCase();
    return { ref: resourceId, attributes: { ResourceId: resourceId } };
  },
  // The web stack's resources are not emulated (the local web server serves web/dist), but what they
  // return is referenced by each other's properties and by the deployment's IAM policy.
  'AWS::S3::Bucket': (id, c) => {
    const name = nameFrom('BucketName', 63)(id, c).toLowerCase();
    return {
      ref: name,
      attributes: {
        Arn: `arn:aws:s3:::${name}`,
        DomainName: `${name}.s3.amazonaws.com`,
        RegionalDomainName: `${name}.s3.${c.region}.amazonaws.com`,
        DualStackDomainName: `${name}.s3.dualstack.${c.region}.amazonaws.com`,
        WebsiteURL: `http://${name}.s3-website-${c.region}.amazonaws.com`,
      },
    };
  },
  'AWS::CloudFront::Distribution': (id, c) => {
    const distributionId = `E${hash(`${c.stackName}/${id}`, 13)}`;
    return {
      ref: distributionId,
      attributes: {
        Id: distributionId,
        DomainName: `d${hash(distributionId, 13).toLowerCase()}.cloudfront.net`,
      },
    };
  },
  'AWS::CloudFront::Function': (id, c) => {
    const functionArn = arn(c, 'cloudfront', `function/${nameFrom('Name')(id, c)}`, true);
    return {
      ref: functionArn,
      attributes: { FunctionARN: functionArn, 'FunctionMetadata.FunctionARN': functionArn },
    };
  },
  'AWS::CloudFront::OriginAccessControl': (id, c) => {
    const controlId = `E${hash(`${c.stackName}/${id}`, 13)}`;
    return { ref: controlId, attributes: { Id: controlId } };
  },
  'AWS::CloudFront::ResponseHeadersPolicy': (id, c) => {
    const policyId = hash(`${c.stackName}/${id}`, 32).toLowerCase();
    return { ref: policyId, attributes: { Id: policyId } };
  },
  'AWS::Lambda::LayerVersion': (id, c) => ({
    ref: arn(c, 'lambda', `layer:${nameFrom('LayerName', 64)(id, c)}:1`),
    attributes: {},
  }),
  'AWS::CloudWatch::Alarm': (id, c) => {
    const name = nameFrom('AlarmName', 255)(id, c);
    return { ref: name, attributes: { Arn: arn(c, 'cloudwatch', `alarm:${name}`) } };
  },
};

/** Identity of a resource; types without a rule get a generated id and no attributes. */
export function identityOf(type: string, logicalId: string, context: IdentityContext): ResourceIdentity {
  const rule = RULES[type];
  return rule
    ? rule(logicalId, context)
    : { ref: generatedName(context.stackName, logicalId), attributes: {} };
}

function table(name: string, context: IdentityContext): ResourceIdentity {
  const tableArn = arn(context, 'dynamodb', `table/${name}`);
  return {
    ref: name,
    attributes: { Arn: tableArn, StreamArn: `${tableArn}/stream/1970-01-01T00:00:00.000` },
  };
}

function busName(nameOrArn: string): string {
  return nameOrArn.startsWith('arn:') ? (nameOrArn.split('/').pop() ?? nameOrArn) : nameOrArn;
}

function hash(text: string, length: number): string {
  return createHash('sha256').update(text).digest('hex').slice(0, length).toUpperCase();
}
