/**
 * What an operator watches, and how they hear of it: an alarm on every dead-letter queue (anything there is a
 * lost delivery until someone redrives it), on failed bus deliveries, on every workflow's failed and timed-out
 * executions, every function's errors and throttles, the table's throttles and system errors and SES's
 * bounce and complaint rates; every alarm, every workflow execution that ends FAILED / TIMED_OUT / ABORTED
 * (the status-change events on the default bus) and the monthly budget alert on one ops SNS topic, which
 * emails the configured ops address. One dashboard shows it all.
 */
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as budgets from 'aws-cdk-lib/aws-budgets';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import * as cloudwatchActions from 'aws-cdk-lib/aws-cloudwatch-actions';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as kms from 'aws-cdk-lib/aws-kms';
import * as sns from 'aws-cdk-lib/aws-sns';
import * as subscriptions from 'aws-cdk-lib/aws-sns-subscriptions';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type * as sfn from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { AuroraConfig } from '../config';
import type { AuroraFunction } from '../constructs/aurora-function';
import type { StatefulStack } from './stateful-stack';

export interface ObservabilityStackProps extends StackProps {
  readonly config: AuroraConfig;
  readonly stateful: StatefulStack;
  readonly functions: readonly AuroraFunction[];
  /** Every state machine of the app: alarmed, and its failed executions sent to the ops topic. */
  readonly stateMachines: readonly sfn.IStateMachine[];
  /** Dead-letter queues owned by stateless stacks (rule targets), alarmed with the stateful ones. */
  readonly deadLetterQueues?: readonly sqs.IQueue[];
}

/** The execution statuses an operator must act on (a redrive, or a fix first). */
export const ALERTED_EXECUTION_STATUSES = ['FAILED', 'TIMED_OUT', 'ABORTED'];
/** Budget alerts, in percent of the monthly amount, on actual (not forecast) spend. */
export const BUDGET_ALERT_PERCENTAGES = [50, 80, 100];
/** The table operations the app performs (a throttle or system-error alarm may watch at most 10 metrics). */
const TABLE_OPERATIONS = [
  dynamodb.Operation.GET_ITEM,
  dynamodb.Operation.PUT_ITEM,
  dynamodb.Operation.UPDATE_ITEM,
  dynamodb.Operation.DELETE_ITEM,
  dynamodb.Operation.QUERY,
  dynamodb.Operation.BATCH_WRITE_ITEM,
];

/** What AWS's key policy for key administrators allows: everything but using the key. */
const KEY_ADMINISTRATION = [
  'kms:Create*',
  'kms:Describe*',
  'kms:Enable*',
  'kms:List*',
  'kms:Put*',
  'kms:Update*',
  'kms:Revoke*',
  'kms:Disable*',
  'kms:Get*',
  'kms:Delete*',
  'kms:TagResource',
  'kms:UntagResource',
  'kms:ScheduleKeyDeletion',
  'kms:CancelKeyDeletion',
  'kms:RotateKeyOnDemand',
];

export class ObservabilityStack extends Stack {
  readonly alarms: cloudwatch.Alarm[] = [];
  readonly opsTopic: sns.Topic;

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const {
      config,
      stateful,
      functions,
      stateMachines,
      deadLetterQueues: otherDeadLetterQueues = [],
    } = props;
    const prefix = `aurora-${config.stage}`;
    const atLeastOnce = {
      threshold: 1,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    };

    this.opsTopic = this.createOpsTopic(prefix, config.opsEmail);

    const deadLetterQueues = [
      stateful.eventTargetDeadLetterQueue,
      stateful.scheduleDeadLetterQueue,
      stateful.functionDeadLetterQueue,
      ...otherDeadLetterQueues,
    ];
    for (const queue of deadLetterQueues) {
      const metric = queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(1) });
      this.alarms.push(
        metric.createAlarm(this, `${queue.node.id}NotEmpty`, {
          alarmDescription: `Undelivered messages in ${queue.node.id}: inspect them and redrive`,
          ...atLeastOnce,
        }),
      );
    }

    const failedInvocations = new cloudwatch.Metric({
      namespace: 'AWS/Events',
      metricName: 'FailedInvocations',
      dimensionsMap: { EventBusName: stateful.bus.eventBusName },
      statistic: 'Sum',
      period: Duration.minutes(5),
    });
    this.alarms.push(
      failedInvocations.createAlarm(this, 'BusFailedInvocations', {
        alarmDescription: 'Rules on the Aurora bus failed to invoke their targets',
        ...atLeastOnce,
      }),
    );

    const fiveMinutes = { period: Duration.minutes(5) };
    for (const auroraFunction of functions) {
      const name = auroraFunction.node.id;
      const lambda = auroraFunction.function;
      this.alarms.push(
        lambda.metricErrors(fiveMinutes).createAlarm(this, `${name}Errors`, {
          alarmDescription: `${name} threw errors`,
          ...atLeastOnce,
        }),
        lambda.metricThrottles(fiveMinutes).createAlarm(this, `${name}Throttles`, {
          alarmDescription: `${name} was throttled (reserved or account concurrency reached)`,
          ...atLeastOnce,
        }),
      );
    }

    for (const stateMachine of stateMachines) {
      const name = stateMachine.node.id;
      this.alarms.push(
        stateMachine.metricFailed(fiveMinutes).createAlarm(this, `${name}ExecutionsFailed`, {
          alarmDescription: `${name} executions failed: inspect them in the console and redrive`,
          ...atLeastOnce,
        }),
        stateMachine.metricTimedOut(fiveMinutes).createAlarm(this, `${name}ExecutionsTimedOut`, {
          alarmDescription: `${name} executions timed out`,
          ...atLeastOnce,
        }),
      );
    }

    const tableThrottles = stateful.table.metricThrottledRequestsForOperations({
      operations: TABLE_OPERATIONS,
      ...fiveMinutes,
    });
    const tableSystemErrors = stateful.table.metricSystemErrorsForOperations({
      operations: TABLE_OPERATIONS,
      ...fiveMinutes,
    });
    this.alarms.push(
      new cloudwatch.Alarm(this, 'TableThrottledRequests', {
        metric: tableThrottles,
        alarmDescription: 'Requests to the Aurora table were throttled',
        ...atLeastOnce,
      }),
      new cloudwatch.Alarm(this, 'TableSystemErrors', {
        metric: tableSystemErrors,
        alarmDescription: 'DynamoDB answered requests to the Aurora table with internal errors',
        ...atLeastOnce,
      }),
    );

    // SES reviews an account at a 5% bounce rate and a 0.1% complaint rate; alarm before either.
    const reputation = (metricName: string) =>
      new cloudwatch.Metric({
        namespace: 'AWS/SES',
        metricName,
        statistic: 'Maximum',
        period: Duration.hours(1),
      });
    const bounceRate = reputation('Reputation.BounceRate');
    const complaintRate = reputation('Reputation.ComplaintRate');
    const rateAbove = (threshold: number) => ({
      threshold,
      evaluationPeriods: 1,
      comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_THRESHOLD,
      treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
    });
    this.alarms.push(
      bounceRate.createAlarm(this, 'SesBounceRate', {
        alarmDescription: 'SES bounce rate above 4% (SES reviews the account at 5%)',
        ...rateAbove(0.04),
      }),
      complaintRate.createAlarm(this, 'SesComplaintRate', {
        alarmDescription: 'SES complaint rate above 0.08% (SES reviews the account at 0.1%)',
        ...rateAbove(0.0008),
      }),
    );

    const notifyOps = new cloudwatchActions.SnsAction(this.opsTopic);
    for (const alarm of this.alarms) alarm.addAlarmAction(notifyOps);

    this.alertOnEndedExecutions(stateMachines);
    this.createBudget(prefix, config);

    new cloudwatch.Dashboard(this, 'Dashboard', {
      dashboardName: prefix,
      widgets: [
        [
          new cloudwatch.GraphWidget({
            title: 'Dead-letter queues (messages visible)',
            left: deadLetterQueues.map((queue) => queue.metricApproximateNumberOfMessagesVisible()),
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Bus: matched events and failed invocations',
            left: [
              new cloudwatch.Metric({
                namespace: 'AWS/Events',
                metricName: 'MatchedEvents',
                dimensionsMap: { EventBusName: stateful.bus.eventBusName },
                statistic: 'Sum',
              }),
              failedInvocations,
            ],
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Function errors',
            left: functions.map((auroraFunction) => auroraFunction.function.metricErrors()),
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Function duration p99',
            left: functions.map((auroraFunction) =>
              auroraFunction.function.metricDuration({ statistic: 'p99' }),
            ),
            width: 12,
          }),
        ],
        [
          new cloudwatch.GraphWidget({
            title: 'Workflows: failed and timed-out executions',
            left: stateMachines.flatMap((stateMachine) => [
              stateMachine.metricFailed(),
              stateMachine.metricTimedOut(),
            ]),
            width: 12,
          }),
          new cloudwatch.GraphWidget({
            title: 'Function throttles',
            left: functions.map((auroraFunction) => auroraFunction.function.metricThrottles()),
            width: 12,
          }),
        ],
        [
          // One graph each: both expressions name their per-operation metrics alike.
          new cloudwatch.GraphWidget({
            title: 'Table: throttled requests',
            left: [tableThrottles],
            width: 8,
          }),
          new cloudwatch.GraphWidget({ title: 'Table: system errors', left: [tableSystemErrors], width: 8 }),
          new cloudwatch.GraphWidget({
            title: 'SES reputation: bounce and complaint rates',
            left: [bounceRate, complaintRate],
            width: 8,
          }),
        ],
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 })],
      ],
    });
  }

  /**
   * The topic every alert goes to. Encrypted with a customer managed key, since CloudWatch, EventBridge and
   * Budgets cannot publish to a topic under the AWS managed SNS key; the key policy lets exactly them use it.
   */
  private createOpsTopic(prefix: string, opsEmail: string | undefined): sns.Topic {
    const key = new kms.Key(this, 'OpsTopicKey', {
      description: `Encrypts the ${prefix} ops alerts topic`,
      enableKeyRotation: true,
      // Replaces the default policy's `kms:*` for the account: it administers the key, and only the
      // publishers below may use it.
      policy: new iam.PolicyDocument({
        statements: [
          new iam.PolicyStatement({
            actions: KEY_ADMINISTRATION,
            principals: [new iam.AccountRootPrincipal()],
            resources: ['*'],
          }),
        ],
      }),
    });
    // EventBridge is granted the key and the topic by its rule target; alarms and budgets here.
    const publishers = ['cloudwatch.amazonaws.com', 'budgets.amazonaws.com'].map(
      (service) => new iam.ServicePrincipal(service),
    );
    // No condition, as AWS documents for both: the key serves only this topic's messages.
    key.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        principals: publishers,
        resources: ['*'],
      }),
    );
    const topic = new sns.Topic(this, 'OpsTopic', {
      topicName: `${prefix}-ops`,
      displayName: `Aurora Time ${prefix} alerts`,
      masterKey: key,
      enforceSSL: true,
    });
    // The topic policy replaces SNS's default one, so each publisher is named.
    topic.addToResourcePolicy(
      new iam.PolicyStatement({
        actions: ['sns:Publish'],
        principals: publishers,
        resources: [topic.topicArn],
        conditions: { StringEquals: { 'aws:SourceAccount': this.account } },
      }),
    );
    if (opsEmail) topic.addSubscription(new subscriptions.EmailSubscription(opsEmail));
    return topic;
  }

  /** The status-change events Step Functions puts on the default bus, for this app's machines only. */
  private alertOnEndedExecutions(stateMachines: readonly sfn.IStateMachine[]): void {
    const field = (path: string) => events.EventField.fromPath(path);
    new events.Rule(this, 'WorkflowExecutionEndedRule', {
      description: 'A workflow execution failed, timed out or was aborted: tell the operators',
      eventPattern: {
        source: ['aws.states'],
        detailType: ['Step Functions Execution Status Change'],
        detail: {
          status: ALERTED_EXECUTION_STATUSES,
          stateMachineArn: stateMachines.map((stateMachine) => stateMachine.stateMachineArn),
        },
      },
      targets: [
        new targets.SnsTopic(this.opsTopic, {
          message: events.RuleTargetInput.fromText(
            `Workflow execution ${field('$.detail.name')} ${field('$.detail.status')} at ` +
              `${field('$.time')}. State machine: ${field('$.detail.stateMachineArn')}. ` +
              `Error: ${field('$.detail.error')}. Cause: ${field('$.detail.cause')}. ` +
              `Inspect and redrive it: https://${this.region}.console.aws.amazon.com/states/home?region=` +
              `${this.region}#/v2/executions/details/${field('$.detail.executionArn')}`,
          ),
        }),
      ],
    });
  }

  /** A monthly cost budget whose actual spend alerts the ops topic (and the ops address directly). */
  private createBudget(prefix: string, config: AuroraConfig): void {
    const subscribers: budgets.CfnBudget.SubscriberProperty[] = [
      { subscriptionType: 'SNS', address: this.opsTopic.topicArn },
      ...(config.opsEmail ? [{ subscriptionType: 'EMAIL', address: config.opsEmail }] : []),
    ];
    new budgets.CfnBudget(this, 'MonthlyBudget', {
      budget: {
        budgetName: `${prefix}-monthly`,
        budgetType: 'COST',
        timeUnit: 'MONTHLY',
        budgetLimit: { amount: config.monthlyBudgetUsd, unit: 'USD' },
      },
      notificationsWithSubscribers: BUDGET_ALERT_PERCENTAGES.map((threshold) => ({
        notification: {
          notificationType: 'ACTUAL',
          comparisonOperator: 'GREATER_THAN',
          threshold,
          thresholdType: 'PERCENTAGE',
        },
        subscribers,
      })),
    });
  }
}
