/**
 * The CDK app's composition: one definition for both ways Aurora Time runs. `cdk deploy` puts it on AWS
 * (through infra/app.ts); `npm start` synthesizes the same app in-process and deploys its templates onto the
 * local cloud (infra/local/).
 */
import { App, type Environment, Validations } from 'aws-cdk-lib';
import { AwsSolutionsChecks } from 'cdk-nag';
import { readConfig } from './config';
import { AnalyticsStack } from './stacks/analytics-stack';
import { ApiStack } from './stacks/api-stack';
import { ConversationStack } from './stacks/conversation-stack';
import { ObservabilityStack } from './stacks/observability-stack';
import { RemindersStack } from './stacks/reminders-stack';
import { StatefulStack } from './stacks/stateful-stack';
import { WebStack } from './stacks/web-stack';
import { WorkflowsStack } from './stacks/workflows-stack';

export function buildApp(app: App = new App()): App {
  const config = readConfig(app);
  // Environment-agnostic unless an account and region are configured, so synth needs no credentials.
  const env: Environment = {
    ...(process.env.CDK_DEFAULT_ACCOUNT ? { account: process.env.CDK_DEFAULT_ACCOUNT } : {}),
    ...(process.env.CDK_DEFAULT_REGION ? { region: process.env.CDK_DEFAULT_REGION } : {}),
  };
  const prefix = `Aurora-${config.stage}`;
  const tags = { project: 'aurora-time', stage: config.stage };

  const stateful = new StatefulStack(app, `${prefix}-Stateful`, { env, config, tags });
  const analytics = new AnalyticsStack(app, `${prefix}-Analytics`, { env, config, stateful, tags });
  const api = new ApiStack(app, `${prefix}-Api`, {
    env,
    config,
    stateful,
    analyticsFunction: analytics.analyticsFunction.function,
    tags,
  });
  const conversation = new ConversationStack(app, `${prefix}-Conversation`, { env, config, stateful, tags });
  const workflows = new WorkflowsStack(app, `${prefix}-Workflows`, { env, config, stateful, tags });
  const reminders = new RemindersStack(app, `${prefix}-Reminders`, { env, config, stateful, tags });
  new WebStack(app, `${prefix}-Web`, { env, config, apiUrl: api.api.apiEndpoint, tags });
  new ObservabilityStack(app, `${prefix}-Observability`, {
    env,
    config,
    stateful,
    functions: [
      api.healthFunction,
      api.webhookFunction,
      api.authFunction,
      api.calendarRoutes.apiFunction,
      api.calendarRoutes.authorizerFunction,
      conversation.conversationFunction,
      ...workflows.functions,
      ...reminders.functions,
      analytics.analyticsFunction,
    ],
    stateMachines: [workflows.otpSession, reminders.lifecycle, reminders.delivery],
    deadLetterQueues: [
      workflows.ruleTargetDeadLetterQueue,
      conversation.ruleTargetDeadLetterQueue,
      reminders.ruleTargetDeadLetterQueue,
      analytics.ruleTargetDeadLetterQueue,
    ],
    tags,
  });

  Validations.of(app).addPlugins(new AwsSolutionsChecks(app, { verbose: true }));
  return app;
}
