import { describe, expect, it } from 'vitest';
import { dynaliteValidations } from '../../../../../infra/local/dynamodb/dynalite-internals';
import { DynaliteStore } from '../../../../../infra/local/dynamodb/dynalite-store';
import {
  cachedParse,
  dynaliteParsers,
  type ParseFunction,
  type ParserModule,
  uncachedParse,
} from '../../../../../infra/local/dynamodb/expression-cache';

const { validateExpressions } = dynaliteValidations;

type Values = Record<string, Record<string, unknown>>;
interface ExpressionRequest {
  UpdateExpression?: string;
  ConditionExpression?: string;
  KeyConditionExpression?: string;
  FilterExpression?: string;
  ProjectionExpression?: string;
  ExpressionAttributeNames?: Record<string, string>;
}

const PARSED_FIELDS = ['_updates', '_condition', '_keyCondition', '_filter', '_projection'] as const;
const parserModules: ParserModule[] = Object.values(dynaliteParsers);

/**
 * dynalite's own `validateExpressions` run with its parsers either memoised (a fresh cache) or not; both
 * count how often the real parser runs.
 */
function expressionValidator(cached: boolean) {
  let parses = 0;
  const parsers = parserModules.map((module) => {
    const original = uncachedParse(module.parse);
    const counted: ParseFunction = (input, options) => {
      parses++;
      return original(input, options);
    };
    return { module, parse: cached ? cachedParse(counted) : counted };
  });
  return {
    parses: () => parses,
    validate(request: ExpressionRequest, values: Values | undefined) {
      // A fresh copy per call, as each HTTP request brings its own value objects.
      const data: Record<string, unknown> = structuredClone({
        ...request,
        ...(values && { ExpressionAttributeValues: values }),
      });
      const installed = parsers.map(({ module }) => module.parse);
      parsers.forEach(({ module, parse }) => {
        module.parse = parse;
      });
      try {
        const error = validateExpressions(data);
        return { error, parsed: PARSED_FIELDS.map((field) => data[field]), data };
      } finally {
        parsers.forEach(({ module }, index) => {
          const previous = installed[index];
          if (previous) module.parse = previous;
        });
      }
    },
  };
}

/** The request value keys whose very objects appear in `tree`, in traversal order. */
function valueReferences(tree: unknown, values: unknown): string[] {
  const keyByObject = new Map(Object.entries((values ?? {}) as Values).map(([key, value]) => [value, key]));
  const found: string[] = [];
  const visit = (node: unknown): void => {
    if (typeof node !== 'object' || node === null) return;
    const key = keyByObject.get(node as Record<string, unknown>);
    if (key !== undefined) found.push(key);
    else for (const child of Object.values(node)) visit(child);
  };
  visit(tree);
  return found;
}

interface Case {
  name: string;
  request: ExpressionRequest;
  valueSets: (Values | undefined)[];
  /**
   * Whether some value set reuses an earlier parse. False where value contents decide the outcome (BETWEEN,
   * attribute_type) and where the parse fails (errors are never remembered): parsed every time.
   */
  reused: boolean;
}

const idempotencyNames = {
  '#id': 'id',
  '#expiry': 'expiration',
  '#status': 'status',
  '#in_progress_expiry': 'in_progress_expiration',
};
const idempotencyValues = (now: number): Values => ({
  ':now': { N: String(Math.floor(now / 1000)) },
  ':now_in_millis': { N: String(now) },
  ':inprogress': { S: 'INPROGRESS' },
});

const cases: Case[] = [
  {
    name: 'Powertools idempotency condition',
    request: {
      ConditionExpression:
        'attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)',
      ExpressionAttributeNames: idempotencyNames,
    },
    valueSets: [
      idempotencyValues(1_700_000_000_000),
      idempotencyValues(1_700_000_123_456),
      idempotencyValues(1),
    ],
    reused: true,
  },
  {
    name: 'Powertools idempotency record update with its condition',
    request: {
      UpdateExpression: 'SET #response_data = :response_data, #expiry = :expiry, #status = :status',
      ConditionExpression: '#status <> :inprogress OR #expiry > :now',
      ExpressionAttributeNames: {
        '#response_data': 'data',
        '#expiry': 'expiration',
        '#status': 'status',
      },
    },
    valueSets: [1, 2, 3].map((n) => ({
      ':response_data': { S: JSON.stringify({ statusCode: 200, body: `r${n}` }) },
      ':expiry': { N: String(1_700_003_600 + n) },
      ':status': { S: 'COMPLETED' },
      ':inprogress': { S: 'INPROGRESS' },
      ':now': { N: String(1_700_000_000 + n) },
    })),
    reused: true,
  },
  {
    name: 'SET with if_not_exists and list_append, REMOVE, ADD, DELETE',
    request: {
      UpdateExpression:
        'SET #count = if_not_exists(#count, :zero) + :one, #log = list_append(if_not_exists(#log, :empty), :entry), #meta.#updated = :now REMOVE #draft, #history[3] ADD #visits :inc DELETE #tags :gone',
      ExpressionAttributeNames: {
        '#count': 'count',
        '#log': 'log',
        '#meta': 'meta',
        '#updated': 'updated',
        '#draft': 'draft',
        '#history': 'history',
        '#visits': 'visits',
        '#tags': 'tags',
      },
    },
    valueSets: [
      {
        ':zero': { N: '0' },
        ':inc': { N: '1' },
        ':one': { N: '1' },
        ':empty': { L: [] },
        ':entry': { L: [{ S: 'a' }] },
        ':now': { S: '2024-01-01' },
        ':gone': { SS: ['x'] },
      },
      {
        ':zero': { N: '0' },
        ':inc': { N: '1' },
        ':one': { N: '5' },
        ':empty': { L: [] },
        ':entry': { L: [{ M: { at: { N: '2' } } }] },
        ':now': { S: '2024-06-01' },
        ':gone': { SS: ['y', 'z'] },
      },
      // Wrong operand types: a string added to a number, a string deleted from a set.
      {
        ':zero': { N: '0' },
        ':inc': { N: '1' },
        ':one': { S: '1' },
        ':empty': { L: [] },
        ':entry': { L: [] },
        ':now': { S: 'x' },
        ':gone': { SS: ['x'] },
      },
      {
        ':zero': { N: '0' },
        ':inc': { N: '1' },
        ':one': { N: '1' },
        ':empty': { L: [] },
        ':entry': { L: [] },
        ':now': { S: 'x' },
        ':gone': { S: 'x' },
      },
      {
        ':zero': { N: '0' },
        ':inc': { N: '1' },
        ':one': { N: '2' },
        ':empty': { L: [] },
        ':entry': { S: 'not a list' },
        ':now': { S: 'x' },
        ':gone': { NS: ['1'] },
      },
      {
        ':zero': { N: '0' },
        ':inc': { N: '1' },
        ':one': { N: '3' },
        ':empty': { L: [] },
        ':entry': { L: [] },
        ':now': { N: '9' },
        ':gone': { SS: ['w'] },
      },
    ],
    reused: true,
  },
  {
    name: 'key condition with begins_with, and a filter with IN, contains and size, and a projection',
    request: {
      KeyConditionExpression: '#pk = :pk AND begins_with(#sk, :prefix)',
      FilterExpression: '#status IN (:pending, :failed) AND contains(#tags, :tag) AND size(#items) > :min',
      ProjectionExpression: '#items[0].#name, #meta.created.#by, #tags, #status, #sk',
      ExpressionAttributeNames: {
        '#pk': 'pk',
        '#sk': 'sk',
        '#status': 'status',
        '#tags': 'tags',
        '#items': 'items',
        '#name': 'name',
        '#meta': 'meta',
        '#by': 'by',
      },
    },
    valueSets: [
      {
        ':pk': { S: 'user#1' },
        ':prefix': { S: 'r#' },
        ':pending': { S: 'PENDING' },
        ':failed': { S: 'FAILED' },
        ':tag': { S: 'x' },
        ':min': { N: '0' },
      },
      {
        ':pk': { S: 'user#2' },
        ':prefix': { S: 'r#2024' },
        ':pending': { S: 'P' },
        ':failed': { S: 'F' },
        ':tag': { S: 'y' },
        ':min': { N: '10' },
      },
      // begins_with on a number.
      {
        ':pk': { S: 'user#3' },
        ':prefix': { N: '1' },
        ':pending': { S: 'P' },
        ':failed': { S: 'F' },
        ':tag': { S: 'y' },
        ':min': { N: '1' },
      },
      // Other types: another cache entry.
      {
        ':pk': { B: 'AAEC' },
        ':prefix': { B: 'AQ==' },
        ':pending': { S: 'P' },
        ':failed': { S: 'F' },
        ':tag': { N: '3' },
        ':min': { N: '1' },
      },
      {
        ':pk': { S: 'user#4' },
        ':prefix': { S: 'r#' },
        ':pending': { S: 'P' },
        ':failed': { S: 'F' },
        ':tag': { S: 'z' },
        ':min': { N: '2' },
      },
    ],
    reused: true,
  },
  {
    name: 'key condition with BETWEEN (bounds compared by content)',
    request: {
      KeyConditionExpression: '#pk = :pk AND #sk BETWEEN :from AND :to',
      ExpressionAttributeNames: { '#pk': 'pk', '#sk': 'sk' },
    },
    valueSets: [
      { ':pk': { S: 'u' }, ':from': { N: '1' }, ':to': { N: '20' } },
      { ':pk': { S: 'u' }, ':from': { N: '30' }, ':to': { N: '20' } },
      { ':pk': { S: 'u' }, ':from': { S: 'a' }, ':to': { S: 'b' } },
      { ':pk': { S: 'u' }, ':from': { S: 'b' }, ':to': { S: 'a' } },
      { ':pk': { S: 'u' }, ':from': { S: 'a' }, ':to': { N: '1' } },
    ],
    reused: false,
  },
  {
    name: 'attribute_type (type name read from the value)',
    request: {
      ConditionExpression: 'attribute_type(#a, :type)',
      ExpressionAttributeNames: { '#a': 'a' },
    },
    valueSets: [{ ':type': { S: 'N' } }, { ':type': { S: 'NOPE' } }, { ':type': { S: 'SS' } }],
    reused: false,
  },
  {
    name: 'a value provided but unused',
    request: { ConditionExpression: '#a = :a', ExpressionAttributeNames: { '#a': 'a' } },
    valueSets: [
      { ':a': { S: '1' }, ':extra': { S: 'x' } },
      { ':a': { S: '2' }, ':extra': { S: 'y' } },
    ],
    reused: true,
  },
  {
    name: 'a name provided but unused',
    request: {
      ConditionExpression: 'attribute_exists(#a)',
      ExpressionAttributeNames: { '#a': 'a', '#b': 'b' },
    },
    valueSets: [undefined, undefined],
    reused: true,
  },
  {
    name: 'a name used but not defined',
    request: { ConditionExpression: '#missing = :a', ExpressionAttributeNames: { '#a': 'a' } },
    valueSets: [{ ':a': { S: '1' } }, { ':a': { S: '2' } }],
    reused: false,
  },
  {
    name: 'a value used but not defined',
    request: { UpdateExpression: 'SET #a = :b', ExpressionAttributeNames: { '#a': 'a' } },
    valueSets: [{ ':a': { S: '1' } }, { ':a': { S: '2' } }],
    reused: false,
  },
  {
    name: 'a syntax error',
    request: { ConditionExpression: '#a = = :a', ExpressionAttributeNames: { '#a': 'a' } },
    valueSets: [{ ':a': { S: '1' } }, { ':a': { S: '2' } }],
    reused: false,
  },
];

describe('expression cache (real dynalite parsers, cached vs uncached)', () => {
  for (const { name, request, valueSets, reused } of cases) {
    it(`parses ${name} exactly as dynalite does`, () => {
      const uncached = expressionValidator(false);
      const cached = expressionValidator(true);
      for (const values of valueSets) {
        const expected = uncached.validate(request, values);
        const actual = cached.validate(request, values);
        expect(actual.error).toBe(expected.error);
        expect(actual.parsed).toStrictEqual(expected.parsed);
        // The tree holds this request's value objects themselves, where dynalite put them.
        expect(valueReferences(actual.parsed, actual.data.ExpressionAttributeValues)).toEqual(
          valueReferences(expected.parsed, expected.data.ExpressionAttributeValues),
        );
      }
      if (reused) expect(cached.parses()).toBeLessThan(uncached.parses());
      else expect(cached.parses()).toBe(uncached.parses());
    });
  }

  it('the tested cases cover the errors the brief lists', () => {
    const uncached = expressionValidator(false);
    const errors = cases.flatMap(({ request, valueSets }) =>
      valueSets.map((values) => uncached.validate(request, values).error ?? ''),
    );
    for (const expected of [
      'unused in expressions: keys: {:extra}',
      'unused in expressions: keys: {#b}',
      'attribute name used in the document path is not defined',
      'attribute value used in expression is not defined',
      'requires upper bound to be greater than or equal to lower bound',
      'requires same data type for lower and upper bounds',
      'Invalid attribute type name found',
      'Incorrect operand type for operator or function; operator or function: +',
      'Incorrect operand type for operator or function; operator: DELETE',
      'Incorrect operand type for operator or function; operator or function: list_append',
      'Incorrect operand type for operator or function; operator or function: begins_with',
      'Syntax error',
    ]) {
      expect(
        errors.some((error) => error.includes(expected)),
        expected,
      ).toBe(true);
    }
  });

  it('marks a value used by a hit even when an earlier expression of the first request used it too', () => {
    const names = { '#a': 'a', '#b': 'b', '#c': 'c' };
    const values = { ':now': { N: '1' }, ':x': { S: 'x' } };
    const condition = '#b < :now';
    const cached = expressionValidator(true);
    const first = cached.validate(
      {
        UpdateExpression: 'SET #a = :now, #c = :x',
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
      },
      values,
    );
    expect(first.error).toBeUndefined();
    const parsesBefore = cached.parses();
    const second = cached.validate(
      {
        UpdateExpression: 'SET #a = :x, #c = :x',
        ConditionExpression: condition,
        ExpressionAttributeNames: names,
      },
      values,
    );
    expect(cached.parses()).toBe(parsesBefore + 1); // only the new update expression was parsed
    expect(second.error).toBeUndefined();
  });

  it('returns a fresh tree on every hit, so changing one does not change the next', () => {
    const original = uncachedParse(dynaliteParsers.condition.parse);
    const parse = cachedParse(original);
    const context = () => ({ attrNames: { '#a': 'a' }, attrVals: { ':a': { S: '1' } } });
    const options = { context: context() };
    const first = parse('#a = :a', options) as { expression: { args: unknown[] } };
    first.expression.args.length = 0;
    const second = parse('#a = :a', { context: context() });
    expect(second).toStrictEqual(original('#a = :a', { context: context() }));
  });

  it('keeps at most maxEntries expressions, dropping the least recently used', () => {
    let parses = 0;
    const original = uncachedParse(dynaliteParsers.projection.parse);
    const parse = cachedParse((input, options) => {
      parses++;
      return original(input, options);
    }, 2);
    const project = (expression: string) => parse(expression, { context: { isReserved: () => false } });
    project('a');
    project('b');
    project('a'); // a is now the most recently used
    project('c'); // drops b
    expect(parses).toBe(3);
    project('a');
    project('c');
    expect(parses).toBe(3);
    project('b');
    expect(parses).toBe(4);
  });
});

describe('expression cache in the local DynamoDB store', () => {
  it('is installed on dynalite parsers', () => {
    for (const parser of parserModules) expect(uncachedParse(parser.parse)).not.toBe(parser.parse);
  });

  it('a conditional PutItem fails or succeeds by the current values of a repeated expression', async () => {
    const store = new DynaliteStore(undefined, { region: 'eu-west-1', accountId: '000000000000' });
    try {
      await store.call('CreateTable', {
        TableName: 'Idempotency',
        AttributeDefinitions: [{ AttributeName: 'id', AttributeType: 'S' }],
        KeySchema: [{ AttributeName: 'id', KeyType: 'HASH' }],
        BillingMode: 'PAY_PER_REQUEST',
      });
      const startedAt = 1_700_000_000_000;
      const put = (now: number, status: string) =>
        store.call('PutItem', {
          TableName: 'Idempotency',
          Item: {
            id: { S: 'request-1' },
            expiration: { N: String(Math.floor(now / 1000) + 3600) },
            in_progress_expiration: { N: String(now + 60_000) },
            status: { S: status },
          },
          ConditionExpression:
            'attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)',
          ExpressionAttributeNames: idempotencyNames,
          ExpressionAttributeValues: idempotencyValues(now),
        });
      await put(startedAt, 'COMPLETED');
      // Within the hour the record is live: the same expression with later values must fail.
      await expect(put(startedAt + 1000, 'INPROGRESS')).rejects.toMatchObject({
        code: expect.stringContaining('ConditionalCheckFailedException'),
      });
      // After the expiry the record may be replaced.
      await expect(put(startedAt + 3_601_000, 'INPROGRESS')).resolves.toBeDefined();
      // Still in progress but past its in-progress expiry: replaceable.
      await expect(put(startedAt + 3_601_000 + 60_001, 'COMPLETED')).resolves.toBeDefined();
    } finally {
      await store.close();
    }
  });
});
