/**
 * Shared AWS SDK clients, created once per execution environment and reused across invocations. Locally,
 * AWS_ENDPOINT_URL (set by the local Lambda runtime) points every client at the edge endpoint.
 */
import { AthenaClient } from '@aws-sdk/client-athena';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';

export const dynamoDb = DynamoDBDocumentClient.from(new DynamoDBClient({}), {
  marshallOptions: { removeUndefinedValues: true },
});
export const eventBridge = new EventBridgeClient({});
export const athena = new AthenaClient({});
