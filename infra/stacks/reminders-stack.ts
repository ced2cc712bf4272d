/**
 * Reminders: the lifecycle state machine (ReminderRequested / ReminderChangeRequested → a stored reminder and
 * its Scheduler schedule), the delivery state machine every schedule starts, the two functions they call
 * (planning in the person's zone; talking to the person), and the Scheduler role. Each role is granted
 * exactly what its code calls.
 */
import { CfnParameter, Duration, Stack, type StackProps, Validations } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { AuroraConfig } from '../config';
import { AuroraFunction } from '../constructs/aurora-function';
import { allow } from '../constructs/grants';
import { nagPart } from '../constructs/nag';
import { sesSendingResources } from '../constructs/ses-sending';
import { workflowDefinition } from '../constructs/workflow-definition';
import { ruleTargetDeadLetters, type StatefulStack } from './stateful-stack';

export interface RemindersStackProps extends StackProps {
  readonly config: AuroraConfig;
  readonly stateful: StatefulStack;
}

const REMINDER_ITEMS = ['REMINDER#*'];

export class RemindersStack extends Stack {
  readonly lifecycle: sfn.StateMachine;
  readonly delivery: sfn.StateMachine;
  readonly functions: AuroraFunction[];
  readonly ruleTargetDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: RemindersStackProps) {
    super(scope, id, props);
    const { config, stateful } = props;
    const table = stateful.table.tableArn;
    const pageToken = stateful.secrets['messenger-page-token'];
    const dlq = stateful.scheduleDeadLetterQueue;
    const groupName = stateful.scheduleGroup.name ?? `aurora-${config.stage}-reminders`;
    const graphApiBaseUrl = new CfnParameter(this, 'GraphApiBaseUrl', {
      type: 'String',
      default: config.graphApiBaseUrl,
      description: 'Base URL of the Messenger Graph API (Send API)',
    }).valueAsString;
    const scheduleArns = [
      this.formatArn({ service: 'scheduler', resource: 'schedule', resourceName: `${groupName}/*` }),
    ];

    const plan = new AuroraFunction(this, 'ReminderPlan', {
      name: 'reminder-plan',
      description: 'Reminder workflows: validates, normalises and advances reminders in their time zone',
      serviceName: 'reminder-plan',
      logLevel: config.logLevel,
    });
    const send = new AuroraFunction(this, 'ReminderSend', {
      name: 'reminder-send',
      description:
        'Reminder workflows: delivers occurrences (Messenger, email) once, tells people about changes',
      serviceName: 'reminder-send',
      logLevel: config.logLevel,
      // The Send API's own retries with backoff fit inside this.
      timeout: Duration.seconds(30),
      environment: {
        TABLE_NAME: stateful.table.tableName,
        GRAPH_API_BASE_URL: graphApiBaseUrl,
        PAGE_TOKEN_ID: pageToken.secretArn,
        // Each Messenger send is published as MessageSent.
        EVENT_BUS_NAME: stateful.bus.eventBusName,
        SENDER_EMAIL: config.senderEmail,
        SES_CONFIGURATION_SET: stateful.configurationSet.configurationSetName,
      },
    });
    this.functions = [plan, send];
    // Delivery records (REMINDER#), held reminders (USER#), the 24-hour window (PSID#), the email (USER#).
    send.allow(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      [table],
      ['REMINDER#*', 'USER#*', 'PSID#*'],
    );
    // A digest reads and takes the person's held reminders.
    send.allow(['dynamodb:Query', 'dynamodb:DeleteItem'], [table], ['USER#*']);
    send.allow(['secretsmanager:GetSecretValue'], [pageToken.secretArn]);
    send.allow(['events:PutEvents'], [stateful.bus.eventBusArn]);
    send.allow(['ses:SendEmail'], sesSendingResources(this, config.senderEmail, stateful.configurationSet));

    const schedulerRole = new iam.Role(this, 'SchedulerRole', {
      assumedBy: new iam.ServicePrincipal('scheduler.amazonaws.com', {
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
      description: 'Role EventBridge Scheduler assumes to start reminder deliveries',
    });

    const machine = (name: string, file: string, substitutions: Record<string, string>) => {
      const role = new iam.Role(this, `${name}Role`, {
        assumedBy: new iam.ServicePrincipal('states.amazonaws.com'),
        description: `Execution role of the reminder ${file} state machine`,
      });
      Validations.of(role).acknowledge({
        id: 'AwsSolutions::AwsSolutions-IAM5[Resource::*]',
        reason:
          'Step Functions log delivery (logs:*LogDelivery*, resource policies) and X-Ray tracing do not support ' +
          'resource-level permissions; CDK adds exactly those statements for logging and tracing.',
      });
      Validations.of(role).acknowledge({
        id: `AwsSolutions::AwsSolutions-IAM5[Resource::arn:${nagPart(this.partition, 'Partition')}:scheduler:${nagPart(this.region, 'Region')}:${nagPart(this.account, 'AccountId')}:schedule/${groupName}/*]`,
        reason:
          'Schedules are created at run time, one per reminder version (<reminderId>-v<version>); the grant is ' +
          'limited to the reminders schedule group, and to exactly the Scheduler actions this machine calls.',
      });
      allow(role, ['lambda:InvokeFunction'], [plan.function.functionArn, send.function.functionArn]);
      allow(role, ['events:PutEvents'], [stateful.bus.eventBusArn]);
      allow(role, ['scheduler:CreateSchedule'], scheduleArns);
      allow(role, ['iam:PassRole'], [schedulerRole.roleArn]);
      const logGroup = new logs.LogGroup(this, `${name}Logs`, { retention: logs.RetentionDays.ONE_MONTH });
      const stateMachine = new sfn.StateMachine(this, name, {
        stateMachineName: `aurora-${config.stage}-reminder-${file}`,
        stateMachineType: sfn.StateMachineType.STANDARD,
        definitionBody: workflowDefinition(`reminder-${file}`),
        definitionSubstitutions: {
          TableName: stateful.table.tableName,
          EventBusName: stateful.bus.eventBusName,
          PlanFunctionArn: plan.function.functionArn,
          SendFunctionArn: send.function.functionArn,
          ScheduleGroupName: groupName,
          SchedulerRoleArn: schedulerRole.roleArn,
          ScheduleDeadLetterQueueArn: dlq.queueArn,
          ...substitutions,
        },
        role,
        logs: { destination: logGroup, level: sfn.LogLevel.ALL, includeExecutionData: false },
        tracingEnabled: true,
      });
      return { stateMachine, role };
    };

    const delivery = machine('Delivery', 'delivery', {
      ScheduleDeadLetterQueueUrl: dlq.queueUrl,
      DigestAfterMs: String(config.reminderDigestAfterMinutes * 60_000),
    });
    this.delivery = delivery.stateMachine;
    allow(
      delivery.role,
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem'],
      [table],
      REMINDER_ITEMS,
    );
    allow(delivery.role, ['sqs:SendMessage'], [dlq.queueArn]);

    const lifecycle = machine('Lifecycle', 'lifecycle', {
      DeliveryStateMachineArn: this.delivery.stateMachineArn,
    });
    this.lifecycle = lifecycle.stateMachine;
    allow(
      lifecycle.role,
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:DeleteItem'],
      [table],
      REMINDER_ITEMS,
    );
    allow(lifecycle.role, ['dynamodb:Query'], [`${table}/index/GSI1`], ['USER#*']);
    allow(lifecycle.role, ['scheduler:DeleteSchedule'], scheduleArns);

    allow(schedulerRole, ['states:StartExecution'], [this.delivery.stateMachineArn]);
    allow(schedulerRole, ['sqs:SendMessage'], [dlq.queueArn]);

    const deadLetters = ruleTargetDeadLetters(this, config.stage, 'Reminder');
    this.ruleTargetDeadLetterQueue = deadLetters.queue;
    new events.Rule(this, 'ReminderRequestsRule', {
      eventBus: stateful.bus,
      description: 'Reminder requests and changes: to the reminder lifecycle',
      eventPattern: {
        source: ['aurora.reminders'],
        detailType: ['ReminderRequested', 'ReminderChangeRequested'],
      },
      targets: [new targets.SfnStateMachine(this.lifecycle, deadLetters.delivery)],
    });
  }
}
