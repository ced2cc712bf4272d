/**
 * The auth REST routes on the public HTTP API: `POST /auth/otp/request`, `POST /auth/otp/verify` and
 * `POST /auth/token/refresh`, served by one function whose role can do exactly what those three need.
 */
import { Duration, Validations } from 'aws-cdk-lib';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import { Construct } from 'constructs';
import type { AuroraConfig } from '../config';
import type { StatefulStack } from '../stacks/stateful-stack';
import { AuroraFunction } from './aurora-function';

export interface AuthRoutesProps {
  readonly api: apigwv2.HttpApi;
  readonly config: AuroraConfig;
  readonly stateful: StatefulStack;
}

export const AUTH_ROUTE_PATHS = ['/auth/otp/request', '/auth/otp/verify', '/auth/token/refresh'] as const;

export class AuthRoutes extends Construct {
  readonly authFunction: AuroraFunction;

  constructor(scope: Construct, id: string, props: AuthRoutesProps) {
    super(scope, id);
    const { api, config, stateful } = props;
    const otpKey = stateful.secrets['otp-signing-key'];
    const sessionKey = stateful.secrets['session-signing-key'];
    this.authFunction = new AuroraFunction(this, 'AuthApi', {
      name: 'auth-api',
      description: 'Auth REST routes: request and verify an emailed code, refresh a session token',
      serviceName: 'auth-api',
      logLevel: config.logLevel,
      // A call waits for the OTP session workflow's answer (at most OUTCOME_WAIT_MS).
      timeout: Duration.seconds(20),
      environment: {
        TABLE_NAME: stateful.table.tableName,
        EVENT_BUS_NAME: stateful.bus.eventBusName,
        OTP_KEY_ID: otpKey.secretArn,
        SESSION_KEY_ID: sessionKey.secretArn,
        OUTCOME_WAIT_MS: '12000',
        ADMIN_EMAILS: config.adminEmails.join(','),
      },
    });
    const auth = this.authFunction;
    auth.allow(['events:PutEvents'], [stateful.bus.eventBusArn]);
    auth.allow(['secretsmanager:GetSecretValue'], [otpKey.secretArn, sessionKey.secretArn]);
    // Outcome items and the lock (EMAIL#), the user profile on refresh (USER#): reads only.
    auth.allow(['dynamodb:GetItem'], [stateful.table.tableArn], ['EMAIL#*', 'USER#*']);

    const integration = new HttpLambdaIntegration('AuthIntegration', this.authFunction.function);
    for (const path of AUTH_ROUTE_PATHS) {
      for (const route of api.addRoutes({ path, methods: [apigwv2.HttpMethod.POST], integration })) {
        Validations.of(route).acknowledge({
          id: 'AwsSolutions::AwsSolutions-APIG4',
          reason:
            'These routes are how a person without a session gets one: the emailed code (and, for refresh, ' +
            'the signed refresh token checked in the function) is the authentication.',
        });
      }
    }
  }
}
