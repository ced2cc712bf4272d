import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { countAll, queryAll } from '../../../../functions/shared/table-query';

/** A client answering each Query with the next of `pages`, recording what it was asked. */
function pagedClient(pages: ReadonlyArray<{ Items?: unknown[]; Count?: number; LastEvaluatedKey?: object }>) {
  const inputs: Record<string, unknown>[] = [];
  const client = {
    send: async (command: { input: Record<string, unknown> }) => {
      inputs.push(command.input);
      return pages[inputs.length - 1] ?? {};
    },
  } as unknown as Pick<DynamoDBDocumentClient, 'send'>;
  return { client, inputs };
}

const QUERY = {
  TableName: 'aurora',
  KeyConditionExpression: 'PK = :pk',
  ExpressionAttributeValues: { ':pk': 'X' },
};

describe('the DynamoDB query loop', () => {
  it('follows LastEvaluatedKey to the last page', async () => {
    const { client, inputs } = pagedClient([
      { Items: [{ n: 1 }], LastEvaluatedKey: { PK: 'X', SK: '1' } },
      { Items: [{ n: 2 }, { n: 3 }] },
    ]);
    expect(await queryAll(client, QUERY)).toEqual([{ n: 1 }, { n: 2 }, { n: 3 }]);
    expect(inputs.map((input) => input.ExclusiveStartKey)).toEqual([undefined, { PK: 'X', SK: '1' }]);
    expect(inputs.every((input) => input.Limit === undefined)).toBe(true);
  });

  it('with atMost, asks each page for what is missing and stops when it has enough', async () => {
    const { client, inputs } = pagedClient([
      { Items: [{ n: 1 }], LastEvaluatedKey: { SK: '1' } },
      { Items: [{ n: 2 }, { n: 3 }], LastEvaluatedKey: { SK: '3' } },
      { Items: [{ n: 4 }] },
    ]);
    const items = await queryAll(client, QUERY, { atMost: 3, startKey: { SK: '0' } });
    expect(items).toHaveLength(3);
    expect(inputs.map((input) => [input.Limit, input.ExclusiveStartKey])).toEqual([
      [3, { SK: '0' }],
      [2, { SK: '1' }],
    ]);
  });

  it('counts without reading items', async () => {
    const { client, inputs } = pagedClient([{ Count: 2, LastEvaluatedKey: { SK: '2' } }, { Count: 1 }]);
    expect(await countAll(client, QUERY)).toBe(3);
    expect(inputs.map((input) => input.Select)).toEqual(['COUNT', 'COUNT']);
  });
});
