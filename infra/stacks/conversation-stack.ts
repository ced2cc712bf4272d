/**
 * The conversation: a function routed by an EventBridge rule (MessageReceived and PostbackReceived from
 * aurora.messenger) that understands what people type and answers through the Messenger Send API.
 */
import { CfnParameter, Duration, Stack, type StackProps } from 'aws-cdk-lib';
import * as events from 'aws-cdk-lib/aws-events';
import * as targets from 'aws-cdk-lib/aws-events-targets';
import { SqsDestination } from 'aws-cdk-lib/aws-lambda-destinations';
import type * as sqs from 'aws-cdk-lib/aws-sqs';
import type { Construct } from 'constructs';
import type { AuroraConfig } from '../config';
import { AuroraFunction } from '../constructs/aurora-function';
import { ruleTargetDeadLetters, type StatefulStack } from './stateful-stack';

export interface ConversationStackProps extends StackProps {
  readonly config: AuroraConfig;
  readonly stateful: StatefulStack;
}

export class ConversationStack extends Stack {
  readonly conversationFunction: AuroraFunction;
  /** Messages the bus could not hand to the conversation function. */
  readonly ruleTargetDeadLetterQueue: sqs.Queue;

  constructor(scope: Construct, id: string, props: ConversationStackProps) {
    super(scope, id, props);
    const { config, stateful } = props;
    const pageToken = stateful.secrets['messenger-page-token'];
    const otpKey = stateful.secrets['otp-signing-key'];
    // A deploy-time parameter, so one synthesized template serves AWS (Meta's Graph API) and the local
    // cloud (its Graph stand-in on the edge).
    const graphApiBaseUrl = new CfnParameter(this, 'GraphApiBaseUrl', {
      type: 'String',
      default: config.graphApiBaseUrl,
      description: 'Base URL of the Messenger Send API, e.g. https://graph.facebook.com/v21.0',
    });

    const conversation = new AuroraFunction(this, 'Conversation', {
      name: 'conversation',
      description: 'Messenger conversation: reads commands, answers through the Send API',
      serviceName: 'conversation',
      logLevel: config.logLevel,
      memorySize: 512,
      // Send API retries with backoff fit well inside this.
      timeout: Duration.seconds(30),
      environment: {
        TABLE_NAME: stateful.table.tableName,
        EVENT_BUS_NAME: stateful.bus.eventBusName,
        GRAPH_API_BASE_URL: graphApiBaseUrl.valueAsString,
        PAGE_TOKEN_ID: pageToken.secretArn,
        OTP_KEY_ID: otpKey.secretArn,
      },
    });
    this.conversationFunction = conversation;
    conversation.allow(['secretsmanager:GetSecretValue'], [pageToken.secretArn, otpKey.secretArn]);
    conversation.allow(['events:PutEvents'], [stateful.bus.eventBusArn]);
    // Users and PSID links (GetItem, UpdateItem) and this function's idempotency records (all four).
    conversation.allow(
      ['dynamodb:GetItem', 'dynamodb:PutItem', 'dynamodb:UpdateItem', 'dynamodb:DeleteItem'],
      [stateful.table.tableArn],
      ['PSID#*', 'USER#*', 'IDEMPOTENCY#conversation'],
    );
    // `list`: a user's pending reminders (GSI1); reminders held for the person's next message (USER#).
    conversation.allow(
      ['dynamodb:Query'],
      [stateful.table.tableArn, `${stateful.table.tableArn}/index/GSI1`],
      ['USER#*'],
    );

    // An event that still fails after Lambda's async retries lands in the functions' dead-letter queue.
    conversation.function.configureAsyncInvoke({
      retryAttempts: 2,
      maxEventAge: Duration.hours(1),
      onFailure: new SqsDestination(stateful.functionDeadLetterQueue),
    });

    const deadLetters = ruleTargetDeadLetters(this, config.stage, 'Conversation');
    this.ruleTargetDeadLetterQueue = deadLetters.queue;
    new events.Rule(this, 'ConversationRule', {
      eventBus: stateful.bus,
      description: 'People writing to the Page: to the conversation function',
      eventPattern: { source: ['aurora.messenger'], detailType: ['MessageReceived', 'PostbackReceived'] },
      targets: [new targets.LambdaFunction(conversation.function, deadLetters.delivery)],
    });
  }
}
