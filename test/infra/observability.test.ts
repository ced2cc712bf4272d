/**
 * The observability stack as synthesized with an ops address and a budget configured: every alarm notifies
 * the ops topic, every workflow and function is alarmed, ended workflow executions reach the topic through
 * a rule on the default bus, and the monthly budget alerts at 50/80/100% of actual spend.
 */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildApp } from '../../infra/build-app';
import { readConfig } from '../../infra/config';

const OPS_EMAIL = 'ops@example.com';

type Resource = { Properties: Record<string, unknown> };
type Alarm = {
  Properties: {
    AlarmActions?: unknown[];
    MetricName?: string;
    Namespace?: string;
    Dimensions?: Array<{ Name: string; Value: unknown }>;
    Metrics?: Array<{ MetricStat?: { Metric: { MetricName: string } } }>;
  };
};

let observability: Template;
let stateMachineCount: number;
let topicId: string;

beforeAll(() => {
  const app = buildApp(
    new App({ context: { 'aws:cdk:bundling-stacks': [], opsEmail: OPS_EMAIL, monthlyBudgetUsd: '120' } }),
  );
  app.synth();
  const stacks = app.node.children.filter((child): child is Stack => child instanceof Stack);
  const templates = stacks.map((stack) => [stack.stackName, Template.fromStack(stack)] as const);
  const found = templates.find(([name]) => name.endsWith('-Observability'));
  if (!found) throw new Error('no observability stack');
  observability = found[1];
  stateMachineCount = templates.reduce(
    (count, [, template]) =>
      count + Object.keys(template.findResources('AWS::StepFunctions::StateMachine')).length,
    0,
  );
  const [topic] = Object.keys(observability.findResources('AWS::SNS::Topic'));
  topicId = topic ?? '';
});

const alarms = (): Alarm[] => Object.values(observability.findResources('AWS::CloudWatch::Alarm')) as Alarm[];
const alarmsOn = (metricName: string): Alarm[] =>
  alarms().filter(
    (alarm) =>
      alarm.Properties.MetricName === metricName ||
      alarm.Properties.Metrics?.some((metric) => metric.MetricStat?.Metric.MetricName === metricName),
  );

describe('ops topic', () => {
  it('is encrypted with a rotated customer managed key and emails the ops address', () => {
    observability.resourceCountIs('AWS::SNS::Topic', 1);
    const topic = observability.findResources('AWS::SNS::Topic')[topicId] as Resource;
    expect(topic.Properties.KmsMasterKeyId).toBeDefined();
    observability.hasResourceProperties('AWS::KMS::Key', { EnableKeyRotation: true });
    observability.hasResourceProperties('AWS::SNS::Subscription', {
      Protocol: 'email',
      Endpoint: OPS_EMAIL,
      TopicArn: { Ref: topicId },
    });
  });

  it('has no email subscription when no ops address is configured', () => {
    expect(readConfig(new App()).opsEmail).toBeUndefined();
    expect(() => readConfig(new App({ context: { opsEmail: 'not an address' } }))).toThrow(/opsEmail/);
  });
});

describe('alarms', () => {
  it('every alarm notifies the ops topic', () => {
    expect(alarms().length).toBeGreaterThan(20);
    for (const alarm of alarms()) expect(alarm.Properties.AlarmActions).toEqual([{ Ref: topicId }]);
  });

  it('one ExecutionsFailed and one ExecutionsTimedOut alarm per state machine', () => {
    expect(stateMachineCount).toBeGreaterThan(0);
    for (const metricName of ['ExecutionsFailed', 'ExecutionsTimedOut']) {
      const machineAlarms = alarmsOn(metricName);
      expect(machineAlarms.every((alarm) => alarm.Properties.Namespace === 'AWS/States')).toBe(true);
      const machines = machineAlarms.map((alarm) =>
        JSON.stringify(
          alarm.Properties.Dimensions?.find((dimension) => dimension.Name === 'StateMachineArn'),
        ),
      );
      expect(new Set(machines).size).toBe(stateMachineCount);
      expect(machines).toHaveLength(stateMachineCount);
    }
  });

  it('a Throttles alarm beside every function Errors alarm', () => {
    const errors = alarmsOn('Errors').filter((alarm) => alarm.Properties.Namespace === 'AWS/Lambda');
    expect(errors.length).toBeGreaterThan(0);
    expect(alarmsOn('Throttles')).toHaveLength(errors.length);
  });

  it('watches the table’s throttles and system errors and SES’s bounce and complaint rates', () => {
    expect(alarmsOn('ThrottledRequests')).toHaveLength(1);
    expect(alarmsOn('SystemErrors')).toHaveLength(1);
    expect(alarmsOn('Reputation.BounceRate')).toHaveLength(1);
    expect(alarmsOn('Reputation.ComplaintRate')).toHaveLength(1);
  });
});

describe('ended workflow executions', () => {
  it('a rule on the default bus sends FAILED / TIMED_OUT / ABORTED of the app’s machines to the topic', () => {
    const rules = Object.values(observability.findResources('AWS::Events::Rule')) as Resource[];
    expect(rules).toHaveLength(1);
    const rule = rules[0] as Resource;
    expect(rule.Properties.EventBusName).toBeUndefined();
    const pattern = rule.Properties.EventPattern as {
      source: string[];
      'detail-type': string[];
      detail: { status: string[]; stateMachineArn: unknown[] };
    };
    expect(pattern.source).toEqual(['aws.states']);
    expect(pattern['detail-type']).toEqual(['Step Functions Execution Status Change']);
    expect(pattern.detail.status).toEqual(['FAILED', 'TIMED_OUT', 'ABORTED']);
    expect(pattern.detail.stateMachineArn).toHaveLength(stateMachineCount);

    const [target] = rule.Properties.Targets as Array<{
      Arn: unknown;
      InputTransformer: { InputPathsMap: Record<string, string>; InputTemplate: string };
    }>;
    expect(target?.Arn).toEqual({ Ref: topicId });
    expect(Object.values(target?.InputTransformer.InputPathsMap ?? {})).toEqual(
      expect.arrayContaining(['$.detail.name', '$.detail.status', '$.detail.error', '$.detail.cause']),
    );
  });
});

describe('budget', () => {
  it('a monthly cost budget of the configured amount alerting at 50, 80 and 100% of actual spend', () => {
    const budgets = Object.values(observability.findResources('AWS::Budgets::Budget')) as Resource[];
    expect(budgets).toHaveLength(1);
    const properties = budgets[0]?.Properties as {
      Budget: { BudgetType: string; TimeUnit: string; BudgetLimit: { Amount: number; Unit: string } };
      NotificationsWithSubscribers: Array<{
        Notification: { NotificationType: string; Threshold: number; ThresholdType: string };
        Subscribers: Array<{ SubscriptionType: string; Address: unknown }>;
      }>;
    };
    expect(properties.Budget).toMatchObject({
      BudgetType: 'COST',
      TimeUnit: 'MONTHLY',
      BudgetLimit: { Amount: 120, Unit: 'USD' },
    });
    const notifications = properties.NotificationsWithSubscribers;
    expect(notifications.map(({ Notification }) => Notification.Threshold)).toEqual([50, 80, 100]);
    for (const { Notification, Subscribers } of notifications) {
      expect(Notification).toMatchObject({ NotificationType: 'ACTUAL', ThresholdType: 'PERCENTAGE' });
      expect(Subscribers).toEqual([
        { SubscriptionType: 'SNS', Address: { Ref: topicId } },
        { SubscriptionType: 'EMAIL', Address: OPS_EMAIL },
      ]);
    }
  });
});
