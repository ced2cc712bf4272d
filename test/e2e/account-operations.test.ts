/**
 * Issue 12: operations real code calls that the edge lacked — Secrets Manager CreateSecret / DeleteSecret /
 * BatchGetSecretValue, STS AssumeRole / GetSessionToken, Lambda GetAccountSettings, and the SES identities
 * and quota in both APIs — through unmodified SDK v3 clients against a bare local cloud on a manual clock.
 */
import { GetAccountSettingsCommand, LambdaClient } from '@aws-sdk/client-lambda';
import {
  BatchGetSecretValueCommand,
  CreateSecretCommand,
  DeleteSecretCommand,
  DescribeSecretCommand,
  GetSecretValueCommand,
  InvalidRequestException,
  ListSecretsCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import {
  GetIdentityVerificationAttributesCommand,
  GetSendQuotaCommand,
  ListIdentitiesCommand,
  SESClient,
  VerifyEmailIdentityCommand,
} from '@aws-sdk/client-ses';
import {
  CreateEmailIdentityCommand,
  DeleteEmailIdentityCommand,
  GetAccountCommand,
  GetEmailIdentityCommand,
  ListEmailIdentitiesCommand,
  MessageRejected,
  NotFoundException,
  SESv2Client,
  SendEmailCommand,
} from '@aws-sdk/client-sesv2';
import {
  AssumeRoleCommand,
  GetCallerIdentityCommand,
  GetSessionTokenCommand,
  STSClient,
} from '@aws-sdk/client-sts';
import { describe, expect, it } from 'vitest';
import { TEST_START, useTestCloud } from '../support/local-cloud';

const test = useTestCloud();

const config = () => ({ ...test.clientConfig, maxAttempts: 1 });

async function clockNow(): Promise<number> {
  const response = await fetch(`${test.cloud.edgeUrl}/_aurora/clock`);
  return Date.parse(((await response.json()) as { now: string }).now);
}

async function advanceClock(duration: string): Promise<void> {
  const response = await fetch(`${test.cloud.edgeUrl}/_aurora/clock`, {
    method: 'POST',
    body: JSON.stringify({ advanceBy: duration }),
  });
  expect(response.status).toBe(200);
}

describe('Secrets Manager', () => {
  const secrets = () => new SecretsManagerClient(config());

  it('creates a secret that reads back, and refuses a second one under the same name', async () => {
    const created = await secrets().send(
      new CreateSecretCommand({ Name: 'app/api-key', SecretString: 'k1' }),
    );
    expect(created.ARN).toMatch(/^arn:aws:secretsmanager:us-east-1:000000000000:secret:app\/api-key-.{6}$/);
    const read = await secrets().send(new GetSecretValueCommand({ SecretId: created.ARN }));
    expect(read).toMatchObject({ Name: 'app/api-key', SecretString: 'k1', VersionId: created.VersionId });
    await expect(
      secrets().send(new CreateSecretCommand({ Name: 'app/api-key', SecretString: 'k2' })),
    ).rejects.toBeInstanceOf(ResourceExistsException);
  });

  it('schedules a deletion: reads fail at once, the secret goes when the recovery window passes', async () => {
    await secrets().send(new CreateSecretCommand({ Name: 'app/old', SecretString: 'old' }));
    const deleted = await secrets().send(
      new DeleteSecretCommand({ SecretId: 'app/old', RecoveryWindowInDays: 7 }),
    );
    const now = await clockNow();
    expect(deleted.DeletionDate?.getTime()).toBe(now + 7 * 86_400_000);
    await expect(secrets().send(new GetSecretValueCommand({ SecretId: 'app/old' }))).rejects.toBeInstanceOf(
      InvalidRequestException,
    );
    const described = await secrets().send(new DescribeSecretCommand({ SecretId: 'app/old' }));
    expect(described.DeletedDate?.getTime()).toBe(now);
    const listed = async (IncludePlannedDeletion: boolean) =>
      (await secrets().send(new ListSecretsCommand({ IncludePlannedDeletion }))).SecretList?.map(
        (s) => s.Name,
      );
    expect(await listed(false)).not.toContain('app/old');
    expect(await listed(true)).toContain('app/old');
    await advanceClock('P7DT1S');
    await expect(secrets().send(new DescribeSecretCommand({ SecretId: 'app/old' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
  });

  it('force-deletes without recovery, and refuses a recovery window with it', async () => {
    await secrets().send(new CreateSecretCommand({ Name: 'app/temp', SecretString: 't' }));
    await expect(
      secrets().send(
        new DeleteSecretCommand({
          SecretId: 'app/temp',
          ForceDeleteWithoutRecovery: true,
          RecoveryWindowInDays: 7,
        }),
      ),
    ).rejects.toMatchObject({ name: 'InvalidParameterException' });
    await secrets().send(new DeleteSecretCommand({ SecretId: 'app/temp', ForceDeleteWithoutRecovery: true }));
    await expect(secrets().send(new DescribeSecretCommand({ SecretId: 'app/temp' }))).rejects.toBeInstanceOf(
      ResourceNotFoundException,
    );
    // The name is free again at once.
    await secrets().send(new CreateSecretCommand({ Name: 'app/temp', SecretString: 't2' }));
  });

  it('reads several secrets at once, reporting each one it cannot read', async () => {
    await secrets().send(new CreateSecretCommand({ Name: 'batch/one', SecretString: '1' }));
    await secrets().send(new CreateSecretCommand({ Name: 'batch/two', SecretString: '2' }));
    const byIds = await secrets().send(
      new BatchGetSecretValueCommand({ SecretIdList: ['batch/one', 'batch/missing', 'batch/two'] }),
    );
    expect(byIds.SecretValues?.map((value) => value.SecretString)).toEqual(['1', '2']);
    expect(byIds.Errors).toEqual([
      expect.objectContaining({ SecretId: 'batch/missing', ErrorCode: 'ResourceNotFoundException' }),
    ]);
    const byName = await secrets().send(
      new BatchGetSecretValueCommand({ Filters: [{ Key: 'name', Values: ['batch/'] }] }),
    );
    expect(byName.SecretValues?.map((value) => value.Name).sort()).toEqual(['batch/one', 'batch/two']);
  });
});

describe('STS', () => {
  const sts = () => new STSClient(config());

  it('assumes a role with credentials that expire by the local clock', async () => {
    const answer = await sts().send(
      new AssumeRoleCommand({
        RoleArn: 'arn:aws:iam::000000000000:role/worker',
        RoleSessionName: 'job-42',
        DurationSeconds: 900,
      }),
    );
    expect(answer.AssumedRoleUser?.Arn).toBe('arn:aws:sts::000000000000:assumed-role/worker/job-42');
    expect(answer.Credentials?.AccessKeyId).toMatch(/^ASIA/);
    const now = await clockNow();
    expect(now).toBeGreaterThanOrEqual(TEST_START);
    expect(answer.Credentials?.Expiration?.getTime()).toBe(now + 900_000);
    // The credentials work against the edge like any others.
    const { accessKeyId, secretAccessKey, sessionToken } = {
      accessKeyId: answer.Credentials?.AccessKeyId ?? '',
      secretAccessKey: answer.Credentials?.SecretAccessKey ?? '',
      sessionToken: answer.Credentials?.SessionToken ?? '',
    };
    const assumed = new STSClient({
      ...config(),
      credentials: { accessKeyId, secretAccessKey, sessionToken },
    });
    expect((await assumed.send(new GetCallerIdentityCommand({}))).Account).toBe('000000000000');
  });

  it('refuses a malformed role ARN and an out-of-range duration', async () => {
    await expect(
      sts().send(new AssumeRoleCommand({ RoleArn: 'worker', RoleSessionName: 'job' })),
    ).rejects.toMatchObject({ name: 'ValidationError' });
    await expect(sts().send(new GetSessionTokenCommand({ DurationSeconds: 60 }))).rejects.toMatchObject({
      name: 'ValidationError',
    });
  });

  it('hands out a session token valid for 12 hours by default', async () => {
    const now = await clockNow();
    const answer = await sts().send(new GetSessionTokenCommand({}));
    expect(answer.Credentials?.Expiration?.getTime()).toBe(now + 12 * 3_600_000);
  });
});

describe('Lambda', () => {
  it('answers GetAccountSettings with the default quotas and the account usage', async () => {
    const settings = await new LambdaClient(config()).send(new GetAccountSettingsCommand({}));
    expect(settings.AccountLimit).toMatchObject({
      ConcurrentExecutions: 1000,
      UnreservedConcurrentExecutions: 1000,
    });
    expect(settings.AccountUsage?.FunctionCount).toBe(test.cloud.services.lambda.list().length);
  });
});

describe('SES identities and quota', () => {
  const v2 = () => new SESv2Client(config());
  const v1 = () => new SESClient(config());
  const mail = (from: string) =>
    new SendEmailCommand({
      FromEmailAddress: from,
      Destination: { ToAddresses: ['someone@example.org'] },
      Content: { Simple: { Subject: { Data: 'Hi' }, Body: { Text: { Data: 'Hello.' } } } },
    });

  it('creates, lists, reads and deletes identities in both APIs, and an identity gates the senders', async () => {
    await v2().send(new CreateEmailIdentityCommand({ EmailIdentity: 'example.net' }));
    await v1().send(new VerifyEmailIdentityCommand({ EmailAddress: 'ops@example.com' }));
    const listed = await v2().send(new ListEmailIdentitiesCommand({}));
    expect(
      listed.EmailIdentities?.map(({ IdentityName, IdentityType }) => [IdentityName, IdentityType]),
    ).toEqual([
      ['example.net', 'DOMAIN'],
      ['ops@example.com', 'EMAIL_ADDRESS'],
    ]);
    expect((await v1().send(new ListIdentitiesCommand({ IdentityType: 'EmailAddress' }))).Identities).toEqual(
      ['ops@example.com'],
    );
    const attributes = await v1().send(
      new GetIdentityVerificationAttributesCommand({ Identities: ['example.net', 'unknown.org'] }),
    );
    expect(attributes.VerificationAttributes).toEqual({ 'example.net': { VerificationStatus: 'Success' } });
    expect(await v2().send(new GetEmailIdentityCommand({ EmailIdentity: 'example.net' }))).toMatchObject({
      IdentityType: 'DOMAIN',
      VerifiedForSendingStatus: true,
    });
    await v2().send(mail('news@example.net'));
    await expect(v2().send(mail('someone@elsewhere.org'))).rejects.toBeInstanceOf(MessageRejected);
    await v2().send(new DeleteEmailIdentityCommand({ EmailIdentity: 'example.net' }));
    await expect(
      v2().send(new GetEmailIdentityCommand({ EmailIdentity: 'example.net' })),
    ).rejects.toBeInstanceOf(NotFoundException);
    await expect(v2().send(mail('news@example.net'))).rejects.toBeInstanceOf(MessageRejected);
  });

  it('counts the mail sent in the last 24 hours by the local clock', async () => {
    const before = (await v1().send(new GetSendQuotaCommand({}))).SentLast24Hours ?? 0;
    await v2().send(mail('ops@example.com'));
    const account = await v2().send(new GetAccountCommand({}));
    expect(account.SendQuota).toMatchObject({ Max24HourSend: 50_000, SentLast24Hours: before + 1 });
    expect(account.ProductionAccessEnabled).toBe(true);
    await advanceClock('P1DT1S');
    expect((await v1().send(new GetSendQuotaCommand({}))).SentLast24Hours).toBe(0);
  });
});
