import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import {
  type AttributeValue,
  ConditionalCheckFailedException,
  GetItemCommand,
  IdempotentParameterMismatchException,
  PutItemCommand,
  TransactGetItemsCommand,
  TransactionCanceledException,
  type TransactWriteItem,
  TransactWriteItemsCommand,
  UpdateItemCommand,
} from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, TransactGetCommand, TransactWriteCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { Clock } from '../../infra/local/clock';
import { DynamoDbService } from '../../infra/local/dynamodb/service';
import {
  DYNAMODB_ACCOUNT,
  DYNAMODB_START,
  reminderKeysWithStatus,
  remindersTable,
  useDynamoDbThroughEdge,
} from '../support/dynamodb-edge';

const account = DYNAMODB_ACCOUNT;
const START = DYNAMODB_START;

const countersTable = {
  TableName: 'Counters',
  BillingMode: 'PAY_PER_REQUEST' as const,
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' as const }],
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' as const }],
};

const reminderKey = (sk: string) => ({ pk: { S: 'user#1' }, sk: { S: sk } });
const reminder = (sk: string, status: string) => ({ ...reminderKey(sk), status: { S: status } });
const counterKey = (id: string) => ({ id: { S: id } });

const incrementCounter = (id: string): TransactWriteItem => ({
  Update: {
    TableName: 'Counters',
    Key: counterKey(id),
    UpdateExpression: 'ADD #count :one',
    ExpressionAttributeNames: { '#count': 'count' },
    ExpressionAttributeValues: { ':one': { N: '1' } },
  },
});

/** A ConditionCheck that the reminder `guard` is ACTIVE. */
const guardIsActive = (
  options: Pick<NonNullable<TransactWriteItem['ConditionCheck']>, 'ReturnValuesOnConditionCheckFailure'> = {},
): TransactWriteItem => ({
  ConditionCheck: {
    TableName: 'Reminders',
    Key: reminderKey('guard'),
    ConditionExpression: '#status = :active',
    ExpressionAttributeNames: { '#status': 'status' },
    ExpressionAttributeValues: { ':active': { S: 'ACTIVE' } },
    ...options,
  },
});

/** The rejection of `promise`, which must reject. */
async function rejectionOf(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the request to be rejected');
}

describe('DynamoDB transactions through the edge', () => {
  const cloud = useDynamoDbThroughEdge({
    tables: [remindersTable, countersTable],
    stateDirPrefix: 'aurora-dynamodb-tx-',
    maxAttempts: 1,
  });

  const getReminder = async (sk: string) =>
    (await cloud.client.send(new GetItemCommand({ TableName: 'Reminders', Key: reminderKey(sk) }))).Item;
  const counterValue = async (id: string) =>
    (await cloud.client.send(new GetItemCommand({ TableName: 'Counters', Key: counterKey(id) }))).Item?.count
      ?.N;
  const put = (Item: Record<string, AttributeValue>, TableName = 'Reminders') =>
    cloud.client.send(new PutItemCommand({ TableName, Item }));

  it('applies Put, Update, Delete and ConditionCheck across two tables, indexes included', async () => {
    await put(reminder('old', 'PENDING'));
    await put(reminder('guard', 'ACTIVE'));
    await cloud.client.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Put: { TableName: 'Reminders', Item: reminder('new', 'PENDING') } },
          { Delete: { TableName: 'Reminders', Key: reminderKey('old') } },
          incrementCounter('reminders'),
          guardIsActive(),
        ],
      }),
    );
    expect(await getReminder('new')).toEqual(reminder('new', 'PENDING'));
    expect(await getReminder('old')).toBeUndefined();
    expect(await counterValue('reminders')).toBe('1');
    expect(await reminderKeysWithStatus(cloud.client, 'PENDING')).toEqual(['new']);
  });

  it('cancels the whole transaction with a TransactionCanceledException naming each reason', async () => {
    await put(reminder('taken', 'PENDING'));
    const error = await rejectionOf(
      cloud.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Put: {
                TableName: 'Reminders',
                Item: reminder('taken', 'DELIVERED'),
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            incrementCounter('reminders'),
          ],
        }),
      ),
    );
    expect(error).toBeInstanceOf(TransactionCanceledException);
    const canceled = error as TransactionCanceledException;
    expect(canceled.message).toBe(
      'Transaction cancelled, please refer cancellation reasons for specific reasons [ConditionalCheckFailed, None]',
    );
    expect(canceled.CancellationReasons).toEqual([
      { Code: 'ConditionalCheckFailed', Message: 'The conditional request failed' },
      { Code: 'None' },
    ]);
    expect(await getReminder('taken')).toEqual(reminder('taken', 'PENDING'));
    expect(await counterValue('reminders')).toBeUndefined();
  });

  it('returns the current item of a failed condition when ReturnValuesOnConditionCheckFailure is ALL_OLD', async () => {
    await put(reminder('guard', 'CANCELLED'));
    const error = await rejectionOf(
      cloud.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            incrementCounter('reminders'),
            guardIsActive({ ReturnValuesOnConditionCheckFailure: 'ALL_OLD' }),
          ],
        }),
      ),
    );
    expect((error as TransactionCanceledException).CancellationReasons).toEqual([
      { Code: 'None' },
      {
        Code: 'ConditionalCheckFailed',
        Message: 'The conditional request failed',
        Item: reminder('guard', 'CANCELLED'),
      },
    ]);
  });

  it('reports an update that cannot apply to the stored item as a ValidationError reason', async () => {
    await put({ id: { S: 'label' }, count: { S: 'not a number' } }, 'Counters');
    const error = await rejectionOf(
      cloud.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: 'Reminders', Item: reminder('r1', 'PENDING') } },
            {
              Update: {
                TableName: 'Counters',
                Key: counterKey('label'),
                UpdateExpression: 'SET #count = #count + :one',
                ExpressionAttributeNames: { '#count': 'count' },
                ExpressionAttributeValues: { ':one': { N: '1' } },
              },
            },
          ],
        }),
      ),
    );
    expect(error).toBeInstanceOf(TransactionCanceledException);
    expect((error as TransactionCanceledException).CancellationReasons).toEqual([
      { Code: 'None' },
      { Code: 'ValidationError', Message: 'An operand in the update expression has an incorrect data type' },
    ]);
    expect(await getReminder('r1')).toBeUndefined();
  });

  it('refuses more than 100 items, two operations on one item, and a member with two operations', async () => {
    const tooMany = Array.from({ length: 101 }, (_, index) => incrementCounter(`c${index}`));
    await expect(
      cloud.client.send(new TransactWriteItemsCommand({ TransactItems: tooMany })),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: expect.stringMatching(
        /^1 validation error detected: Value '.*' at 'transactItems' failed to satisfy constraint: Member must have length less than or equal to 100$/,
      ),
    });
    await expect(
      cloud.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            { Put: { TableName: 'Reminders', Item: reminder('same', 'PENDING') } },
            { Delete: { TableName: 'Reminders', Key: reminderKey('same') } },
          ],
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'Transaction request cannot include multiple operations on one item',
    });
    await expect(
      cloud.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Put: { TableName: 'Reminders', Item: reminder('a', 'PENDING') },
              Delete: { TableName: 'Reminders', Key: reminderKey('b') },
            },
          ],
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message: 'TransactItems can only contain one of Check, Put, Update or Delete',
    });
    expect(await getReminder('same')).toBeUndefined();
  });

  it('refuses a ConditionCheck without a condition and an unknown table, as AWS does', async () => {
    await expect(
      cloud.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [{ ConditionCheck: { TableName: 'Reminders', Key: reminderKey('x') } as never }],
        }),
      ),
    ).rejects.toMatchObject({
      name: 'ValidationException',
      message:
        "1 validation error detected: Value null at 'transactItems.1.member.conditionCheck.conditionExpression' failed to satisfy constraint: Member must not be null",
    });
    await expect(
      cloud.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [{ Delete: { TableName: 'Nope', Key: counterKey('x') } }],
        }),
      ),
    ).rejects.toMatchObject({ name: 'ResourceNotFoundException' });
  });

  it('applies a request once per ClientRequestToken for 10 minutes and refuses the token for another request', async () => {
    const request = { TransactItems: [incrementCounter('logins')], ClientRequestToken: 'retry-token-1' };
    await cloud.client.send(new TransactWriteItemsCommand(request));
    await cloud.client.send(new TransactWriteItemsCommand(request));
    expect(await counterValue('logins')).toBe('1');

    const different = cloud.client.send(
      new TransactWriteItemsCommand({ ...request, TransactItems: [incrementCounter('other')] }),
    );
    await expect(different).rejects.toBeInstanceOf(IdempotentParameterMismatchException);
    expect(await counterValue('other')).toBeUndefined();

    // The token survives a restart of the local cloud...
    await cloud.restart();
    await cloud.client.send(new TransactWriteItemsCommand(request));
    expect(await counterValue('logins')).toBe('1');

    // ...and expires 10 minutes after the request completed.
    cloud.clock.advanceBy(10 * 60_000 + 1);
    await cloud.client.send(new TransactWriteItemsCommand(request));
    expect(await counterValue('logins')).toBe('2');
  });

  it('lets exactly one of 50 concurrent conflicting transactions win', async () => {
    const attempts = Array.from({ length: 50 }, (_, index) =>
      cloud.client.send(
        new TransactWriteItemsCommand({
          TransactItems: [
            {
              Put: {
                TableName: 'Reminders',
                Item: { ...reminder('slot', 'PENDING'), owner: { S: `writer-${index}` } },
                ConditionExpression: 'attribute_not_exists(pk)',
              },
            },
            incrementCounter('claims'),
          ],
        }),
      ),
    );
    const outcomes = await Promise.allSettled(attempts);
    const winners = outcomes.filter((outcome) => outcome.status === 'fulfilled');
    const losers = outcomes.flatMap((outcome) => (outcome.status === 'rejected' ? [outcome.reason] : []));
    expect(winners).toHaveLength(1);
    expect(losers).toHaveLength(49);
    for (const loser of losers) expect(loser).toBeInstanceOf(TransactionCanceledException);
    expect(await counterValue('claims')).toBe('1');
  });

  it('serialises single-item conditional updates racing transactions on the same item', async () => {
    for (let round = 0; round < 10; round++) {
      const id = `account-${round}`;
      await put({ id: { S: id }, version: { N: '0' } }, 'Counters');
      const bumpVersion = {
        TableName: 'Counters',
        Key: counterKey(id),
        UpdateExpression: 'SET version = version + :one',
        ConditionExpression: 'version = :zero',
        ExpressionAttributeValues: { ':one': { N: '1' }, ':zero': { N: '0' } },
      };
      // Transactions (bump + audit entry) and plain conditional updates, interleaved.
      const contenders = Array.from({ length: 8 }, (_, index) =>
        index % 2 === 0
          ? cloud.client.send(
              new TransactWriteItemsCommand({
                TransactItems: [
                  { Update: bumpVersion },
                  { Put: { TableName: 'Reminders', Item: reminder(`audit-${round}-${index}`, 'PENDING') } },
                ],
              }),
            )
          : cloud.client.send(new UpdateItemCommand(bumpVersion)),
      );
      const outcomes = await Promise.allSettled(contenders);
      const winners = outcomes.flatMap((outcome, index) => (outcome.status === 'fulfilled' ? [index] : []));
      expect(winners).toHaveLength(1);
      outcomes.forEach((outcome, index) => {
        if (outcome.status === 'rejected')
          expect(outcome.reason).toBeInstanceOf(
            index % 2 === 0 ? TransactionCanceledException : ConditionalCheckFailedException,
          );
      });
      const stored = await cloud.client.send(
        new GetItemCommand({ TableName: 'Counters', Key: counterKey(id) }),
      );
      expect(stored.Item?.version).toEqual({ N: '1' });
      // Only a winning transaction left its audit entry; a cancelled one wrote nothing.
      for (let index = 0; index < contenders.length; index += 2) {
        expect((await getReminder(`audit-${round}-${index}`)) !== undefined).toBe(winners[0] === index);
      }
    }
  });

  it('reads several items at once with TransactGetItems, in request order', async () => {
    await put(reminder('r1', 'PENDING'));
    await put({ id: { S: 'logins' }, count: { N: '4' } }, 'Counters');
    const { Responses } = await cloud.client.send(
      new TransactGetItemsCommand({
        TransactItems: [
          { Get: { TableName: 'Counters', Key: counterKey('logins') } },
          { Get: { TableName: 'Reminders', Key: reminderKey('missing') } },
          {
            Get: {
              TableName: 'Reminders',
              Key: reminderKey('r1'),
              ProjectionExpression: '#status',
              ExpressionAttributeNames: { '#status': 'status' },
            },
          },
        ],
      }),
    );
    expect(Responses).toEqual([
      { Item: { id: { S: 'logins' }, count: { N: '4' } } },
      {},
      { Item: { status: { S: 'PENDING' } } },
    ]);
  });

  it('works with the lib-dynamodb document client', async () => {
    const documents = DynamoDBDocumentClient.from(cloud.client);
    await documents.send(
      new TransactWriteCommand({
        TransactItems: [
          {
            Put: { TableName: 'Reminders', Item: { pk: 'user#2', sk: 'r1', status: 'PENDING', tags: ['a'] } },
          },
          {
            Update: {
              TableName: 'Counters',
              Key: { id: 'reminders' },
              UpdateExpression: 'SET #count = if_not_exists(#count, :zero) + :one',
              ExpressionAttributeNames: { '#count': 'count' },
              ExpressionAttributeValues: { ':zero': 0, ':one': 1 },
            },
          },
        ],
      }),
    );
    const { Responses } = await documents.send(
      new TransactGetCommand({
        TransactItems: [
          { Get: { TableName: 'Reminders', Key: { pk: 'user#2', sk: 'r1' } } },
          { Get: { TableName: 'Counters', Key: { id: 'reminders' } } },
        ],
      }),
    );
    expect(Responses?.map((response) => response.Item)).toEqual([
      { pk: 'user#2', sk: 'r1', status: 'PENDING', tags: ['a'] },
      { id: 'reminders', count: 1 },
    ]);
  });
});

describe('a kill -9 in the middle of transactions', () => {
  const repoRoot = resolve(import.meta.dirname, '../..');
  const module = (path: string) => JSON.stringify(join(repoRoot, path));
  const pairs = Array.from({ length: 10 }, (_, index) => index);
  // Each transaction moves one unit between ten pairs of counters and logs it: many writes per transaction.
  const transfers = pairs.flatMap((pair) =>
    [
      [`from-${pair}`, '-1'],
      [`to-${pair}`, '1'],
    ].map(([id = '', amount]) => ({
      Update: {
        TableName: 'Counters',
        Key: counterKey(id),
        UpdateExpression: 'ADD #count :amount',
        ExpressionAttributeNames: { '#count': 'count' },
        ExpressionAttributeValues: { ':amount': { N: amount } },
      },
    })),
  );

  /**
   * Runs writers in a child process that SIGKILLs itself at a random moment once transactions flow: the kill
   * is the crash under test, and its random timing lands it in any phase of a transaction, commit included.
   */
  async function runUntilKilled(stateDir: string, cycle: number): Promise<void> {
    const program = `
      import { Clock } from ${module('infra/local/clock.ts')};
      import { DynamoDbService } from ${module('infra/local/dynamodb/service.ts')};
      const dynamodb = new DynamoDbService({ clock: new Clock('real'), stateDir: ${JSON.stringify(stateDir)}, account: ${JSON.stringify(account)} });
      await dynamodb.createTable(${JSON.stringify(remindersTable)});
      await dynamodb.createTable(${JSON.stringify(countersTable)});
      const write = dynamodb.edgeService.operations.TransactWriteItems;
      for (let n = 1; ; n++) {
        await write({ TransactItems: [
          ...${JSON.stringify(transfers)},
          { Put: { TableName: 'Reminders', Item: { pk: { S: 'log' }, sk: { S: '${cycle}-' + n }, status: { S: 'DONE' } } } },
        ] }, {});
        if (n === 5) setTimeout(() => process.kill(process.pid, 'SIGKILL'), Math.random() * 40);
      }
    `;
    const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', program], {
      cwd: repoRoot,
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    const signal = await new Promise((exited) => child.once('exit', (_code, signal) => exited(signal)));
    expect(signal).toBe('SIGKILL');
  }

  it('leaves every transaction applied whole or not at all', async () => {
    const stateDir = mkdtempSync(join(tmpdir(), 'aurora-dynamodb-tx-crash-'));
    try {
      let logged = 0;
      for (let cycle = 0; cycle < 4; cycle++) {
        await runUntilKilled(stateDir, cycle);
        const dynamodb = new DynamoDbService({ clock: new Clock('manual', START), stateDir, account });
        try {
          const call = async (name: string, input: unknown) => {
            const operation = dynamodb.edgeService.operations[name];
            if (!operation) throw new Error(`no operation ${name}`);
            return operation(input, { ...account, requestId: 'after-crash' });
          };
          const count = async (id: string) => {
            const { Item } = (await call('GetItem', { TableName: 'Counters', Key: counterKey(id) })) as {
              Item?: { count?: { N: string } };
            };
            return Number(Item?.count?.N ?? 0);
          };
          const { Count } = (await call('Query', {
            TableName: 'Reminders',
            KeyConditionExpression: 'pk = :log',
            ExpressionAttributeValues: { ':log': { S: 'log' } },
            Select: 'COUNT',
          })) as { Count: number };
          for (const pair of pairs) {
            expect(await count(`to-${pair}`)).toBe(Count);
            expect(await count(`from-${pair}`)).toBe(-Count);
          }
          expect(Count).toBeGreaterThan(logged);
          logged = Count;
        } finally {
          await dynamodb.close();
        }
      }
    } finally {
      rmSync(stateDir, { recursive: true, force: true });
    }
  });
});
