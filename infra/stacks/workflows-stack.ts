/**
 * The OTP session workflow: the state machine (workflows/otp-session.asl.json, JSONata, Standard), the
 * functions it calls, the rule OtpRequested → StartExecution, and the rule OtpCodeSubmitted → the function
 * that resumes a waiting session with SendTaskSuccess. Every role is granted exactly what its code calls.
 */
import { CfnParameter, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { AuroraConfig } from '../config';
import { AuroraFunction } from '../constructs/aurora-function';
import { allow } from '../constructs/grants';
import { sesSendingResources } from '../constructs/ses-sending';
import { workflowDefinition } from '../constructs/workflow-definition';
import { ruleTargetDeadLetters, type StatefulStack } from './stateful-stack';

export interface WorkflowsStackProps extends StackProps {
  readonly config: AuroraConfig;
  readonly stateful: StatefulStack;
}

/** Items of one address: the OTP session, its outcomes, the lock and the email link (docs/data-model.md). */
const EMAIL_ITEMS = ['EMAIL#*'];

export class WorkflowsStack extends Stack {
  readonly otpSession: sfn.StateMachine;
  readonly otpSessionRole: iam.Role;
  readonly functions: AuroraFunction[] = [];
  /** Events the two rules could not deliver to the workflow after every retry. */
  readonly ruleTargetDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: WorkflowsStackProps) {
    super(scope, id, props);
    const { config, stateful } = props;
    const lockMinutes = String(config.otpLockMinutes);
    // A deploy-time parameter, so that the local cloud points the Send API at its Graph stand-in.
    const graphApiBaseUrl = new CfnParameter(this, 'GraphApiBaseUrl', {
      type: 'String',
      default: config.graphApiBaseUrl,
      description: 'Base URL of the Messenger Graph API (Send API)',
    }).valueAsString;
    const table = stateful.table.tableArn;
    const otpKey = stateful.secrets['otp-signing-key'];
    const pageToken = stateful.secrets['messenger-page-token'];

    const fn = (
      name: string,
      description: string,
      environment: Record<string, string>,
      grants: Array<{ actions: string[]; resources: string[]; leadingKeys?: string[] }>,
      timeout?: Duration,
    ): AuroraFunction => {
      const created = new AuroraFunction(
        this,
        name.replace(/(^|-)(\w)/g, (_, __, c: string) => c.toUpperCase()),
        {
          name,
          description,
          serviceName: name,
          logLevel: config.logLevel,
          environment: { TABLE_NAME: stateful.table.tableName, ...environment },
          ...(timeout ? { timeout } : {}),
        },
      );
      for (const grant of grants) created.allow(grant.actions, grant.resources, grant.leadingKeys);
      this.functions.push(created);
      return created;
    };

    // Functions that message people on Messenger; each send is published as MessageSent.
    const messengerEnvironment = {
      PAGE_TOKEN_ID: pageToken.secretArn,
      GRAPH_API_BASE_URL: graphApiBaseUrl,
      EVENT_BUS_NAME: stateful.bus.eventBusName,
    };
    const publishSends = { actions: ['events:PutEvents'], resources: [stateful.bus.eventBusArn] };
    const issue = fn(
      'otp-issue',
      'OTP session: draws a code, stores its HMAC, emails it',
      {
        OTP_KEY_ID: otpKey.secretArn,
        SENDER_EMAIL: config.senderEmail,
        SES_CONFIGURATION_SET: stateful.configurationSet.configurationSetName,
      },
      [
        { actions: ['dynamodb:UpdateItem'], resources: [table], leadingKeys: EMAIL_ITEMS },
        { actions: ['secretsmanager:GetSecretValue'], resources: [otpKey.secretArn] },
        {
          actions: ['ses:SendEmail'],
          resources: sesSendingResources(this, config.senderEmail, stateful.configurationSet),
        },
      ],
    );
    const verify = fn(
      'otp-verify',
      'OTP session: checks a submitted code, counts wrong attempts, locks',
      { LOCK_MINUTES: lockMinutes },
      [
        {
          actions: ['dynamodb:GetItem', 'dynamodb:UpdateItem'],
          resources: [table],
          leadingKeys: EMAIL_ITEMS,
        },
      ],
    );
    const link = fn('otp-link', 'OTP session: links a proven address to its user', {}, [
      {
        actions: ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
        resources: [table],
        leadingKeys: ['EMAIL#*', 'PSID#*', 'USER#*'],
      },
    ]);
    const notify = fn(
      'otp-notify',
      'OTP session: records outcomes for REST callers, tells Messenger users',
      messengerEnvironment,
      [
        { actions: ['dynamodb:PutItem'], resources: [table], leadingKeys: EMAIL_ITEMS },
        { actions: ['secretsmanager:GetSecretValue'], resources: [pageToken.secretArn] },
        publishSends,
      ],
    );

    this.otpSessionRole = new iam.Role(this, 'OtpSessionRole', {
      assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
      description: 'Execution role of the OTP session state machine',
    });
    const allowMachine = (actions: string[], resources: string[], leadingKeys?: string[]) =>
      allow(this.otpSessionRole, actions, resources, leadingKeys);
    allowMachine(
      ['lambda:InvokeFunction'],
      [issue, verify, link, notify].map((f) => f.function.functionArn),
    );
    allowMachine(['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'], [table], EMAIL_ITEMS);
    allowMachine(['events:PutEvents'], [stateful.bus.eventBusArn]);

    const logGroup = new logs.LogGroup(this, 'OtpSessionLogs', { retention: logs.RetentionDays.ONE_MONTH });
    this.otpSession = new sfn.StateMachine(this, 'OtpSession', {
      stateMachineName: `aurora-${config.stage}-otp-session`,
      stateMachineType: sfn.StateMachineType.STANDARD,
      definitionBody: workflowDefinition('otp-session'),
      definitionSubstitutions: {
        TableName: stateful.table.tableName,
        EventBusName: stateful.bus.eventBusName,
        IssueFunctionArn: issue.function.functionArn,
        VerifyFunctionArn: verify.function.functionArn,
        LinkFunctionArn: link.function.functionArn,
        NotifyFunctionArn: notify.function.functionArn,
        // Numbers, substituted as text inside JSONata expressions.
        OtpThrottleMs: String(config.otpThrottleSeconds * 1000),
        OtpSessionMs: String(config.otpSessionMinutes * 60_000),
      },
      role: this.otpSessionRole,
      // Execution data stays out of the logs: the history has it for operators with access to it.
      logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
      tracingEnabled: true,
    });
    Validations.of(this.otpSessionRole).acknowledge({
      id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
      reason:
        'Step Functions log delivery (logs:*LogDelivery*, resource policies) and X-Ray tracing do not support ' +
        'resource-level permissions; CDK adds exactly those statements for logging and tracing.',
    });

    const resume = fn(
      'otp-resume',
      'OtpCodeSubmitted: resumes the waiting OTP session with SendTaskSuccess',
      messengerEnvironment,
      [
        { actions: ['dynamodb:GetItem', 'dynamodb:PutItem'], resources: [table], leadingKeys: EMAIL_ITEMS },
        { actions: ['secretsmanager:GetSecretValue'], resources: [pageToken.secretArn] },
        { actions: ['states:SendTaskSuccess'], resources: [this.otpSession.stateMachineArn] },
        publishSends,
      ],
      // Waits its turn while parallel submissions go through the session one at a time.
      Duration.seconds(30),
    );
    resume.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: new SqsDestination(stateful.functionDeadLetterQueue),
    });

    const { queue, delivery } = ruleTargetDeadLetters(this, config.stage, 'Otp');
    this.ruleTargetDeadLetterQueue = queue;
    new events.Rule(this, 'OtpRequestedRule', {
      eventBus: stateful.bus,
      description: 'OtpRequested: starts an OTP session',
      eventPattern: { source: ['aurora.auth'], detailType: ['OtpRequested'] },
      targets: [new targets.SfnStateMachine(this.otpSession, delivery)],
    });
    new events.Rule(this, 'OtpCodeSubmittedRule', {
      eventBus: stateful.bus,
      description: 'OtpCodeSubmitted: to the waiting OTP session',
      eventPattern: { source: ['aurora.auth'], detailType: ['OtpCodeSubmitted'] },
      targets: [new targets.LambdaFunction(resume.function, delivery)],
    });
  }
}
