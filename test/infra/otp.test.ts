/**
 * The OTP session's infrastructure: the state machine and every function of the login flow may do exactly
 * what their code calls, no more; the rules route the two request events; cdk-nag has nothing to say.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { App } from 'aws-cdk-lib';
import { Match, Template } from 'aws-cdk-lib/assertions';
import { beforeAll, describe, expect, it } from 'vitest';
import { readConfig } from '../../infra/config';
import { stateMachineDefinition } from '../../infra/local/provisioners';
import { StatefulStack } from '../../infra/stacks/stateful-stack';
import { WorkflowsStack } from '../../infra/stacks/workflows-stack';
import {
  FUNCTION_BASELINE,
  STATE_MACHINE_BASELINE,
  type Statement,
  type SynthesizedApp,
  synthesizeApp,
} from '../support/synthesized-app';

let app: SynthesizedApp;
let outdir: string;
const template = (suffix: string) => app.template(suffix);
const actionsOf = (stackSuffix: string, rolePrefix: string) => app.actionsOf(stackSuffix, rolePrefix);

beforeAll(() => {
  app = synthesizeApp();
  outdir = app.outdir;
}, 180_000);

/** The workflows stack alone (with the stateful one it needs), synthesized with these context settings. */
function workflowsTemplate(context: Record<string, string>): Template {
  const scope = new App({ context: { 'aws:cdk:bundling-stacks': [], ...context } });
  const config = readConfig(scope);
  const stateful = new StatefulStack(scope, 'Aurora-test-Stateful', { config });
  return Template.fromStack(new WorkflowsStack(scope, 'Aurora-test-Workflows', { config, stateful }));
}

const withBaseline = (actions: string[]) => [...FUNCTION_BASELINE, ...actions].sort();

describe('OTP session infrastructure', () => {
  it('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    const report = JSON.parse(readFileSync(join(outdir, 'validation-report.json'), 'utf8')) as {
      pluginReports: Array<{ violations?: unknown[] }>;
    };
    expect(report.pluginReports.flatMap((plugin) => plugin.violations ?? [])).toEqual([]);
  });

  it('is a Standard state machine with the JSONata definition, logged and traced', () => {
    const workflows = template('-Workflows');
    workflows.hasResourceProperties('AWS::StepFunctions::StateMachine', {
      StateMachineName: 'aurora-dev-otp-session',
      StateMachineType: 'STANDARD',
      TracingConfiguration: { Enabled: true },
      LoggingConfiguration: Match.objectLike({ Level: 'ALL', IncludeExecutionData: false }),
      DefinitionSubstitutions: Match.objectLike({
        TableName: Match.anyValue(),
        EventBusName: Match.anyValue(),
        IssueFunctionArn: Match.anyValue(),
        VerifyFunctionArn: Match.anyValue(),
        LinkFunctionArn: Match.anyValue(),
        NotifyFunctionArn: Match.anyValue(),
      }),
    });
    const definition = JSON.parse(readFileSync('workflows/otp-session.asl.json', 'utf8')) as {
      QueryLanguage: string;
    };
    expect(definition.QueryLanguage).toBe('JSONata');
  });

  it.each([
    ['the defaults', {}, { throttleMs: 11_000, sessionMs: 900_000 }],
    [
      'configured values',
      { otpThrottleSeconds: '30', otpSessionMinutes: '5' },
      { throttleMs: 30_000, sessionMs: 300_000 },
    ],
  ])('throttles requests and ends sessions by the settings: %s', (_, context, { throttleMs, sessionMs }) => {
    const workflows = Object.keys(context).length === 0 ? template('-Workflows') : workflowsTemplate(context);
    const [machine] = Object.values(workflows.findResources('AWS::StepFunctions::StateMachine'));
    const definition = stateMachineDefinition(machine?.Properties ?? {});
    // Substituted as text inside JSONata expressions: still JSON, and the numbers are the settings'.
    const states = (JSON.parse(definition) as { States: Record<string, unknown> }).States;
    expect(JSON.stringify(states.Requested)).toContain(`EnteredTime) + ${sessionMs} %}`);
    expect(JSON.stringify(states.ClaimSession)).toContain(`$requestedAt - ${throttleMs})`);
    expect(JSON.stringify(states.ExplainRefusal)).toContain(`$lastSentAt + ${throttleMs} - $requestedAt`);
    expect(definition).not.toMatch(/\$\{Otp/);
  });

  it('gives the state machine role exactly the calls of its tasks', () => {
    const actions = actionsOf('-Workflows', 'OtpSessionRole');
    // Log delivery and X-Ray statements are what CDK adds for logging and tracing; the rest is the ASL's.
    expect(actions).toEqual(
      [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'dynamodb:UpdateItem',
        'events:PutEvents',
        'lambda:InvokeFunction',
        ...STATE_MACHINE_BASELINE,
      ].sort(),
    );
  });

  it.each([
    ['OtpIssueRole', ['dynamodb:UpdateItem', 'secretsmanager:GetSecretValue', 'ses:SendEmail']],
    ['OtpVerifyRole', ['dynamodb:GetItem', 'dynamodb:UpdateItem']],
    ['OtpLinkRole', ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem']],
    // PutEvents: every Messenger send is published as MessageSent.
    ['OtpNotifyRole', ['dynamodb:PutItem', 'events:PutEvents', 'secretsmanager:GetSecretValue']],
    [
      'OtpResumeRole',
      [
        'dynamodb:GetItem',
        'dynamodb:PutItem',
        'events:PutEvents',
        'secretsmanager:GetSecretValue',
        // The on-failure destination of its asynchronous invocations (the functions' dead-letter queue).
        'sqs:GetQueueAttributes',
        'sqs:GetQueueUrl',
        'sqs:SendMessage',
        'states:SendTaskSuccess',
      ],
    ],
  ])('gives %s exactly what its function calls', (role, actions) => {
    expect(actionsOf('-Workflows', role)).toEqual(withBaseline(actions));
  });

  it('gives the auth REST function exactly what its three routes call', () => {
    expect(actionsOf('-Api', 'AuthRoutesAuthApiRole')).toEqual(
      withBaseline(['dynamodb:GetItem', 'events:PutEvents', 'secretsmanager:GetSecretValue']),
    );
  });

  it('keeps every table grant of the login flow inside the partitions it owns', () => {
    const workflows = template('-Workflows').toJSON() as {
      Resources: Record<
        string,
        { Type: string; Properties: { PolicyDocument?: { Statement: Statement[] } } }
      >;
    };
    const dynamoStatements = Object.values(workflows.Resources)
      .filter((resource) => resource.Type === 'AWS::IAM::Policy')
      .flatMap((resource) => resource.Properties.PolicyDocument?.Statement ?? [])
      .filter((statement) => [statement.Action].flat().some((action) => action.startsWith('dynamodb:')));
    expect(dynamoStatements.length).toBeGreaterThan(0);
    for (const statement of dynamoStatements) {
      expect(statement.Condition).toMatchObject({
        'ForAllValues:StringLike': { 'dynamodb:LeadingKeys': expect.any(Array) },
      });
    }
  });

  it('starts a session for OtpRequested and resumes it for OtpCodeSubmitted', () => {
    const workflows = template('-Workflows');
    workflows.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aurora.auth'], 'detail-type': ['OtpRequested'] },
      Targets: [Match.objectLike({ Arn: { Ref: Match.stringLikeRegexp('^OtpSession') } })],
    });
    workflows.hasResourceProperties('AWS::Events::Rule', {
      EventPattern: { source: ['aurora.auth'], 'detail-type': ['OtpCodeSubmitted'] },
      Targets: [Match.objectLike({ Arn: { 'Fn::GetAtt': [Match.stringLikeRegexp('^OtpResume'), 'Arn'] } })],
    });
  });

  it('serves the three auth routes on the HTTP API', () => {
    const api = template('-Api');
    for (const routeKey of ['POST /auth/otp/request', 'POST /auth/otp/verify', 'POST /auth/token/refresh']) {
      api.hasResourceProperties('AWS::ApiGatewayV2::Route', { RouteKey: routeKey });
    }
  });
});
