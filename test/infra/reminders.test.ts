/**
 * The reminders' infrastructure: both state machines, the two functions and the Scheduler role may do exactly
 * what their definitions and code call, inside the partitions they own; the rule routes requests and changes.
 */
import { readFileSync } from 'node:fs';
import { Match } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  FUNCTION_BASELINE,
  STATE_MACHINE_BASELINE,
  type SynthesizedApp,
  synthesizeApp,
} from '../support/synthesized-app';

let app: SynthesizedApp;

beforeAll(() => {
  app = synthesizeApp();
}, 180_000);

const sorted = (...groups: string[][]) => groups.flat().sort();

describe('reminders infrastructure', () => {
  it.each([
    ['lifecycle', ['PlanFunctionArn', 'SendFunctionArn', 'DeliveryStateMachineArn', 'SchedulerRoleArn']],
    ['delivery', ['PlanFunctionArn', 'SendFunctionArn', 'ScheduleDeadLetterQueueUrl', 'SchedulerRoleArn']],
  ])('the %s machine is Standard, JSONata, logged without data and traced', (name, substitutions) => {
    app.template('-Reminders').hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: `aurora-dev-reminder-${name}`,
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
      DefinitionSubstitutions: Match.objectLike(
        Object.fromEntries(
          ['TableName', 'EventBusName', 'ScheduleGroupName', ...substitutions].map((key) => [
            key,
            Match.anyValue(),
          ]),
        ),
      ),
    });
    const definition = JSON.parse(readFileSync(`workflows/reminder-${name}.asl.json`, 'utf8')) as {
      QueryLanguage: string;
    };
    expect(definition.QueryLanguage).toBe('JSONata');
  });

  it('gives each machine role exactly the calls of its tasks', () => {
    const common = ['events:PutEvents', 'iam:PassRole', 'lambda:InvokeFunction', 'scheduler:CreateSchedule'];
    expect(app.actionsOf('-Reminders', 'LifecycleRole')).toEqual(
      sorted(common, STATE_MACHINE_BASELINE, [
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'scheduler:DeleteSchedule',
      ]),
    );
    expect(app.actionsOf('-Reminders', 'DeliveryRole')).toEqual(
      sorted(common, STATE_MACHINE_BASELINE, [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'sqs:SendMessage',
      ]),
    );
  });

  it('limits schedule calls to the reminders group and passes only the Scheduler role', () => {
    for (const role of ['LifecycleRole', 'DeliveryRole']) {
      const statements = app.statementsOf('-Reminders', role);
      const scheduler = statements.filter((statement) =>
        [statement.Action].flat().some((action) => action.startsWith('scheduler:')),
      );
      expect(JSON.stringify(scheduler.map((statement) => statement.Resource))).toContain(
        ':schedule/aurora-dev-reminders/*',
      );
      const passRole = statements.find((statement) => statement.Action === 'iam:PassRole');
      expect(passRole?.Resource).toEqual({ 'Fn::GetAtt': [expect.stringMatching(/^SchedulerRole/), 'Arn'] });
      for (const statement of statements.filter((s) =>
        [s.Action].flat().some((action) => action.startsWith('dynamodb:')),
      )) {
        expect(statement.Condition).toMatchObject({
          'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': expect.any(Array) },
        });
      }
    }
  });

  it('lets Scheduler start deliveries and dead-letter them, nothing else', () => {
    expect(app.actionsOf('-Reminders', 'SchedulerRole')).toEqual([
      'sqs:SendMessage',
      'states:StartExecution',
    ]);
    app.template('-Reminders').hasResourceProperties('AWS::IAM::Role', {
      AssumeRolePolicyDocument: {
        Statement: [
          Match.objectLike({
            Principal: { Service: 'scheduler.amazonaws.com' },
            Condition: { StringEquals: { 'aws:SourceAccount': Match.anyValue() } },
          }),
        ],
      },
    });
  });

  it.each([
    ['ReminderPlanRole', []],
    [
      'ReminderSendRole',
      [
        'dynamodb:DeleteItem',
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:Query',
        'dynamodb:UpdateItem',
        'events:PutEvents',
        'secretsmanager:GetSecretValue',
        'ses:SendEmail',
      ],
    ],
  ])('gives %s exactly what its function calls', (role, actions) => {
    expect(app.actionsOf('-Reminders', role)).toEqual(sorted(FUNCTION_BASELINE, actions));
  });

  it('routes ReminderRequested and ReminderChangeRequested to the lifecycle, with a dead-letter queue', () => {
    app.template('-Reminders').hasResourceProperties('AWS::Events::Rule', {
      EventPattern: {
        source: ['aurora.reminders'],
        'detail-type': ['ReminderRequested', 'ReminderChangeRequested'],
      },
      Targets: [
        Match.objectLike({
          Arn: { Ref: Match.stringLikeRegexp('^Lifecycle') },
          DeadLetterConfig: Match.objectLike({ Arn: Match.anyValue() }),
          RetryPolicy: Match.objectLike({ MaximumRetryAttempts: 4 }),
        }),
      ],
    });
  });
});
