/**
 * Reads secrets with GetSecretValue (Secrets Manager in AWS, the local cloud's emulation locally) and keeps
 * each value for a few minutes per execution environment: a rotation reaches warm functions within the
 * cache lifetime, without a Secrets Manager call on every request.
 */
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export type SecretReader = (secretId: string) => Promise<string>;

export interface SecretReaderOptions {
  readonly ttlMs?: number;
  readonly now?: () => number;
}

export function cachedSecretReader(
  client: Pick<SecretsManagerClient, 'send'>,
  { ttlMs = 5 * 60_000, now = Date.now }: SecretReaderOptions = {},
): SecretReader {
  const cache = new Map<string, { value: Promise<string>; fetchedAt: number }>();
  return (secretId) => {
    const cached = cache.get(secretId);
    if (cached && now() - cached.fetchedAt < ttlMs) return cached.value;
    const value = client.send(new GetSecretValueCommand({ SecretId: secretId })).then((output) => {
      if (typeof output.SecretString !== 'string' || output.SecretString === '') {
        throw new Error(`Secret ${secretId} has no string value`);
      }
      return output.SecretString;
    });
    // A failed read is not cached: the next call tries again.
    value.catch(() => cache.delete(secretId));
    cache.set(secretId, { value, fetchedAt: now() });
    return value;
  };
}
