/** The CDK app synthesized once per test file (bundling skipped), with lookups by stack and role. */
import { App, Stack } from 'aws-cdk-lib';
import { Template } from 'aws-cdk-lib/assertions';
import { expect } from 'vitest';
import { buildApp } from '../../infra/build-app';

export type Statement = { Action: string | string[]; Resource: unknown; Condition?: unknown };

export interface SynthesizedApp {
  readonly outdir: string;
  readonly templates: Record<string, Template>;
  /** The template of the stack whose name ends in `suffix` (`-Workflows`). */
  template(suffix: string): Template;
  /** Every action the inline policies of the role whose logical id starts with `rolePrefix` allow, sorted. */
  actionsOf(stackSuffix: string, rolePrefix: string): string[];
  /** The statements of that role's inline policies. */
  statementsOf(stackSuffix: string, rolePrefix: string): Statement[];
}

/** Synthesis fails if cdk-nag (AwsSolutions) reports any finding that is not acknowledged. */
export function synthesizeApp(): SynthesizedApp {
  const app = buildApp(new App({ context: { 'aws:cdk:bundling-stacks': [] } }));
  const outdir = app.synth().directory;
  const templates: Record<string, Template> = {};
  for (const child of app.node.children) {
    if (child instanceof Stack) templates[child.stackName] = Template.fromStack(child);
  }
  const template = (suffix: string): Template => {
    const found = Object.entries(templates).find(([name]) => name.endsWith(suffix));
    if (!found) throw new Error(`no stack ending in ${suffix}`);
    return found[1];
  };
  const statementsOf = (stackSuffix: string, rolePrefix: string): Statement[] => {
    const policies = Object.entries(template(stackSuffix).findResources('AWS::IAM::Policy')).filter(
      ([logicalId]) => logicalId.startsWith(rolePrefix),
    );
    expect(policies.length, rolePrefix).toBe(1);
    return policies.flatMap(([, policy]) => policy.Properties.PolicyDocument.Statement as Statement[]);
  };
  return {
    outdir,
    templates,
    template,
    statementsOf,
    actionsOf: (stackSuffix, rolePrefix) =>
      statementsOf(stackSuffix, rolePrefix)
        .flatMap((statement) => [statement.Action].flat())
        .sort(),
  };
}

/** What every function role has besides its own calls: its log group and X-Ray. */
export const FUNCTION_BASELINE = [
  'logs:CreateLogStream',
  'logs:PutLogEvents',
  'xray:PutTelemetryRecords',
  'xray:PutTraceSegments',
];

/** What CDK adds to a state machine role for logging (ALL) and tracing. */
export const STATE_MACHINE_BASELINE = [
  'logs:CreateLogDelivery',
  'logs:DeleteLogDelivery',
  'logs:DescribeLogGroups',
  'logs:DescribeResourcePolicies',
  'logs:GetLogDelivery',
  'logs:ListLogDeliveries',
  'logs:PutResourcePolicy',
  'logs:UpdateLogDelivery',
  'xray:GetSamplingRules',
  'xray:GetSamplingTargets',
  'xray:PutTelemetryRecords',
  'xray:PutTraceSegments',
];
