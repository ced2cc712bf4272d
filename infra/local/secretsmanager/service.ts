/**
 * Secrets Manager, as much as functions and scripts need: the template's secrets exist under their names and
 * ARNs, and GetSecretValue answers with the value configured locally (an environment variable, or a printed
 * dev default). CreateSecret adds secrets at run time; DeleteSecret schedules a deletion on the local clock
 * (or forces it), and a secret scheduled for deletion refuses reads as AWS does.
 */
import { randomBytes } from 'node:crypto';
import type {
  BatchGetSecretValueRequest,
  BatchGetSecretValueResponse,
  CreateSecretRequest,
  DeleteSecretRequest,
  DescribeSecretRequest,
  GetSecretValueRequest,
  ListSecretsRequest,
  PutSecretValueRequest,
  SecretsManager,
} from '@aws-sdk/client-secrets-manager';
import {
  AwsServiceError,
  type JsonProtocolService,
  type OperationsOf,
  type RequestContext,
} from '../edge/contracts';
import { wireFields } from '../shared/wire-fields';

export interface LocalSecret {
  readonly name: string;
  readonly arn: string;
  readonly description?: string;
  value: string;
  readonly createdAt: number;
  versionId: string;
  /** Set by DeleteSecret: when the secret was marked and when it goes for good. */
  deletion?: { readonly markedAt: number; readonly deleteAt: number };
}

const DAY_MS = 86_400_000;
const DEFAULT_RECOVERY_DAYS = 30;
const BATCH_LIMIT = 20;

const notFound = () =>
  new AwsServiceError('ResourceNotFoundException', "Secrets Manager can't find the specified secret.");
const invalidParameter = (message: string) => new AwsServiceError('InvalidParameterException', message);
const markedForDeletion = () =>
  new AwsServiceError(
    'InvalidRequestException',
    "You can't perform this operation on the secret because it was marked for deletion.",
  );

/** AWS appends six random characters to a secret's name in its ARN. */
const arnSuffix = (): string => randomBytes(6).toString('base64url').slice(0, 6);

const epochSeconds = (ms: number): number => ms / 1000;

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

  /** Secrets not scheduled for deletion (ListSecrets' default), or all of them. */
  list(options: { includePlannedDeletion?: boolean } = {}): readonly LocalSecret[] {
    this.purgeExpired();
    const all = [...this.secrets.values()];
    return options.includePlannedDeletion ? all : all.filter((secret) => !secret.deletion);
  }

  /** Finds a secret by name, ARN or partial ARN, scheduled for deletion or not. */
  find(secretId: unknown): LocalSecret {
    if (typeof secretId !== 'string' || secretId === '') throw invalidParameter('SecretId is required.');
    this.purgeExpired();
    const byName = this.secrets.get(secretId);
    if (byName) return byName;
    // An ARN, or a partial ARN without the random suffix, as AWS accepts.
    for (const secret of this.secrets.values()) {
      if (secret.arn === secretId || secret.arn.startsWith(`${secretId}-`)) return secret;
    }
    throw notFound();
  }

  /** A secret whose value may be read or changed: one not scheduled for deletion. */
  private live(secretId: unknown): LocalSecret {
    const secret = this.find(secretId);
    if (secret.deletion) throw markedForDeletion();
    return secret;
  }

  /** A scheduled deletion happens once the local clock passes its date. */
  private purgeExpired(): void {
    const now = this.now();
    for (const [name, secret] of this.secrets) {
      if (secret.deletion && secret.deletion.deleteAt <= now) this.secrets.delete(name);
    }
  }

  private create(input: CreateSecretRequest, context: RequestContext) {
    const name = input.Name;
    if (!name) throw invalidParameter('Name is required.');
    if (typeof input.SecretString !== 'string') {
      // A secret without a value, or with SecretBinary, has no local use yet.
      throw invalidParameter('SecretString is required locally (SecretBinary is not emulated).');
    }
    this.purgeExpired();
    const existing = this.secrets.get(name);
    if (existing?.deletion) {
      throw new AwsServiceError(
        'InvalidRequestException',
        "You can't create this secret because a secret with this name is already scheduled for deletion.",
      );
    }
    if (existing) {
      throw new AwsServiceError(
        'ResourceExistsException',
        `The operation failed because the secret ${name} already exists.`,
      );
    }
    const secret: LocalSecret = {
      name,
      arn: `arn:aws:secretsmanager:${context.region}:${context.accountId}:secret:${name}-${arnSuffix()}`,
      ...(input.Description === undefined ? {} : { description: input.Description }),
      value: input.SecretString,
      createdAt: this.now(),
      versionId: input.ClientRequestToken ?? crypto.randomUUID(),
    };
    this.secrets.set(name, secret);
    return { ARN: secret.arn, Name: secret.name, VersionId: secret.versionId };
  }

  private delete(input: DeleteSecretRequest) {
    const { ForceDeleteWithoutRecovery: force, RecoveryWindowInDays: days } = input;
    if (force && days !== undefined) {
      throw invalidParameter(
        "You can't use ForceDeleteWithoutRecovery in conjunction with RecoveryWindowInDays.",
      );
    }
    if (days !== undefined && (!Number.isInteger(days) || days < 7 || days > 30)) {
      throw invalidParameter('The RecoveryWindowInDays value must be between 7 and 30 days (inclusive).');
    }
    const secret = this.find(input.SecretId);
    if (secret.deletion && !force) throw markedForDeletion();
    const now = this.now();
    if (force) {
      this.secrets.delete(secret.name);
      return { ARN: secret.arn, Name: secret.name, DeletionDate: epochSeconds(now) };
    }
    const deleteAt = now + (days ?? DEFAULT_RECOVERY_DAYS) * DAY_MS;
    secret.deletion = { markedAt: now, deleteAt };
    return { ARN: secret.arn, Name: secret.name, DeletionDate: epochSeconds(deleteAt) };
  }

  private batchGet(input: BatchGetSecretValueRequest) {
    const ids = input.SecretIdList;
    const filters = input.Filters;
    if ((ids === undefined) === (filters === undefined)) {
      throw invalidParameter('Either SecretIdList or Filters must be specified, but not both.');
    }
    if (ids && ids.length > BATCH_LIMIT) {
      throw invalidParameter(`SecretIdList can contain at most ${BATCH_LIMIT} secret IDs.`);
    }
    if (filters) {
      // The `name` filter (prefixes) is the one scripts use; other keys match nothing locally.
      const matches = (secret: LocalSecret) =>
        filters.every(
          (filter) =>
            filter.Key === 'name' && (filter.Values ?? []).some((prefix) => secret.name.startsWith(prefix)),
        );
      return { SecretValues: this.list().filter(matches).map(secretValue), Errors: [] };
    }
    const SecretValues: ReturnType<typeof secretValue>[] = [];
    const Errors: NonNullable<BatchGetSecretValueResponse['Errors']> = [];
    for (const id of ids ?? []) {
      try {
        SecretValues.push(secretValue(this.live(id)));
      } catch (error) {
        if (!(error instanceof AwsServiceError)) throw error;
        Errors.push({ SecretId: id, ErrorCode: error.code, Message: error.message });
      }
    }
    return { SecretValues, Errors };
  }

  get edgeService(): JsonProtocolService {
    const describe = (secret: LocalSecret) => ({
      ARN: secret.arn,
      Name: secret.name,
      Description: secret.description,
      CreatedDate: epochSeconds(secret.createdAt),
      LastChangedDate: epochSeconds(secret.deletion?.markedAt ?? secret.createdAt),
      DeletedDate: secret.deletion && epochSeconds(secret.deletion.markedAt),
      VersionIdsToStages: { [secret.versionId]: ['AWSCURRENT'] },
    });
    const operations: OperationsOf<SecretsManager> = {
      GetSecretValue: (input: GetSecretValueRequest) => {
        const secret = this.live(input.SecretId);
        if (input.VersionStage !== undefined && input.VersionStage !== 'AWSCURRENT') throw notFound();
        return secretValue(secret);
      },
      BatchGetSecretValue: (input: BatchGetSecretValueRequest) => this.batchGet(input),
      DescribeSecret: (input: DescribeSecretRequest) => describe(this.find(input.SecretId)),
      ListSecrets: (input: ListSecretsRequest) => ({
        // A list entry names the version map SecretVersionsToStages, DescribeSecret VersionIdsToStages.
        SecretList: this.list({ includePlannedDeletion: input.IncludePlannedDeletion === true }).map(
          (secret) => {
            const { VersionIdsToStages, ...entry } = describe(secret);
            return { ...entry, SecretVersionsToStages: VersionIdsToStages };
          },
        ),
      }),
      CreateSecret: (input: CreateSecretRequest, context: RequestContext) => this.create(input, context),
      DeleteSecret: (input: DeleteSecretRequest) => this.delete(input),
      PutSecretValue: (input: PutSecretValueRequest) => {
        const secret = this.live(input.SecretId);
        if (typeof input.SecretString !== 'string') throw invalidParameter('SecretString is required.');
        secret.value = input.SecretString;
        secret.versionId = crypto.randomUUID();
        return {
          ARN: secret.arn,
          Name: secret.name,
          VersionId: secret.versionId,
          VersionStages: ['AWSCURRENT'],
        };
      },
    };
    return {
      protocol: 'awsJson1_1',
      signingName: 'secretsmanager',
      targetPrefix: 'secretsmanager',
      operations,
    };
  }
}

function secretValue(secret: LocalSecret) {
  return {
    ...wireFields(secret, { ARN: 'arn', Name: 'name', SecretString: 'value', VersionId: 'versionId' }),
    VersionStages: ['AWSCURRENT'],
    CreatedDate: epochSeconds(secret.createdAt),
  };
}
