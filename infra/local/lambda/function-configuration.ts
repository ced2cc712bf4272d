/** A registered function in the Lambda API's FunctionConfiguration shape (GetFunction, ListFunctions). */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { logGroupNameOf } from './environment';
import type { FunctionDescription } from './runtime';

interface CodeDigest {
  readonly size: number;
  readonly sha256: string;
}

const digests = new WeakMap<FunctionDescription, CodeDigest>();

/**
 * Size and base64 SHA-256 over the asset folder's files (Lambda hashes the zip; a local function has no zip,
 * so this is stable per content but not equal to what a deploy would report).
 */
function codeDigest(description: FunctionDescription): CodeDigest {
  const cached = digests.get(description);
  if (cached) return cached;
  const hash = createHash('sha256');
  let size = 0;
  const entries = readdirSync(description.config.codeDirectory, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name))
    .sort();
  for (const file of entries) {
    const content = readFileSync(file);
    size += content.byteLength;
    hash.update(file.slice(description.config.codeDirectory.length)).update(content);
  }
  const digest = { size, sha256: hash.digest('base64') };
  digests.set(description, digest);
  return digest;
}

/** `2024-05-01T12:00:00.000+0000`, the timestamp format of LastModified. */
const lambdaTimestamp = (date: Date): string => date.toISOString().replace('Z', '+0000');

export function functionConfiguration(description: FunctionDescription): Record<string, unknown> {
  const { config } = description;
  const code = codeDigest(description);
  return {
    FunctionName: config.functionName,
    FunctionArn: config.functionArn,
    Runtime: config.runtime,
    Role: config.roleArn,
    Handler: config.handler,
    CodeSize: code.size,
    Description: config.description ?? '',
    Timeout: config.timeoutSeconds,
    MemorySize: config.memorySizeMb,
    LastModified: lambdaTimestamp(description.lastModified),
    CodeSha256: code.sha256,
    Version: '$LATEST',
    Environment: { Variables: { ...config.environment } },
    TracingConfig: { Mode: 'PassThrough' },
    RevisionId: description.revisionId,
    State: 'Active',
    LastUpdateStatus: 'Successful',
    PackageType: 'Zip',
    Architectures: [...config.architectures],
    EphemeralStorage: { Size: 512 },
    SnapStart: { ApplyOn: 'None', OptimizationStatus: 'Off' },
    LoggingConfig: { LogFormat: 'Text', LogGroup: logGroupNameOf(config.functionName) },
  };
}
