/**
 * The AWS SDK clients of every function, created once per execution environment and reused across
 * invocations, and the one cached Secrets Manager reader. Each is marked pure, so esbuild drops the clients
 * (and their SDK packages) a function does not use. Locally, AWS_ENDPOINT_URL (set by the local Lambda
 * runtime) points every client at the edge endpoint.
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SchedulerClient } from '@aws-sdk/client-scheduler';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client } from '@aws-sdk/client-sesv2';
import { SFNClient } from '@aws-sdk/client-sfn';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { cachedSecretReader } from './secrets';

/** The low-level client: Powertools idempotency's persistence layer takes this one. */
export const dynamoDbClient = /* @__PURE__ */ new DynamoDBClient({});
export const dynamoDb = /* @__PURE__ */ DynamoDBDocumentClient.from(dynamoDbClient, {
  marshallOptions: { removeUndefinedValues: true },
});
export const eventBridge = /* @__PURE__ */ new EventBridgeClient({});
export const athena = /* @__PURE__ */ new AthenaClient({});
export const scheduler = /* @__PURE__ */ new SchedulerClient({});
export const stepFunctions = /* @__PURE__ */ new SFNClient({});
export const sesV2 = /* @__PURE__ */ new SESv2Client({});
export const secretsManager = /* @__PURE__ */ new SecretsManagerClient({});
/** Secret values, kept a few minutes per execution environment (functions/shared/secrets.ts). */
export const readSecret = /* @__PURE__ */ cachedSecretReader(secretsManager);
