/**
 * The REST API's routes on the public HTTP API: one route per operation of
 * functions/calendar-api/operations.ts, all served by the calendar-api function, the session ones behind a
 * Lambda authorizer that verifies the Bearer access token (docs/api.md says why an HTTP API with an
 * authorizer and route throttles, not a REST API with a usage plan).
 */
import { Duration, Stack, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaAuthorizer, HttpLambdaResponseType } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as lambda from 'aws-cdk-lib/aws-lambda';
import { Construct } from 'constructs';
import { type Backend, OPERATIONS } from '../../functions/calendar-api/operations';
import type { AuroraConfig } from '../config';
import type { StatefulStack } from '../stacks/stateful-stack';
import { AuroraFunction } from './aurora-function';
import { nagPart } from './nag';

export interface CalendarRoutesProps {
  readonly api: apigwv2.HttpApi;
  readonly config: AuroraConfig;
  readonly stateful: StatefulStack;
  /** Serves the operations whose backend is `analytics`. */
  readonly analyticsFunction: lambda.IFunction;
}

/**
 * The partitions the API reads and writes: a person's items, their reminders, calendar feed tokens and
 * links; and the admin listings of GSI2 (users, current lockouts).
 */
const API_PARTITIONS = [
  'USER#*',
  'CALENDAR#*',
  'REMINDER#*',
  'FEED#*',
  'PSID#*',
  'EMAIL#*',
  'IDEMPOTENCY#calendar-api',
  'USERS',
  'LOCKOUTS',
];

export class CalendarRoutes extends Construct {
  readonly apiFunction: AuroraFunction;
  readonly authorizerFunction: AuroraFunction;

  constructor(scope: Construct, id: string, props: CalendarRoutesProps) {
    super(scope, id);
    const { api, config, stateful } = props;
    const stack = Stack.of(this);
    const sessionKey = stateful.secrets['session-signing-key'];
    const groupName = stateful.scheduleGroup.name ?? `aurora-${config.stage}-reminders`;

    this.authorizerFunction = new AuroraFunction(this, 'SessionAuthorizer', {
      name: 'session-authorizer',
      description: 'API Gateway authorizer: verifies the Bearer session token of every REST route',
      serviceName: 'session-authorizer',
      logLevel: config.logLevel,
      timeout: Duration.seconds(5),
      environment: { SESSION_KEY_ID: sessionKey.secretArn },
    });
    this.authorizerFunction.allow(['secretsmanager:GetSecretValue'], [sessionKey.secretArn]);
    const authorizer = new HttpLambdaAuthorizer('SessionAuthorizer', this.authorizerFunction.function, {
      authorizerName: 'session',
      identitySource: ['$request.header.Authorization'],
      responseTypes: [HttpLambdaResponseType.SIMPLE],
      // Not cached: a token stops working at its expiry, not up to a cache lifetime later.
      resultsCacheTtl: Duration.seconds(0),
    });

    this.apiFunction = new AuroraFunction(this, 'CalendarApi', {
      name: 'calendar-api',
      description: 'REST API: events, reminders, settings, export, account deletion, calendar feed',
      serviceName: 'calendar-api',
      logLevel: config.logLevel,
      memorySize: 512,
      // A change waits for the reminder lifecycle to record it (a few seconds at most).
      timeout: Duration.seconds(20),
      environment: {
        TABLE_NAME: stateful.table.tableName,
        EVENT_BUS_NAME: stateful.bus.eventBusName,
        SCHEDULE_GROUP_NAME: groupName,
        ADMIN_EMAILS: config.adminEmails.join(','),
      },
    });
    const calendarApi = this.apiFunction;
    calendarApi.allow(['events:PutEvents'], [stateful.bus.eventBusArn]);
    calendarApi.allow(
      [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'dynamodb:DeleteItem',
        'dynamodb:BatchWriteItem',
        'dynamodb:Query',
      ],
      [
        stateful.table.tableArn,
        `${stateful.table.tableArn}/index/GSI1`,
        `${stateful.table.tableArn}/index/GSI2`,
        `${stateful.table.tableArn}/index/GSI3`,
      ],
      API_PARTITIONS,
    );
    const schedules = stack.formatArn({
      service: 'scheduler',
      resource: 'schedule',
      resourceName: `${groupName}/*`,
    });
    // Account deletion removes the person's pending schedules; creating them is the lifecycle workflow's job.
    calendarApi.allow(['scheduler:DeleteSchedule'], [schedules]);
    Validations.of(calendarApi.role).acknowledge({
      id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:${nagPart(stack.partition, 'Partition')}:scheduler:${nagPart(stack.region, 'Region')}:${nagPart(stack.account, 'AccountId')}:schedule/${groupName}/*]`,
      reason:
        "Schedule names are made at run time (<reminderId>-v<version>); DELETE /me deletes the person's, so " +
        'the grant is DeleteSchedule only, on the reminders schedule group only.',
    });

    const integrations: Record<Backend, HttpLambdaIntegration> = {
      api: new HttpLambdaIntegration('CalendarApiIntegration', this.apiFunction.function),
      analytics: new HttpLambdaIntegration('AnalyticsIntegration', props.analyticsFunction),
    };
    for (const operation of OPERATIONS) {
      const integration = integrations[operation.backend ?? 'api'];
      const routes = api.addRoutes({
        path: operation.path,
        methods: [apigwv2.HttpMethod[operation.method]],
        integration,
        ...(operation.access === 'public' ? {} : { authorizer }),
      });
      if (operation.access === 'public') {
        for (const route of routes) {
          Validations.of(route).acknowledge({
            id: 'AwsSolutions::AwsSolutions-APIG4',
            reason:
              operation.operationId === 'getCalendarFeed'
                ? 'Calendar apps cannot send a Bearer token: the feed URL carries a 256-bit revocable token, checked by its hash.'
                : 'The API contract is public documentation.',
          });
        }
      }
    }
  }
}
