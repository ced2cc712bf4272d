/**
 * The public HTTP API (API Gateway HTTP API): the Messenger webhook, the auth and reminder REST routes, and
 * the health check. Each route's function is built with AuroraFunction.
 */
import { CfnOutput, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { AuroraConfig } from '../config';
import { AuroraFunction } from '../constructs/aurora-function';
import type { StatefulStack } from './stateful-stack';

export interface ApiStackProps extends StackProps {
  readonly config: AuroraConfig;
  readonly stateful: StatefulStack;
}

export class ApiStack extends Stack {
  readonly api: apigwv2.HttpApi;
  readonly healthFunction: AuroraFunction;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config, stateful } = props;

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_MONTH });
    this.api = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: `aurora-${config.stage}`,
      description: 'Aurora Time: Messenger webhook, auth and reminders',
      createDefaultStage: false,
    });
    new apigwv2.HttpStage(this, 'DefaultStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: 200, burstLimit: 400 },
      accessLogSettings: {
        destination: new apigwv2.LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.jsonWithStandardFields(),
      },
    });

    this.healthFunction = new AuroraFunction(this, 'Health', {
      name: 'health',
      description: 'Readiness: can the system reach its table and its bus?',
      serviceName: 'health',
      logLevel: config.logLevel,
      environment: { TABLE_NAME: stateful.table.tableName, EVENT_BUS_NAME: stateful.bus.eventBusName },
    });
    // Exactly the two reads the probe makes.
    this.healthFunction.role.addToPolicy(
      new iam.PolicyStatement({ actions: ['dynamodb:GetItem'], resources: [stateful.table.tableArn] }),
    );
    this.healthFunction.role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['events:DescribeEventBus'],
        resources: [stateful.bus.eventBusArn],
      }),
    );
    this.api.addRoutes({
      path: '/health',
      methods: [apigwv2.HttpMethod.GET],
      integration: new HttpLambdaIntegration('HealthIntegration', this.healthFunction.function),
    });

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG4',
      reason:
        'Public by design: /health is an unauthenticated probe, and /webhook is authenticated by the ' +
        'X-Hub-Signature-256 HMAC that Meta sends, checked in the function.',
    });
    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
  }
}
