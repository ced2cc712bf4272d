/**
 * The one DynamoDB Query loop: follows LastEvaluatedKey until the table has no more pages, or until `atMost`
 * items arrived (each page then asks only for what is still missing).
 */
import {
  type DynamoDBDocumentClient,
  QueryCommand,
  type QueryCommandInput,
  type QueryCommandOutput,
} from '@aws-sdk/lib-dynamodb';

type Key = Record<string, unknown>;

export interface QueryOptions {
  /** Where to start: the key of the item the previous page ended with. */
  readonly startKey?: Key | undefined;
  readonly atMost?: number;
}

async function* queryPages(
  client: Pick<DynamoDBDocumentClient, 'send'>,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
  { startKey, atMost }: QueryOptions,
): AsyncGenerator<QueryCommandOutput> {
  let next = startKey;
  let seen = 0;
  do {
    const page = await client.send(
      new QueryCommand({
        ...input,
        ...(atMost === undefined ? {} : { Limit: atMost - seen }),
        ...(next ? { ExclusiveStartKey: next } : {}),
      }),
    );
    seen += page.Items?.length ?? 0;
    yield page;
    next = page.LastEvaluatedKey;
  } while (next && (atMost === undefined || seen < atMost));
}

/** Every item the query matches, or only the first `atMost`. */
export async function queryAll<T = Record<string, unknown>>(
  client: Pick<DynamoDBDocumentClient, 'send'>,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey'>,
  options: QueryOptions = {},
): Promise<T[]> {
  const items: T[] = [];
  for await (const page of queryPages(client, input, options)) items.push(...((page.Items ?? []) as T[]));
  return items;
}

/** How many items the query matches, without reading them. */
export async function countAll(
  client: Pick<DynamoDBDocumentClient, 'send'>,
  input: Omit<QueryCommandInput, 'ExclusiveStartKey' | 'Select'>,
): Promise<number> {
  let count = 0;
  for await (const page of queryPages(client, { ...input, Select: 'COUNT' }, {})) count += page.Count ?? 0;
  return count;
}
