/**
 * Expression parsing per request in the local DynamoDB: Powertools idempotency's conditional PutItem and its
 * UpdateItem (update + condition), with changing values, through dynalite's own `validateExpressions`, with
 * the expression cache (infra/local/dynamodb/expression-cache.ts) versus dynalite's parsers alone. Rounds of
 * the two alternate in one process; the best round of each is reported.
 */
import { dynaliteValidations } from '../infra/local/dynamodb/dynalite-internals';
import {
  cachedParse,
  dynaliteParsers,
  type ParseFunction,
  type ParserModule,
  uncachedParse,
} from '../infra/local/dynamodb/expression-cache';
import type { BenchRow } from './index';

const { validateExpressions } = dynaliteValidations;

const REQUESTS_PER_ROUND = 2000;
const ROUNDS = 7;

const names = {
  '#id': 'id',
  '#expiry': 'expiration',
  '#status': 'status',
  '#in_progress_expiry': 'in_progress_expiration',
};

/** One webhook's worth of idempotency requests: the conditional put, then the completing update. */
function idempotencyRequests(index: number): Record<string, unknown>[] {
  const now = 1_700_000_000_000 + index * 37;
  return [
    {
      ConditionExpression:
        'attribute_not_exists(#id) OR #expiry < :now OR (#status = :inprogress AND attribute_exists(#in_progress_expiry) AND #in_progress_expiry < :now_in_millis)',
      ExpressionAttributeNames: names,
      ExpressionAttributeValues: {
        ':now': { N: String(Math.floor(now / 1000)) },
        ':now_in_millis': { N: String(now) },
        ':inprogress': { S: 'INPROGRESS' },
      },
    },
    {
      UpdateExpression: 'SET #response_data = :response_data, #expiry = :expiry, #status = :status',
      ConditionExpression: '#status = :inprogress',
      ExpressionAttributeNames: { '#response_data': 'data', '#expiry': 'expiration', '#status': 'status' },
      ExpressionAttributeValues: {
        ':response_data': { S: JSON.stringify({ statusCode: 200, body: `ok ${index}` }) },
        ':expiry': { N: String(Math.floor(now / 1000) + 3600) },
        ':status': { S: 'COMPLETED' },
        ':inprogress': { S: 'INPROGRESS' },
      },
    },
  ];
}

/** Microseconds per request for one round with `parsers` installed on dynalite's parser modules. */
function measureRound(parsers: Map<ParserModule, ParseFunction>): number {
  const requests = Array.from({ length: REQUESTS_PER_ROUND / 2 }, (_, index) =>
    idempotencyRequests(index),
  ).flat();
  const installed = new Map([...parsers.keys()].map((module) => [module, module.parse]));
  for (const [module, parse] of parsers) module.parse = parse;
  try {
    const started = performance.now();
    for (const request of requests) {
      const error = validateExpressions(request);
      if (error) throw new Error(error);
    }
    return ((performance.now() - started) * 1000) / requests.length;
  } finally {
    for (const [module, parse] of installed) module.parse = parse;
  }
}

export async function run(): Promise<BenchRow[]> {
  const modules: ParserModule[] = Object.values(dynaliteParsers);
  const uncached = new Map(modules.map((module) => [module, uncachedParse(module.parse)]));
  const cached = new Map(modules.map((module) => [module, cachedParse(uncachedParse(module.parse))]));
  let bestCached = Number.POSITIVE_INFINITY;
  let bestUncached = Number.POSITIVE_INFINITY;
  for (let round = 0; round < ROUNDS; round++) {
    bestUncached = Math.min(bestUncached, measureRound(uncached));
    bestCached = Math.min(bestCached, measureRound(cached));
  }
  return [
    {
      name: 'DynamoDB expression validation, Powertools idempotency put + update',
      value: `${bestCached.toFixed(1)} µs/request`,
      baseline: `dynalite parsers uncached: ${bestUncached.toFixed(1)} µs/request`,
      ratio: `${(bestUncached / bestCached).toFixed(1)}× faster`,
    },
  ];
}
