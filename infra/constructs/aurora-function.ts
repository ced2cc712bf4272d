/**
 * The one Lambda function construct: every function in Aurora Time is built with these defaults.
 *
 * - Node.js 22 on arm64 (cheaper per GB-second), an ESM bundle with source maps, minified.
 * - Its own log group with a retention period, and an execution role that may write only to it (no
 *   AWSLambdaBasicExecutionRole, which grants logs on every log group).
 * - X-Ray active tracing, Powertools service name and log level.
 */
import { join } from 'node:path';
import { Duration, RemovalPolicy, Validations } from 'aws-cdk-lib';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import { NodejsFunction, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { allow } from './grants';

export const REPOSITORY_ROOT = join(import.meta.dirname, '..', '..');

export interface AuroraFunctionProps {
  /** Folder under functions/ holding handler.ts, e.g. `messenger-webhook`. */
  readonly name: string;
  readonly description: string;
  readonly serviceName: string;
  readonly logLevel: string;
  readonly environment?: Record<string, string>;
  readonly timeout?: Duration;
  readonly memorySize?: number;
  readonly reservedConcurrentExecutions?: number;
  readonly logRetention?: logs.RetentionDays;
}

export class AuroraFunction extends Construct {
  readonly function: NodejsFunction;
  readonly role: iam.Role;
  readonly logGroup: logs.LogGroup;

  /**
   * The one way a function is given a permission: exactly `actions` on `resources`, and for DynamoDB only the
   * partitions `leadingKeys` names (infra/constructs/grants.ts).
   */
  allow(actions: string[], resources: string[], leadingKeys?: string[]): void {
    allow(this.role, actions, resources, leadingKeys);
  }

  constructor(scope: Construct, id: string, props: AuroraFunctionProps) {
    super(scope, id);
    this.logGroup = new logs.LogGroup(this, 'Logs', {
      retention: props.logRetention ?? logs.RetentionDays.ONE_MONTH,
      removalPolicy: RemovalPolicy.DESTROY,
    });

    this.role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Execution role of ${props.name}`,
    });
    this.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [this.logGroup.logGroupArn],
      }),
    );

    this.function = new NodejsFunction(this, 'Function', {
      entry: join(REPOSITORY_ROOT, 'functions', props.name, 'handler.ts'),
      handler: 'handler',
      description: props.description,
      runtime: lambda.Runtime.NODEJS_22_X,
      architecture: lambda.Architecture.ARM_64,
      memorySize: props.memorySize ?? 256,
      timeout: props.timeout ?? Duration.seconds(10),
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambda.Tracing.ACTIVE,
      ...(props.reservedConcurrentExecutions === undefined
        ? {}
        : { reservedConcurrentExecutions: props.reservedConcurrentExecutions }),
      projectRoot: REPOSITORY_ROOT,
      depsLockFilePath: join(REPOSITORY_ROOT, 'package-lock.json'),
      environment: {
        POWERTOOLS_SERVICE_NAME: props.serviceName,
        POWERTOOLS_LOG_LEVEL: props.logLevel,
        NODE_OPTIONS: '--enable-source-maps',
        ...props.environment,
      },
      bundling: {
        format: OutputFormat.ESM,
        target: 'node22',
        platform: 'node',
        mainFields: ['module', 'main'],
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        // Some CommonJS dependencies call require(); give the ESM bundle one.
        banner:
          "import{createRequire as __auroraRequire}from'node:module';const require=__auroraRequire(import.meta.url);",
        // The runtime provides the AWS SDK v3, but bundling pins the version we test with.
        externalModules: [],
        // SQL files (analytics/queries/) import as their text, so a function runs the very file CDK deploys.
        loader: { '.sql': 'text' },
      },
    });

    Validations.of(this.function).acknowledge({
      id: 'AwsSolutions::AwsSolutions-L1',
      reason:
        'nodejs22.x is chosen on purpose: it is in LTS support, and the same code runs on the Node 20 host ' +
        'of the local cloud; a runtime upgrade is a reviewed change, not an automatic one.',
    });
    Validations.of(this.role).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'X-Ray PutTraceSegments and PutTelemetryRecords do not support resource-level permissions; ' +
        'the resource must be "*" (https://docs.aws.amazon.com/xray/latest/devguide/security_iam_id-based-policy-examples.html).',
    });
  }
}
