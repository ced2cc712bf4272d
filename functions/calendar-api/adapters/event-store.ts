/**
 * Calendar events in the table (docs/data-model.md, "Calendar events"): the item under the person's
 * partition, written whole under a condition on its version; the by-date listing from GSI3, two key ranges.
 */
import { DeleteCommand, type DynamoDBDocumentClient, GetCommand, PutCommand } from '@aws-sdk/lib-dynamodb';
import {
  type CalendarEvent,
  calendarPartition,
  eventKey,
  oneOffKeyRange,
  seriesKeyRange,
} from '../../shared/calendar/model';
import { conditionHeld } from '../../shared/conditional-write';
import { queryAll } from '../../shared/table-query';
import type { EventStore } from '../events';

export function dynamoEventStore(client: DynamoDBDocumentClient, tableName: string): EventStore {
  const inRange = async (userId: string, range: { low: string; high: string }): Promise<CalendarEvent[]> => {
    return queryAll<CalendarEvent>(client, {
      TableName: tableName,
      IndexName: 'GSI3',
      KeyConditionExpression: 'GSI3PK = :calendar AND GSI3SK BETWEEN :low AND :high',
      ExpressionAttributeValues: {
        ':calendar': calendarPartition(userId),
        ':low': range.low,
        ':high': range.high,
      },
    });
  };

  return {
    get: async (userId, eventId) => {
      const { Item } = await client.send(
        new GetCommand({ TableName: tableName, Key: eventKey(userId, eventId), ConsistentRead: true }),
      );
      return Item as CalendarEvent | undefined;
    },
    create: (event) =>
      conditionHeld(() =>
        client.send(
          new PutCommand({
            TableName: tableName,
            Item: event,
            ConditionExpression: 'attribute_not_exists(PK)',
          }),
        ),
      ),
    replace: (event, expectedVersion) =>
      conditionHeld(() =>
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
      conditionHeld(() =>
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
