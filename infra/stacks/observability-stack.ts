/**
 * What an operator watches: an alarm on every dead-letter queue (anything there is a lost delivery until
 * someone redrives it), alarms on failed bus deliveries and function errors, and one dashboard.
 */
import { Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as cloudwatch from 'aws-cdk-lib/aws-cloudwatch';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { AuroraConfig } from '../config';
import type { AuroraFunction } from '../constructs/aurora-function';
import type { StatefulStack } from './stateful-stack';

export interface ObservabilityStackProps extends StackProps {
  readonly config: AuroraConfig;
  readonly stateful: StatefulStack;
  readonly functions: readonly AuroraFunction[];
  /** Dead-letter queues owned by stateless stacks (rule targets), alarmed with the stateful ones. */
  readonly deadLetterQueues?: readonly sqs.IQueue[];
}

export class ObservabilityStack extends Stack {
  readonly alarms: cloudwatch.Alarm[] = [];

  constructor(scope: Construct, id: string, props: ObservabilityStackProps) {
    super(scope, id, props);
    const { config, stateful, functions, deadLetterQueues: otherDeadLetterQueues = [] } = props;
    const prefix = `aurora-${config.stage}`;

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
          threshold: 1,
          evaluationPeriods: 1,
          comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
          treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
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
        threshold: 1,
        evaluationPeriods: 1,
        comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
        treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
      }),
    );

    for (const auroraFunction of functions) {
      this.alarms.push(
        auroraFunction.function
          .metricErrors({ period: Duration.minutes(5) })
          .createAlarm(this, `${auroraFunction.node.id}Errors`, {
            alarmDescription: `${auroraFunction.node.id} threw errors`,
            threshold: 1,
            evaluationPeriods: 1,
            comparisonOperator: cloudwatch.ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
            treatMissingData: cloudwatch.TreatMissingData.NOT_BREACHING,
          }),
      );
    }

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
        [new cloudwatch.AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24 })],
      ],
    });
  }
}
