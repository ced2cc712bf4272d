/**
 * Calendar events in the table (docs/data-model.md, "Calendar events"): the item under the person's
 * partition, written whole under a condition on its version; the by-date listing from GSI3, two key ranges.
 */
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  type DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
} from '@aws-sdk/lib-dynamodb';
import {
  type CalendarEvent,
  calendarPartition,
  eventKey,
  oneOffKeyRange,
  seriesKeyRange,
} from '../../shared/calendar/model';
import type { EventStore } from '../events';

/** False when the write's condition failed; other errors propagate. */
async function conditional(write: Promise<unknown>): Promise<boolean> {
  try {
    await write;
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

export function dynamoEventStore(client: DynamoDBDocumentClient, tableName: string): EventStore {
  const inRange = async (userId: string, range: { low: string; high: string }): Promise<CalendarEvent[]> => {
    const found: CalendarEvent[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await client.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: 'GSI3',
          KeyConditionExpression: 'GSI3PK = :calendar AND GSI3SK BETWEEN :low AND :high',
          ExpressionAttributeValues: {
            ':calendar': calendarPartition(userId),
            ':low': range.low,
            ':high': range.high,
          },
          ...(startKey ? { ExclusiveStartKey: startKey } : {}),
        }),
      );
      found.push(...((page.Items ?? []) as CalendarEvent[]));
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    return found;
  };

  return {
    get: async (userId, eventId) => {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: eventKey(userId, eventId), ConsistentRead: true }),
      );
      return Item as CalendarEvent | undefined;
    },
    create: (event) =>
      conditional(
        client.send(
          new PutCommand({
            TableName: tableName,
            Item: event,
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        ),
      ),
    replace: (event, expectedVersion) =>
      conditional(
        client.send(
          new PutCommand({
            TableName: tableName,
            Item: event,
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': expectedVersion },
          }),
        ),
      ),
    remove: (userId, eventId, expectedVersion) =>
      conditional(
        client.send(
          new DeleteCommand({
            TableName: tableName,
            Key: eventKey(userId, eventId),
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': expectedVersion },
          }),
        ),
      ),
    overlapping: async (userId, fromIso, toIso) => {
      const [oneOff, series] = await Promise.all([
        inRange(userId, oneOffKeyRange(fromIso, toIso)),
        inRange(userId, seriesKeyRange(fromIso)),
      ]);
      return [...oneOff, ...series];
    },
  };
}
