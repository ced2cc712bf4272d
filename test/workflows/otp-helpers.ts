/** Driving and observing OTP sessions on a started local cloud: events in, mail, items, events and history out. */
import { createHmac, randomUUID } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient, PutEventsCommand } from '@aws-sdk/client-eventbridge';
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { GetExecutionHistoryCommand, ListExecutionsCommand, SFNClient } from '@aws-sdk/client-sfn';
import { SQSClient } from '@aws-sdk/client-sqs';
import { DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { type BusEvent, tapBus } from '../support/bus-tap';
import type { TestCloud } from '../support/local-cloud';
import { eventually } from '../support/polling';
import { codeIn } from '../support/sign-in';

export const BUS = 'aurora-dev';
export const TABLE = 'aurora-dev';

export interface Mail {
  readonly to: readonly string[];
  readonly subject: string;
  readonly text?: string;
  readonly html?: string;
}

export type AuthEvent = BusEvent;

export function otpDriver(test: TestCloud) {
  const config = test.clientConfig;
  const events = new EventBridgeClient(config);
  const table = DynamoDBDocumentClient.from(new DynamoDBClient(config));
  const secrets = new SecretsManagerClient(config);
  const sfn = new SFNClient(config);
  const sqs = new SQSClient(config);
  const put = async (detailType: string, detail: Record<string, unknown>) => {
    const result = await events.send(
      new PutEventsCommand({
        Entries: [
          {
            EventBusName: BUS,
            Source: 'aurora.auth',
            DetailType: detailType,
            Detail: JSON.stringify(detail),
          },
        ],
      }),
    );
    if (result.FailedEntryCount) throw new Error(`PutEvents failed: ${JSON.stringify(result.Entries)}`);
  };
  let otpKey: string | undefined;
  const hmac = async (code: string) => {
    otpKey ??= (await secrets.send(new GetSecretValueCommand({ SecretId: 'dev/aurora/otp-signing-key' })))
      .SecretString;
    return createHmac('sha256', otpKey ?? '')
      .update(code)
      .digest('hex');
  };
  /** Puts a web `detailType` with a fresh id and the cloud's now, in the fields `names` gives; answers the id. */
  const putFromWeb = async (
    detailType: string,
    names: { id: string; time: string },
    detail: Record<string, unknown>,
  ): Promise<string> => {
    const id = randomUUID();
    const stamped = new Date(test.cloud.clock.now()).toISOString();
    await put(detailType, {
      schemaVersion: 1,
      [names.id]: id,
      channel: 'web',
      [names.time]: stamped,
      ...detail,
    });
    return id;
  };
  const item = async (key: { PK: string; SK: string }) =>
    (await table.send(new GetCommand({ TableName: TABLE, Key: key, ConsistentRead: true }))).Item;
  const mails = async (to: string): Promise<Mail[]> => {
    const response = await fetch(`${test.cloud.edgeUrl}/_aurora/ses/messages?to=${encodeURIComponent(to)}`);
    return (await response.json()) as Mail[];
  };

  return {
    request: (email: string, extra: Record<string, unknown> = {}): Promise<string> =>
      putFromWeb('OtpRequested', { id: 'requestId', time: 'requestedAt' }, { email, ...extra }),
    async submit(email: string, code: string, extra: Record<string, unknown> = {}): Promise<string> {
      const detail = { email, codeHmac: await hmac(code), ...extra };
      return putFromWeb('OtpCodeSubmitted', { id: 'submissionId', time: 'submittedAt' }, detail);
    },
    item,
    session: (email: string) => item({ PK: `EMAIL#${email}`, SK: 'OTP' }),
    /** The outcome the workflow recorded for a request or submission id. */
    outcome: (email: string, id: string, timeoutMs = 20_000) =>
      eventually(
        async () =>
          (await item({ PK: `EMAIL#${email}`, SK: `OUTCOME#${id}` }))?.result as
            | Record<string, unknown>
            | undefined,
        timeoutMs,
        `outcome of ${id}`,
      ),
    mails,
    async codeFor(to: string): Promise<string> {
      const found = await eventually(
        async () => {
          const list = await mails(to);
          return list.length > 0 ? list : undefined;
        },
        20_000,
        `mail to ${to}`,
      );
      const code = codeIn(found.at(-1));
      if (!code) throw new Error('no code in the mail');
      return code;
    },
    /** Collects every aurora.auth event from now on, through a rule to an SQS queue. */
    watchAuthEvents: (): Promise<() => Promise<AuthEvent[]>> =>
      tapBus<AuthEvent>({ events, sqs }, BUS, { source: ['aurora.auth'] }),
    /**
     * State names entered, in order, by the execution that started for `requestId`, its status, and the
     * errors its tasks failed with (each failed attempt, retried or not).
     */
    async story(requestId: string): Promise<{ states: string[]; status: string; taskErrors: string[] }> {
      const machine = test.cloud.deployment.resources.find(
        (resource) => resource.type === 'AWS::StepFunctions::StateMachine',
      );
      const { executions = [] } = await sfn.send(
        new ListExecutionsCommand({ stateMachineArn: machine?.identity.ref, maxResults: 1000 }),
      );
      for (const execution of executions) {
        const { events: history = [] } = await sfn.send(
          new GetExecutionHistoryCommand({ executionArn: execution.executionArn, maxResults: 1000 }),
        );
        const input = history[0]?.executionStartedEventDetails?.input ?? '';
        if (!input.includes(requestId)) continue;
        return {
          status: execution.status ?? '',
          states: history.flatMap((event) =>
            event.stateEnteredEventDetails?.name ? [event.stateEnteredEventDetails.name] : [],
          ),
          taskErrors: history.flatMap((event) =>
            event.taskFailedEventDetails?.error ? [event.taskFailedEventDetails.error] : [],
          ),
        };
      }
      throw new Error(`no execution for ${requestId}`);
    },
  };
}
