/**
 * Secrets Manager, as much as functions need: the template's secrets exist under their names and ARNs, and
 * GetSecretValue answers with the value configured locally (an environment variable, or a printed dev
 * default). Functions read secrets with the same SDK call in AWS and locally.
 */
import { AwsServiceError, type JsonProtocolService } from '../edge/service';

export interface LocalSecret {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  value: string;
  readonly createdAt: number;
  versionId: string;
}

const notFound = () =>
  new AwsServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");

export class SecretsManagerService {
  private readonly secrets = new Map<string, LocalSecret>();

  constructor(private readonly now: () => number) {}

  /** Registers a secret from the template; its value comes from `valueOf(name)`. */
  define(secret: { name: string; arn: string; description?: string; value: string }): void {
    const existing = this.secrets.get(secret.name);
    this.secrets.set(secret.name, {
      ...secret,
      createdAt: existing?.createdAt ?? this.now(),
      versionId: existing?.versionId ?? crypto.randomUUID(),
    });
  }

  list(): readonly LocalSecret[] {
    return [...this.secrets.values()];
  }

  find(secretId: unknown): LocalSecret {
    if (typeof secretId !== 'string' || secretId === '') {
      throw new AwsServiceError('InvalidParameterException', 'SecretId is required.');
    }
    const byName = this.secrets.get(secretId);
    if (byName) return byName;
    // An ARN, or a partial ARN without the random suffix, as AWS accepts.
    for (const secret of this.secrets.values()) {
      if (secret.arn === secretId || secret.arn.startsWith(`${secretId}-`)) return secret;
    }
    throw notFound();
  }

  get edgeService(): JsonProtocolService {
    const describe = (secret: LocalSecret) => ({
      ARN: secret.arn,
      Name: secret.name,
      Description: secret.description,
      CreatedDate: secret.createdAt / 1000,
      LastChangedDate: secret.createdAt / 1000,
      VersionIdsToStages: { [secret.versionId]: ['AWSCURRENT'] },
    });
    return {
      protocol: 'awsJson1_1',
      signingName: 'secretsmanager',
      targetPrefix: 'secretsmanager',
      operations: {
        GetSecretValue: (input: { SecretId?: string; VersionStage?: string }) => {
          const secret = this.find(input.SecretId);
          if (input.VersionStage !== undefined && input.VersionStage !== 'AWSCURRENT') throw notFound();
          return {
            ARN: secret.arn,
            Name: secret.name,
            SecretString: secret.value,
            VersionId: secret.versionId,
            VersionStages: ['AWSCURRENT'],
            CreatedDate: secret.createdAt / 1000,
          };
        },
        DescribeSecret: (input: { SecretId?: string }) => describe(this.find(input.SecretId)),
        ListSecrets: () => ({ SecretList: this.list().map(describe) }),
        PutSecretValue: (input: { SecretId?: string; SecretString?: string }) => {
          const secret = this.find(input.SecretId);
          if (typeof input.SecretString !== 'string') {
            throw new AwsServiceError('InvalidParameterException', 'SecretString is required.');
          }
          secret.value = input.SecretString;
          secret.versionId = crypto.randomUUID();
          return {
            ARN: secret.arn,
            Name: secret.name,
            VersionId: secret.versionId,
            VersionStages: ['AWSCURRENT'],
          };
        },
      },
    };
  }
}
