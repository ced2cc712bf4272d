/** The answer cache in the table: one item per range (`ANALYTICS#<query>#<from>#<to>`), expiring by TTL. */
import { type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import type { AnalyticsAnswer } from './kpis';
import type { AnswerCache } from './use-case';

const SORT_KEY = 'ANSWER';

export function dynamoDbAnswerCache(client: DynamoDBDocumentClient, tableName: string): AnswerCache {
  return {
    async get(key) {
      const { Item: item } = await client.send(
        new GetCommand({ TableName: tableName, Key: { PK: key, SK: SORT_KEY } }),
      );
      return item ? { answer: item.answer as AnalyticsAnswer, expiresAt: Number(item.expiresAt) } : undefined;
    },
    async put(key, entry) {
      await client.send(
        new PutCommand({
          TableName: tableName,
          Item: { PK: key, SK: SORT_KEY, answer: entry.answer, expiresAt: entry.expiresAt },
        }),
      );
    },
  };
}
