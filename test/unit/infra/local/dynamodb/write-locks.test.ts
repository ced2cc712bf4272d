/**
 * How concurrent writes to one table share it: single-item writes lock their own item (so writes to different
 * items proceed side by side, and a condition on an item still holds when the write lands), while
 * BatchWriteItem locks the whole table. Requests go through the operations the edge calls.
 *
 * To see which writes are in flight together, every write is held just before its commit (its condition has
 * been checked, nothing is written yet) until the test lets it go; each request is labelled through async
 * context so that the test knows which write is waiting.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Clock } from '../../../../../infra/local/clock';
import type { BatchOperation } from '../../../../../infra/local/dynamodb/dynalite-internals';
import { DynamoDbService } from '../../../../../infra/local/dynamodb/service';
import { StagedWrites } from '../../../../../infra/local/dynamodb/staged-writes';
import { AwsServiceError } from '../../../../../infra/local/edge/contracts';
import { DYNAMODB_ACCOUNT, DYNAMODB_START, remindersTable } from '../../../../support/dynamodb-edge';
import { staysFalse, until } from '../../../../support/polling';

const countersTable = {
  TableName: 'Counters',
  BillingMode: 'PAY_PER_REQUEST' as const,
  KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' as const }],
  AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' as const }],
};

const reminder = (sk: string, status = 'PENDING') => ({
  pk: { S: 'user#1' },
  sk: { S: sk },
  status: { S: status },
});

/** A put that only creates: it must fail if the item exists when the write lands. */
const createReminder = (sk: string) => ({
  TableName: 'Reminders',
  Item: reminder(sk),
  ConditionExpression: 'attribute_not_exists(pk)',
});

const label = new AsyncLocalStorage<string>();
const realCommit = StagedWrites.prototype.commit;

/** Writes held before their commit, by label. */
const heldCommits = new Map<string, () => void>();

const held = (name: string) => heldCommits.has(name);

function release(name: string): void {
  const proceed = heldCommits.get(name);
  if (!proceed) throw new Error(`${name} is not held at its commit`);
  heldCommits.delete(name);
  proceed();
}

/** Settles to 'ok' or the error's code, so that a rejection is never left unhandled while a test waits. */
const outcome = (promise: Promise<unknown>): Promise<string> =>
  promise.then(
    () => 'ok',
    // dynalite's codes carry their namespace: `com.amazonaws.dynamodb.v20120810#ConditionalCheckFailedException`.
    (error: unknown) =>
      error instanceof AwsServiceError ? (error.code.split('#').at(-1) ?? '') : String(error),
  );

describe('DynamoDB write locks', () => {
  let stateDir = '';
  let dynamodb: DynamoDbService;

  beforeEach(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'aurora-dynamodb-locks-'));
    dynamodb = new DynamoDbService({
      clock: new Clock('manual', DYNAMODB_START),
      stateDir,
      account: DYNAMODB_ACCOUNT,
    });
    await dynamodb.createTable(remindersTable);
    await dynamodb.createTable(countersTable);
    vi.spyOn(StagedWrites.prototype, 'commit').mockImplementation(function (this: StagedWrites) {
      const name = label.getStore();
      if (name === undefined) return realCommit.call(this);
      return new Promise<readonly BatchOperation[]>((resolve, reject) => {
        heldCommits.set(name, () => realCommit.call(this).then(resolve, reject));
      });
    });
  });

  afterEach(async () => {
    vi.restoreAllMocks();
    for (const name of [...heldCommits.keys()]) release(name);
    await dynamodb.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  /** Sends `operation` as the edge would; its commit is not held. */
  const call = (operation: string, input: unknown): Promise<unknown> => {
    const handler = dynamodb.edgeService.operations[operation];
    if (!handler) return Promise.reject(new Error(`no operation ${operation}`));
    return Promise.resolve(handler(input, { ...DYNAMODB_ACCOUNT, requestId: `request-${operation}` }));
  };

  /** Sends `operation` labelled `name`, so that it is held at its commit until released. */
  const send = (name: string, operation: string, input: unknown): Promise<string> =>
    outcome(label.run(name, () => call(operation, input)));

  const storedReminders = async (): Promise<string[]> => {
    const { Items } = (await call('Query', {
      TableName: 'Reminders',
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': { S: 'user#1' } },
    })) as { Items: { sk: { S: string } }[] };
    return Items.map((item) => item.sk.S);
  };

  it('lets conditional writes to different items of one table be in flight together', async () => {
    const first = send('create a', 'PutItem', createReminder('a'));
    const second = send('update b', 'UpdateItem', {
      TableName: 'Reminders',
      Key: { pk: { S: 'user#1' }, sk: { S: 'b' } },
      UpdateExpression: 'SET #status = :status',
      ConditionExpression: 'attribute_not_exists(pk)',
      ExpressionAttributeNames: { '#status': 'status' },
      ExpressionAttributeValues: { ':status': { S: 'PENDING' } },
    });
    await until(() => held('create a') && held('update b'), 'both writes at their commit', 3_000);
    release('update b');
    expect(await second).toBe('ok');
    release('create a');
    expect(await first).toBe('ok');
    expect(await storedReminders()).toEqual(['a', 'b']);
  });

  it('queues a conditional write behind another write to the same item, and checks it afterwards', async () => {
    const first = send('first create', 'PutItem', createReminder('a'));
    await until(() => held('first create'), 'the first write at its commit', 3_000);
    const second = send('second create', 'PutItem', createReminder('a'));
    // A write to another item of the table passes the queued one.
    await call('PutItem', createReminder('b'));
    expect(held('second create')).toBe(false);
    release('first create');
    expect(await first).toBe('ok');
    // The second write checks its condition only now, against the first one's item.
    expect(await second).toBe('ConditionalCheckFailedException');
  });

  it('keeps single-item writes and a BatchWriteItem on one table apart, in arrival order', async () => {
    await call('PutItem', { TableName: 'Reminders', Item: reminder('seed') });
    const single = send('single before', 'PutItem', createReminder('a'));
    await until(() => held('single before'), 'the single write at its commit', 3_000);

    const batch = send('batch', 'BatchWriteItem', {
      RequestItems: {
        Reminders: [
          { PutRequest: { Item: reminder('c', 'DONE') } },
          { DeleteRequest: { Key: { pk: { S: 'user#1' }, sk: { S: 'seed' } } } },
        ],
      },
    });
    const singleAfter = send('single after', 'PutItem', createReminder('d'));
    // A write to another table is not held up, and shows the queued requests had time to go ahead.
    const otherTable = send('other table', 'PutItem', { TableName: 'Counters', Item: { id: { S: 'x' } } });
    await until(() => held('other table'), 'the write to another table at its commit', 3_000);
    release('other table');
    expect(await otherTable).toBe('ok');
    expect(await staysFalse(() => held('batch') || held('single after'), 100)).toBe(true);

    release('single before');
    expect(await single).toBe('ok');
    await until(() => held('batch'), 'the batch at its commit once the single write is done', 3_000);
    // The later single write waits for the batch, although it is compatible with nothing being held.
    expect(await staysFalse(() => held('single after'), 100)).toBe(true);

    release('batch');
    expect(await batch).toBe('ok');
    await until(() => held('single after'), 'the later single write at its commit', 3_000);
    release('single after');
    expect(await singleAfter).toBe('ok');
    expect(await storedReminders()).toEqual(['a', 'c', 'd']);
  });

  it('lets exactly one of two concurrent compare-and-set updates of one item win', async () => {
    await call('PutItem', { TableName: 'Counters', Item: { id: { S: 'n' }, version: { N: '1' } } });
    // Not held at their commits: the two updates race freely.
    const bump = (name: string) =>
      outcome(
        call('UpdateItem', {
          TableName: 'Counters',
          Key: { id: { S: 'n' } },
          UpdateExpression: 'SET version = :next, winner = :name',
          ConditionExpression: 'version = :current',
          ExpressionAttributeValues: { ':current': { N: '1' }, ':next': { N: '2' }, ':name': { S: name } },
        }),
      );
    const results = await Promise.all([bump('one'), bump('two')]);
    expect(results.sort()).toEqual(['ConditionalCheckFailedException', 'ok']);
  });
});
