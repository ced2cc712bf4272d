/**
 * Issue 12: DynamoDB's PartiQL API for the subset applications write (infra/local/dynamodb/partiql.ts),
 * through an unmodified SDK v3 client against a bare local cloud.
 */
import {
  BatchExecuteStatementCommand,
  ConditionalCheckFailedException,
  DuplicateItemException,
  DynamoDBClient,
  ExecuteStatementCommand,
  GetItemCommand,
} from '@aws-sdk/client-dynamodb';
import { beforeAll, describe, expect, it } from 'vitest';
import { useTestCloud } from '../support/local-cloud';

const test = useTestCloud();
let ddb: DynamoDBClient;
const TableName = 'partiql-items';

beforeAll(async () => {
  ddb = new DynamoDBClient({ ...test.clientConfig, maxAttempts: 1 });
  await test.cloud.services.dynamodb.createTable({
    TableName,
    BillingMode: 'PAY_PER_REQUEST',
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
      { AttributeName: 'status', AttributeType: 'S' },
    ],
    GlobalSecondaryIndexes: [
      {
        IndexName: 'byStatus',
        KeySchema: [{ AttributeName: 'status', KeyType: 'HASH' }],
        Projection: { ProjectionType: 'ALL' },
      },
    ],
  });
});

const run = (Statement: string, ...Parameters: Array<{ S: string } | { N: string }>) =>
  ddb.send(new ExecuteStatementCommand({ Statement, ...(Parameters.length > 0 ? { Parameters } : {}) }));

describe('ExecuteStatement', () => {
  it('inserts items, and refuses an insert whose key exists', async () => {
    await run(`INSERT INTO "${TableName}" VALUE {'pk': ?, 'sk': 'a', 'status': 'open', 'n': 1}`, { S: 'u1' });
    await run(`INSERT INTO "${TableName}" VALUE {'pk': 'u1', 'sk': 'b', 'status': 'done', 'n': 2}`);
    await run(`INSERT INTO "${TableName}" VALUE {'pk': 'u2', 'sk': 'a', 'status': 'open', 'n': 3}`);
    await expect(
      run(`INSERT INTO "${TableName}" VALUE {'pk': 'u1', 'sk': 'a', 'status': 'x'}`),
    ).rejects.toBeInstanceOf(DuplicateItemException);
    const { Item } = await ddb.send(
      new GetItemCommand({ TableName, Key: { pk: { S: 'u1' }, sk: { S: 'a' } } }),
    );
    expect(Item?.status).toEqual({ S: 'open' });
  });

  it('selects by partition key, by sort key condition, through an index, and with a filter', async () => {
    const byPartition = await run(`SELECT * FROM "${TableName}" WHERE pk = ?`, { S: 'u1' });
    expect(byPartition.Items?.map((item) => item.sk?.S)).toEqual(['a', 'b']);
    const bySortKey = await run(`SELECT sk FROM "${TableName}" WHERE pk = ? AND sk > 'a'`, { S: 'u1' });
    expect(bySortKey.Items).toEqual([{ sk: { S: 'b' } }]);
    const byIndex = await run(`SELECT pk, sk FROM "${TableName}"."byStatus" WHERE "status" = 'open'`);
    expect(byIndex.Items?.map((item) => `${item.pk?.S}/${item.sk?.S}`).sort()).toEqual(['u1/a', 'u2/a']);
    const scanned = await run(`SELECT * FROM "${TableName}" WHERE n >= ?`, { N: '2' });
    expect(scanned.Items?.map((item) => item.n?.N).sort()).toEqual(['2', '3']);
    const prefixed = await run(`SELECT * FROM "${TableName}" WHERE pk = 'u1' AND begins_with(sk, 'b')`);
    expect(prefixed.Items?.map((item) => item.sk?.S)).toEqual(['b']);
  });

  it('pages a select with Limit and NextToken', async () => {
    const first = await ddb.send(
      new ExecuteStatementCommand({ Statement: `SELECT * FROM "${TableName}" WHERE pk = 'u1'`, Limit: 1 }),
    );
    expect(first.Items).toHaveLength(1);
    expect(first.NextToken).toBeDefined();
    const second = await ddb.send(
      new ExecuteStatementCommand({
        Statement: `SELECT * FROM "${TableName}" WHERE pk = 'u1'`,
        Limit: 1,
        NextToken: first.NextToken,
      }),
    );
    expect(second.Items?.[0]?.sk).toEqual({ S: 'b' });
  });

  it('updates an existing item and refuses to update a missing one', async () => {
    await run(`UPDATE "${TableName}" SET n = ?, note = 'seen' REMOVE "status" WHERE pk = 'u2' AND sk = 'a'`, {
      N: '30',
    });
    const { Items } = await run(`SELECT * FROM "${TableName}" WHERE pk = 'u2'`);
    expect(Items?.[0]).toEqual({ pk: { S: 'u2' }, sk: { S: 'a' }, n: { N: '30' }, note: { S: 'seen' } });
    await expect(
      run(`UPDATE "${TableName}" SET n = 1 WHERE pk = 'nobody' AND sk = 'a'`),
    ).rejects.toBeInstanceOf(ConditionalCheckFailedException);
  });

  it('deletes by the whole key, with extra conditions checked', async () => {
    await expect(
      run(`DELETE FROM "${TableName}" WHERE pk = 'u1' AND sk = 'b' AND n = 99`),
    ).rejects.toBeInstanceOf(ConditionalCheckFailedException);
    await run(`DELETE FROM "${TableName}" WHERE pk = 'u1' AND sk = 'b'`);
    expect((await run(`SELECT * FROM "${TableName}" WHERE pk = 'u1'`)).Items).toHaveLength(1);
  });

  it('refuses what is not emulated, a partial key, and a parameter count that does not match', async () => {
    await expect(run(`SELECT * FROM "${TableName}" WHERE pk = 'u1' OR pk = 'u2'`)).rejects.toMatchObject({
      name: 'ValidationException',
    });
    await expect(run(`DELETE FROM "${TableName}" WHERE pk = 'u1'`)).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringContaining('all key attributes'),
    });
    await expect(run(`SELECT * FROM "${TableName}" WHERE pk = ?`)).rejects.toMatchObject({
      name: 'ValidationException',
    });
  });
});

describe('BatchExecuteStatement', () => {
  it('answers each statement in order, with an error where one fails', async () => {
    const { Responses } = await ddb.send(
      new BatchExecuteStatementCommand({
        Statements: [
          { Statement: `INSERT INTO "${TableName}" VALUE {'pk': 'b1', 'sk': 'a'}` },
          { Statement: `INSERT INTO "${TableName}" VALUE {'pk': 'b1', 'sk': 'a'}` },
          {
            Statement: `SELECT * FROM "${TableName}" WHERE pk = ? AND sk = ?`,
            Parameters: [{ S: 'b1' }, { S: 'a' }],
          },
          { Statement: `SELECT * FROM "${TableName}" WHERE pk = 'none' AND sk = 'a'` },
        ],
      }),
    );
    expect(Responses).toEqual([
      { TableName },
      { TableName, Error: { Code: 'DuplicateItem', Message: 'Duplicate primary key exists in table' } },
      { TableName, Item: { pk: { S: 'b1' }, sk: { S: 'a' } } },
      { TableName },
    ]);
  });
});
