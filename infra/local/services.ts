/**
 * Creates every emulated service around one clock and one state directory, and wires them to each other
 * through narrow ports (EventBridge and Scheduler deliver to Lambda, Step Functions, SQS and buses, and
 * Lambda sends its async invocation records to its destinations through the same ports; Step Functions calls
 * Lambda directly and every other API through the real SDK over the edge).
 */
import { join } from 'node:path';
import { AthenaService } from './athena/service';
import type { Clock } from './clock';
import { DynamoDbService } from './dynamodb/service';
import { AwsServiceError, type EdgeService } from './edge/contracts';
import { EventBridgeService } from './eventbridge/service';
import { FirehoseService } from './firehose/service';
import { GlueCatalog } from './glue/catalog';
import { PolicyStore } from './iam/policies';
import { LambdaRuntime } from './lambda/runtime';
import { lambdaEdgeService } from './lambda/service';
import { GraphStandIn } from './messenger/graph';
import { MessengerChat } from './messenger-chat/service';
import { S3Service } from './s3/service';
import { SchedulerService } from './scheduler/service';
import { SdkCaller } from './sdk-calls';
import { SecretsManagerService } from './secretsmanager/service';
import { sesV1Dialect } from './ses/compose';
import { SesService } from './ses/service';
import type { LocalAccount, TargetPorts } from './shared/ports';
import { SnsService } from './sns/service';
import { SqsService } from './sqs/service';
import { AwsCallError } from './stepfunctions/engine/tasks';
import { StepFunctionsService } from './stepfunctions/service';
import { stsService } from './sts/service';

export interface LocalServicesOptions {
  readonly clock: Clock;
  readonly stateDir: string;
  readonly account: LocalAccount;
  readonly edgeUrl: string;
  readonly pageAccessToken: string;
  readonly enforceIam: boolean;
  readonly log: (line: string) => void;
}

export class LocalServices {
  readonly dynamodb: DynamoDbService;
  readonly sqs: SqsService;
  readonly ses: SesService;
  readonly graph: GraphStandIn;
  readonly secrets: SecretsManagerService;
  readonly lambda: LambdaRuntime;
  readonly eventbridge: EventBridgeService;
  readonly scheduler: SchedulerService;
  readonly stepfunctions: StepFunctionsService;
  readonly sns: SnsService;
  readonly s3: S3Service;
  readonly firehose: FirehoseService;
  readonly policies = new PolicyStore();
  readonly messengerChat: MessengerChat;
  readonly glue: GlueCatalog;
  readonly athena: AthenaService;
  private readonly sdk: SdkCaller;
  private readonly clock: Clock;

  constructor(options: LocalServicesOptions) {
    const { clock, stateDir, account, edgeUrl } = options;
    this.clock = clock;
    this.sdk = new SdkCaller(edgeUrl, account.region);
    this.dynamodb = new DynamoDbService({ clock, stateDir, account });
    this.sqs = new SqsService({ clock, stateDir, account, endpoint: edgeUrl });
    this.ses = new SesService({
      clock,
      stateDir,
      account: account.accountId,
      defaultRegion: account.region,
      publishEvents: (entries) =>
        this.eventbridge
          .putEvents(entries)
          .catch((error: unknown) => options.log(`SES: an email event was not published: ${String(error)}`)),
    });
    this.graph = new GraphStandIn({ clock, stateDir, pageAccessToken: options.pageAccessToken });
    this.secrets = new SecretsManagerService(() => clock.now());
    this.messengerChat = new MessengerChat({ graph: this.graph, secrets: this.secrets });
    // The ports call the services lazily: Lambda's destinations and the EventBridge and Scheduler targets.
    const ports: TargetPorts = {
      invokeLambdaAsync: async (functionArn, payload) => {
        await this.lambda.invoke(functionArn, payload, { invocationType: 'Event' });
      },
      startExecution: async (stateMachineArn, input, name) =>
        this.stepfunctions.startExecution({ stateMachineArn, input, ...(name ? { name } : {}) }).executionArn,
      sendToQueue: async (queueArn, body, attributes) => {
        await this.sqs.sendByArn(queueArn, body, attributes);
      },
      putEvents: async (entries) => ({
        failedEntryCount: (await this.eventbridge.putEvents(entries)).FailedEntryCount,
      }),
      publishToTopic: async (topicArn, message) => {
        this.sns.publish({ topicArn, message });
      },
      putFirehoseRecord: async (deliveryStreamArn, data) => {
        this.firehose.putRecordByArn(deliveryStreamArn, data);
      },
    };
    this.lambda = new LambdaRuntime({
      account,
      edgeUrl,
      clock,
      logDir: join(stateDir, 'lambda', 'logs'),
      destinations: ports,
    });
    this.glue = new GlueCatalog({ clock, stateDir, accountId: account.accountId });
    this.athena = new AthenaService({ clock, stateDir, catalog: this.glue });
    this.s3 = new S3Service({ stateDir, clock, region: account.region });
    this.firehose = new FirehoseService({ clock, stateDir, account, s3: this.s3.store, log: options.log });
    this.sns = new SnsService({
      clock,
      stateDir,
      account,
      endpoint: edgeUrl,
      log: options.log,
      deliveries: {
        // SNS's own sender is not an SES identity of the account: no sender check applies.
        sendEmail: ({ from, to, subject, text }) => {
          const mail = { from, to: [to], cc: [], bcc: [], replyTo: [], subject, text, attachments: [] };
          this.ses.accept({ ...mail, tags: {}, senders: [] }, sesV1Dialect, 'sns:Publish', account.region);
        },
        sendToQueue: (queueArn, body) => ports.sendToQueue(queueArn, body),
        invokeLambdaAsync: ports.invokeLambdaAsync,
      },
    });

    this.eventbridge = new EventBridgeService({ clock, stateDir, account, ports });
    this.scheduler = new SchedulerService({ clock, stateDir, account, ports });
    this.stepfunctions = new StepFunctionsService({
      clock,
      stateDir,
      account,
      enforceIam: options.enforceIam,
      checkPermission: (roleArn, action, resource) =>
        this.policies.knows(roleArn) ? this.policies.check(roleArn, action, resource) : 'allowed',
      log: options.log,
      publishEvents: ports.putEvents,
      tasks: {
        invokeLambda: async (functionName, payload, callOptions) => {
          try {
            const result = await this.lambda.invoke(functionName, payload, {
              invocationType: 'RequestResponse',
              ...(callOptions.logType === 'Tail' ? { logType: 'Tail' as const } : {}),
            });
            return { ...result, payload: result.payload ?? '' };
          } catch (error) {
            // A Lambda API error (a throttle, a missing function) reaches the state as Lambda.<its code>.
            if (!(error instanceof AwsServiceError)) throw error;
            throw new AwsCallError(error.code, error.message, error.statusCode);
          }
        },
        callAws: async (service, action, input) => {
          try {
            return await this.sdk.call(service, action, input);
          } catch (error) {
            const { name, message, $metadata } = error as Error & { $metadata?: { httpStatusCode?: number } };
            throw new AwsCallError(name, message, $metadata?.httpStatusCode ?? 400);
          }
        },
      },
    });
  }

  /** What the edge serves, most specific first. */
  edgeServices(account: LocalAccount): EdgeService[] {
    return [
      this.dynamodb.edgeService,
      this.sqs.edgeService,
      this.sqs.queryEdgeService,
      this.ses,
      this.sns.edgeService,
      this.s3,
      this.firehose.edgeService,
      this.graph,
      this.messengerChat,
      this.secrets.edgeService,
      lambdaEdgeService(this.lambda),
      this.eventbridge.edgeService,
      this.scheduler.edgeService,
      this.stepfunctions.edgeService,
      this.stepfunctions.consoleService,
      this.glue.edgeService,
      this.athena.edgeService,
      stsService(account, () => this.clock.now()),
    ];
  }

  /** Before the edge closes: lets running async Lambda invocations finish (see LambdaRuntime.drain). */
  async drain(): Promise<void> {
    await this.lambda.drain();
  }

  async stop(): Promise<void> {
    await this.athena.close();
    this.scheduler.stop();
    this.firehose.stop();
    this.eventbridge.dispose();
    this.stepfunctions.close();
    this.lambda.shutdown();
    this.sqs.close();
    await this.dynamodb.close();
    this.sdk.destroy();
  }
}
