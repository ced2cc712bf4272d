/**
 * The public HTTP API (API Gateway HTTP API): the Messenger webhook, the auth and reminder REST routes, and
 * the health check. Each route's function is built with AuroraFunction.
 */
import { CfnOutput, CfnParameter, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import * as logs from 'aws-cdk-lib/aws-logs';
import type { Construct } from 'constructs';
import type { AuroraConfig } from '../config';
import { AuroraFunction } from '../constructs/aurora-function';
import { AuthRoutes } from '../constructs/auth-routes';
import { CalendarRoutes } from '../constructs/calendar-routes';
import type { StatefulStack } from './stateful-stack';

export interface ApiStackProps extends StackProps {
  readonly config: AuroraConfig;
  readonly stateful: StatefulStack;
  /** Serves GET /admin/analytics (the analytics stack's function, which runs the Athena queries). */
  readonly analyticsFunction: lambda.IFunction;
}

export class ApiStack extends Stack {
  readonly api: apigwv2.HttpApi;
  readonly healthFunction: AuroraFunction;
  readonly webhookFunction: AuroraFunction;
  readonly authFunction: AuroraFunction;
  readonly calendarRoutes: CalendarRoutes;

  constructor(scope: Construct, id: string, props: ApiStackProps) {
    super(scope, id, props);
    const { config, stateful } = props;

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', { retention: logs.RetentionDays.ONE_MONTH });
    // A deploy-time parameter, so that the local cloud adds the origin of its web server (any port) and an
    // AWS deploy can name the CloudFront domain without a web → API → web stack cycle.
    const webOrigins = new CfnParameter(this, 'WebOrigins', {
      type: 'CommaDelimitedList',
      default: [
        ...config.webOrigins,
        ...(config.webDomain ? [`https://${config.webDomain.domainName}`] : []),
      ].join(','),
      description: 'Origins the web app is served from (CORS of the HTTP API), comma-separated',
    });
    this.api = new apigwv2.HttpApi(this, 'HttpApi', {
      apiName: `aurora-${config.stage}`,
      description: 'Aurora Time: Messenger webhook, auth and reminders',
      createDefaultStage: false,
      // API Gateway answers preflights itself, before any authorizer; no credentials (Bearer tokens only).
      corsPreflight: {
        allowOrigins: webOrigins.valueAsList,
        allowMethods: [
          apigwv2.CorsHttpMethod.GET,
          apigwv2.CorsHttpMethod.POST,
          apigwv2.CorsHttpMethod.PATCH,
          apigwv2.CorsHttpMethod.DELETE,
          apigwv2.CorsHttpMethod.OPTIONS,
        ],
        allowHeaders: ['Authorization', 'Content-Type', 'If-Match', 'Idempotency-Key'],
        exposeHeaders: ['ETag', 'Location', 'Retry-After'],
        maxAge: Duration.hours(1),
      },
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
    this.healthFunction.allow(['dynamodb:GetItem'], [stateful.table.tableArn]);
    this.healthFunction.allow(['events:DescribeEventBus'], [stateful.bus.eventBusArn]);
    this.api.addRoutes({
      path: '/health',
      methods: [apigwv2.HttpMethod.GET],
      integration: new HttpLambdaIntegration('HealthIntegration', this.healthFunction.function),
    });

    this.webhookFunction = this.messengerWebhook(config, stateful);
    this.authFunction = new AuthRoutes(this, 'AuthRoutes', { api: this.api, config, stateful }).authFunction;
    this.calendarRoutes = new CalendarRoutes(this, 'CalendarRoutes', {
      api: this.api,
      config,
      stateful,
      analyticsFunction: props.analyticsFunction,
    });

    Validations.of(this.api).acknowledge({
      id: 'AwsSolutions::AwsSolutions-APIG4',
      reason:
        'Public by design: /health is an unauthenticated probe, and /webhook is authenticated by the ' +
        'X-Hub-Signature-256 HMAC that Meta sends, checked in the function.',
    });
    new CfnOutput(this, 'ApiUrl', { value: this.api.apiEndpoint });
  }

  /** `GET|POST /webhook`: Meta's subscription handshake and signed deliveries, published once each. */
  private messengerWebhook(config: AuroraConfig, stateful: StatefulStack): AuroraFunction {
    const webhook = new AuroraFunction(this, 'MessengerWebhook', {
      name: 'messenger-webhook',
      description: 'Messenger webhook: verifies signatures and puts every messaging item on the bus once',
      serviceName: 'messenger-webhook',
      logLevel: config.logLevel,
      memorySize: 512,
      environment: {
        TABLE_NAME: stateful.table.tableName,
        EVENT_BUS_NAME: stateful.bus.eventBusName,
        APP_SECRET_ID: stateful.secrets['messenger-app-secret'].secretArn,
        VERIFY_TOKEN_ID: stateful.secrets['messenger-verify-token'].secretArn,
      },
    });
    webhook.allow(
      ['secretsmanager:GetSecretValue'],
      [
        stateful.secrets['messenger-app-secret'].secretArn,
        stateful.secrets['messenger-verify-token'].secretArn,
      ],
    );
    webhook.allow(['events:PutEvents'], [stateful.bus.eventBusArn]);
    // Powertools idempotency records only, in the function's own partition of the table.
    webhook.allow(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      [stateful.table.tableArn],
      ['IDEMPOTENCY#messenger-webhook'],
    );
    const integration = new HttpLambdaIntegration('MessengerWebhookIntegration', webhook.function);
    this.api.addRoutes({
      path: '/webhook',
      methods: [apigwv2.HttpMethod.GET, apigwv2.HttpMethod.POST],
      integration,
    });
    return webhook;
  }
}
