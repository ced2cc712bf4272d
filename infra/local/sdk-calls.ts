/**
 * Calls any AWS API of the local cloud with the real AWS SDK v3 client, over the edge endpoint: the path
 * Step Functions' `aws-sdk:*` and optimized integrations take, so that they get exactly the behaviour and
 * error codes an SDK caller gets.
 */
type SdkModule = Record<string, unknown>;

/** Each service's SDK package and client class, by the name its `aws-sdk:<service>` resources use. */
const MODULES: Readonly<Record<string, readonly [() => Promise<SdkModule>, string]>> = {
  dynamodb: [() => import('@aws-sdk/client-dynamodb'), 'DynamoDBClient'],
  eventbridge: [() => import('@aws-sdk/client-eventbridge'), 'EventBridgeClient'],
  sfn: [() => import('@aws-sdk/client-sfn'), 'SFNClient'],
  scheduler: [() => import('@aws-sdk/client-scheduler'), 'SchedulerClient'],
  ses: [() => import('@aws-sdk/client-ses'), 'SESClient'],
  sesv2: [() => import('@aws-sdk/client-sesv2'), 'SESv2Client'],
  sqs: [() => import('@aws-sdk/client-sqs'), 'SQSClient'],
  lambda: [() => import('@aws-sdk/client-lambda'), 'LambdaClient'],
  sts: [() => import('@aws-sdk/client-sts'), 'STSClient'],
  secretsmanager: [() => import('@aws-sdk/client-secrets-manager'), 'SecretsManagerClient'],
};

/** Services also named by their signing names. */
const ALIASES: ReadonlyMap<string, string> = new Map([
  ['events', 'eventbridge'],
  ['states', 'sfn'],
]);

export class UnknownServiceError extends Error {}

/** What every SDK v3 client offers, whatever its commands. */
interface AnyClient {
  send(command: unknown): Promise<unknown>;
  destroy(): void;
}

export class SdkCaller {
  private readonly clients = new Map<string, Promise<{ client: AnyClient; module: SdkModule }>>();

  constructor(
    private readonly endpoint: string,
    private readonly region: string,
  ) {}

  /** `service` as in `arn:aws:states:::aws-sdk:<service>:<action>`; `action` PascalCase. */
  async call(service: string, action: string, input: Record<string, unknown>): Promise<unknown> {
    const { client, module } = await this.client(service);
    const Command = module[`${action}Command`] as (new (input: unknown) => unknown) | undefined;
    if (!Command) throw new UnknownServiceError(`${service} has no action ${action}`);
    const { $metadata: _metadata, ...output } = (await client.send(new Command(input))) as Record<
      string,
      unknown
    >;
    return output;
  }

  destroy(): void {
    for (const entry of this.clients.values()) void entry.then(({ client }) => client.destroy());
    this.clients.clear();
  }

  private client(service: string): Promise<{ client: AnyClient; module: SdkModule }> {
    const key = service.toLowerCase();
    let entry = this.clients.get(key);
    if (!entry) {
      const name = ALIASES.get(key) ?? key;
      const known = Object.hasOwn(MODULES, name) ? MODULES[name] : undefined;
      if (!known) throw new UnknownServiceError(`The local cloud does not host the ${service} service`);
      const [load, clientName] = known;
      entry = load().then((module) => {
        const ClientClass = module[clientName] as new (config: unknown) => AnyClient;
        return {
          module,
          client: new ClientClass({
            endpoint: this.endpoint,
            region: this.region,
            credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
            maxAttempts: 1,
          }),
        };
      });
      this.clients.set(key, entry);
    }
    return entry;
  }
}
