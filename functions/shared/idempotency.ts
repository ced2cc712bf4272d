/**
 * "Do it once" for the functions that get repeats (Messenger deliveries, REST calls with an Idempotency-Key):
 * Powertools idempotency with its DynamoDB persistence layer on the single table (docs/data-model.md,
 * patterns 9 and 10). Each function keeps its records in its own partition `IDEMPOTENCY#<function>`,
 * expiring after 36 hours unless it says otherwise: Meta redelivers for up to 36 hours.
 */

import { IdempotencyConfig, makeIdempotent } from '@aws-lambda-powertools/idempotency';
import { DynamoDBPersistenceLayer } from '@aws-lambda-powertools/idempotency/dynamodb';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { Context } from 'aws-lambda';

export const DEDUPE_SECONDS = 36 * 3600;

export interface OnceOptions {
  readonly tableName: string;
  /** Names the partition, e.g. `messenger-webhook`. */
  readonly functionKey: string;
  /** JMESPath of the dedupe key inside the function's single argument. */
  readonly keyPath: string;
  readonly client: DynamoDBClient;
  /** JMESPath of what a repeat must carry unchanged (a different one is refused); none by default. */
  readonly payloadPath?: string;
  /** How long a key is remembered; DEDUPE_SECONDS by default. */
  readonly expiresAfterSeconds?: number;
}

export interface Once<T> {
  readonly run: (input: T) => Promise<unknown>;
  /** Lets an interrupted invocation's record expire with the invocation, not after 36 hours. */
  readonly registerContext: (context: Context) => void;
}

export function once<T>(work: (input: T) => Promise<unknown>, options: OnceOptions): Once<T> {
  const config = new IdempotencyConfig({
    eventKeyJmesPath: options.keyPath,
    ...(options.payloadPath ? { payloadValidationJmesPath: options.payloadPath } : {}),
    expiresAfterSeconds: options.expiresAfterSeconds ?? DEDUPE_SECONDS,
    throwOnNoIdempotencyKey: true,
    // A redelivery that reaches the same warm environment is answered without a table read.
    useLocalCache: true,
  });
  const persistenceStore = new DynamoDBPersistenceLayer({
    tableName: options.tableName,
    keyAttr: 'PK',
    sortKeyAttr: 'SK',
    staticPkValue: `IDEMPOTENCY#${options.functionKey}`,
    expiryAttr: 'expiresAt',
    awsSdkV3Client: options.client,
  });
  // The stored result must not be undefined, or a repeat could not tell "done" from "nothing stored".
  const run = makeIdempotent(async (input: T) => (await work(input)) ?? true, { persistenceStore, config });
  return { run, registerContext: (context) => config.registerLambdaContext(context) };
}
