import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { DescribeEventBusCommand } from '@aws-sdk/client-eventbridge';
import { dynamoDb, eventBridge } from '../shared/clients';
import type { Dependency } from './readiness';

export function awsDependencies(names: { tableName: string; eventBusName: string }): Dependency[] {
  return [
    {
      name: 'table',
      probe: async () => {
        // A key that never exists: proves the table answers without reading anyone's data.
        await dynamoDb.send(
          new GetItemCommand({
            TableName: names.tableName,
            Key: { PK: { S: 'HEALTH' }, SK: { S: 'HEALTH' } },
          }),
        );
      },
    },
    {
      name: 'bus',
      probe: async () => {
        await eventBridge.send(new DescribeEventBusCommand({ Name: names.eventBusName }));
      },
    },
  ];
}
