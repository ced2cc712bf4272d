import { describe, expect, it } from 'vitest';
import type { AssemblyStack, CfnTemplate } from '../../../../../infra/local/deployer/assembly';
import {
  type DeployedResource,
  deployStacks,
  NotEmulatedLocally,
} from '../../../../../infra/local/deployer/deploy';

const stack = (stackName: string, template: CfnTemplate): AssemblyStack => ({
  stackName,
  template,
  assemblyDirectory: '/tmp/assembly',
});

const options = (
  provisioned: DeployedResource[],
  types: string[] = ['AWS::SQS::Queue', 'AWS::Lambda::Function'],
) => ({
  account: '000000000000',
  region: 'eu-west-1',
  edgeUrl: 'http://localhost:4566',
  apiUrl: 'http://localhost:3000',
  provisioners: Object.fromEntries(
    types.map((type) => [type, (resource: DeployedResource) => void provisioned.push(resource)]),
  ),
  noLocalEffect: new Set(['AWS::CDK::Metadata']),
});

const producer = stack('Producer', {
  Resources: {
    Queue: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'jobs' } },
    Unnamed: { Type: 'AWS::SQS::Queue' },
  },
  Outputs: {
    QueueArn: { Value: { 'Fn::GetAtt': ['Queue', 'Arn'] }, Export: { Name: 'Producer:QueueArn' } },
  },
});

describe('deployStacks', () => {
  it('resolves Ref, GetAtt, Join, Sub, Select, Split, ImportValue and pseudo parameters to local values', async () => {
    const provisioned: DeployedResource[] = [];
    const consumer = stack('Consumer', {
      Conditions: { IsProd: { 'Fn::Equals': [{ Ref: 'Stage' }, 'prod'] } },
      Parameters: { Stage: { Type: 'String', Default: 'dev' } },
      Resources: {
        Worker: {
          Type: 'AWS::Lambda::Function',
          Properties: {
            FunctionName: { 'Fn::Join': ['-', ['worker', { Ref: 'Stage' }]] },
            Environment: {
              Variables: {
                QUEUE_ARN: { 'Fn::ImportValue': 'Producer:QueueArn' },
                // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a template literal
                WHERE: { 'Fn::Sub': '${AWS::Region}/${AWS::AccountId}/${Stage}/${!Literal}' },
                LOCAL_QUEUE: { Ref: 'Local' },
                // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a template literal
                LOCAL_QUEUE_ARN: { 'Fn::Sub': '${Local.Arn}' },
                SECOND: { 'Fn::Select': [1, { 'Fn::Split': [',', 'a,b,c'] }] },
                PROD_ONLY: { 'Fn::If': ['IsProd', 'yes', { Ref: 'AWS::NoValue' }] },
              },
            },
          },
        },
        Local: { Type: 'AWS::SQS::Queue', Properties: { QueueName: 'local' } },
        Meta: { Type: 'AWS::CDK::Metadata' },
        Alarm: { Type: 'AWS::CloudWatch::Alarm', Properties: {} },
      },
    });
    const report = await deployStacks([producer, consumer], options(provisioned));

    const worker = provisioned.find((resource) => resource.logicalId === 'Worker');
    expect(worker?.identity.attributes.Arn).toBe('arn:aws:lambda:eu-west-1:000000000000:function:worker-dev');
    expect(worker?.properties.Environment).toEqual({
      Variables: {
        QUEUE_ARN: 'arn:aws:sqs:eu-west-1:000000000000:jobs',
        // biome-ignore lint/suspicious/noTemplateCurlyInString: CloudFormation Fn::Sub syntax, not a template literal
        WHERE: 'eu-west-1/000000000000/dev/${Literal}',
        LOCAL_QUEUE: 'http://localhost:4566/000000000000/local',
        LOCAL_QUEUE_ARN: 'arn:aws:sqs:eu-west-1:000000000000:local',
        SECOND: 'b',
      },
    });
    expect(report.skipped).toEqual([
      { stackName: 'Consumer', logicalId: 'Alarm', type: 'AWS::CloudWatch::Alarm' },
    ]);
  });

  it('creates resources after the ones they refer to, and names unnamed ones stably', async () => {
    const provisioned: DeployedResource[] = [];
    await deployStacks(
      [
        stack('Ordered', {
          Resources: {
            First: { Type: 'AWS::Lambda::Function', Properties: { Environment: { Q: { Ref: 'Second' } } } },
            Second: { Type: 'AWS::SQS::Queue', DependsOn: 'Third' },
            Third: { Type: 'AWS::SQS::Queue' },
          },
        }),
      ],
      options(provisioned),
    );
    expect(provisioned.map((resource) => resource.logicalId)).toEqual(['Third', 'Second', 'First']);
    const again: DeployedResource[] = [];
    await deployStacks([producer], options(again));
    const unnamed = again.find((resource) => resource.logicalId === 'Unnamed')?.identity.attributes.QueueName;
    expect(unnamed).toMatch(/^Producer-Unnamed-[0-9A-F]{12}$/);
    const repeat: DeployedResource[] = [];
    await deployStacks([producer], options(repeat));
    expect(repeat.find((resource) => resource.logicalId === 'Unnamed')?.identity.attributes.QueueName).toBe(
      unnamed,
    );
  });

  it('names the resource and the problem when a template cannot be resolved', async () => {
    const broken = stack('Broken', {
      Resources: {
        Worker: { Type: 'AWS::Lambda::Function', Properties: { Role: { 'Fn::GetAtt': ['Missing', 'Arn'] } } },
      },
    });
    await expect(deployStacks([broken], options([]))).rejects.toThrow(
      /Broken\/Worker.*GetAtt of unknown resource Missing/,
    );
    const missingExport = stack('Importer', {
      Resources: {
        Worker: { Type: 'AWS::Lambda::Function', Properties: { X: { 'Fn::ImportValue': 'Nope' } } },
      },
    });
    await expect(deployStacks([missingExport], options([]))).rejects.toThrow(/no stack exports "Nope"/);
    const cycle = stack('Cycle', {
      Resources: {
        A: { Type: 'AWS::SQS::Queue', DependsOn: 'B' },
        B: { Type: 'AWS::SQS::Queue', DependsOn: 'A' },
      },
    });
    await expect(deployStacks([cycle], options([]))).rejects.toThrow(/circular dependency: A → B → A/);
  });

  it('passes a CommaDelimitedList parameter as a list, from its default or the given value', async () => {
    const template: CfnTemplate = {
      Parameters: { Origins: { Type: 'CommaDelimitedList', Default: 'http://a.example, http://b.example' } },
      Resources: {
        Api: { Type: 'AWS::SQS::Queue', Properties: { Cors: { AllowOrigins: { Ref: 'Origins' } } } },
      },
    };
    const fromDefault: DeployedResource[] = [];
    await deployStacks([stack('Lists', template)], options(fromDefault));
    expect(fromDefault[0]?.properties.Cors).toEqual({
      AllowOrigins: ['http://a.example', 'http://b.example'],
    });
    const given: DeployedResource[] = [];
    await deployStacks([stack('Lists', template)], {
      ...options(given),
      parameterValues: { Origins: 'http://127.0.0.1:5173' },
    });
    expect(given[0]?.properties.Cors).toEqual({ AllowOrigins: ['http://127.0.0.1:5173'] });
  });

  it('reports a resource its provisioner cannot run locally as skipped, and deploys the rest', async () => {
    const mixed = stack('Mixed', {
      Resources: {
        Python: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'python3.13' } },
        Node: { Type: 'AWS::Lambda::Function', Properties: { Runtime: 'nodejs22.x' } },
      },
    });
    const provisioned: string[] = [];
    const report = await deployStacks([mixed], {
      ...options([]),
      provisioners: {
        'AWS::Lambda::Function': ({ logicalId, properties }) => {
          if (properties.Runtime !== 'nodejs22.x')
            throw new NotEmulatedLocally('python3.13 functions do not run locally');
          provisioned.push(logicalId);
        },
      },
    });
    expect(provisioned).toEqual(['Node']);
    expect(report.skipped).toEqual([
      {
        stackName: 'Mixed',
        logicalId: 'Python',
        type: 'AWS::Lambda::Function',
        reason: 'python3.13 functions do not run locally',
      },
    ]);
  });
});
