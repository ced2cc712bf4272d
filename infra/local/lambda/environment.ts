/**
 * The environment variables of one execution environment: the template's variables, then what Lambda itself
 * sets (reserved names win, as Lambda refuses to let a template set them), then what points the function's
 * SDK clients at the local cloud.
 */
import { randomBytes } from 'node:crypto';
import type { LocalAccount } from '../shared/ports';
import type { LocalFunctionConfig } from './types';

export const FUNCTION_VERSION = '$LATEST';

export const logGroupNameOf = (functionName: string): string => `/aws/lambda/${functionName}`;

/** `2024/05/01/[$LATEST]` + 32 hex digits, one stream per execution environment as in Lambda. */
export function newLogStreamName(now: Date): string {
  const day = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${day}/[${FUNCTION_VERSION}]${randomBytes(16).toString('hex')}`;
}

export function sandboxEnvironment(
  config: LocalFunctionConfig,
  account: LocalAccount,
  edgeUrl: string,
  logStreamName: string,
): Record<string, string> {
  return {
    // Not reserved in Lambda; the host's PATH lets a function spawn tools as it would find them there.
    PATH: process.env.PATH ?? '/usr/local/bin:/usr/bin:/bin',
    LANG: 'en_US.UTF-8',
    ...config.environment,
    _HANDLER: config.handler,
    AWS_REGION: account.region,
    AWS_DEFAULT_REGION: account.region,
    AWS_EXECUTION_ENV: `AWS_Lambda_${config.runtime}`,
    AWS_LAMBDA_FUNCTION_NAME: config.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: FUNCTION_VERSION,
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(config.memorySizeMb),
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupNameOf(config.functionName),
    AWS_LAMBDA_LOG_STREAM_NAME: logStreamName,
    LAMBDA_TASK_ROOT: config.codeDirectory,
    TZ: ':UTC',
    AWS_ACCESS_KEY_ID: 'test',
    AWS_SECRET_ACCESS_KEY: 'test',
    AWS_SESSION_TOKEN: 'test',
    AWS_ENDPOINT_URL: edgeUrl,
  };
}
