/**
 * The query runner on Athena: StartQueryExecution in the analytics workgroup (which fixes the output
 * location and the scan limit) with the days as execution parameters, GetQueryExecution polled with
 * backoff until a deadline (past it the query is stopped, so it scans no further), then every page of
 * GetQueryResults, rows keyed by column name.
 */
import {
  type AthenaClient,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  type GetQueryResultsOutput,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import type { AnalyticsQueryName } from '../../analytics/queries';
import { realSleep } from '../shared/backoff';
import { logger } from '../shared/logger';
import type { ResultRow } from './kpis';
import type { QueryRunner } from './use-case';

export interface AthenaRunnerSettings {
  readonly client: AthenaClient;
  readonly workGroup: string;
  readonly database: string;
  readonly sql: Readonly<Record<AnalyticsQueryName, string>>;
  /** How long a query may take, start to last page. */
  readonly deadlineMs: number;
  readonly sleep?: (ms: number) => Promise<void>;
  readonly now?: () => number;
}

const FIRST_POLL_MS = 200;
const LONGEST_POLL_MS = 2_000;

export class QueryFailedError extends Error {}

/** An execution parameter is substituted as a SQL literal: a day is quoted, as Athena expects. */
const literalOf = (day: string): string => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(day)) throw new Error(`not a day: ${day}`);
  return `'${day}'`;
};

export function athenaQueryRunner(settings: AthenaRunnerSettings): QueryRunner {
  const { client, sleep = realSleep, now = Date.now } = settings;
  return {
    async run(query, parameters) {
      const deadline = now() + settings.deadlineMs;
      const { QueryExecutionId: id } = await client.send(
        new StartQueryExecutionCommand({
          QueryString: settings.sql[query],
          QueryExecutionContext: { Database: settings.database },
          WorkGroup: settings.workGroup,
          ExecutionParameters: parameters.map(literalOf),
        }),
      );
      if (!id) throw new QueryFailedError(`Athena started ${query} without an execution id`);
      for (let pollMs = FIRST_POLL_MS; ; pollMs = Math.min(pollMs * 2, LONGEST_POLL_MS)) {
        const { QueryExecution: execution } = await client.send(
          new GetQueryExecutionCommand({ QueryExecutionId: id }),
        );
        const state = execution?.Status?.State;
        if (state === 'SUCCEEDED') {
          logger.info('analytics query done', {
            query,
            queryExecutionId: id,
            bytesScanned: execution?.Statistics?.DataScannedInBytes,
            engineMs: execution?.Statistics?.EngineExecutionTimeInMillis,
          });
          break;
        }
        if (state === 'FAILED' || state === 'CANCELLED') {
          throw new QueryFailedError(
            `${query} (${id}) ${state}: ${execution?.Status?.StateChangeReason ?? 'no reason given'}`,
          );
        }
        if (now() + pollMs > deadline) {
          await client.send(new StopQueryExecutionCommand({ QueryExecutionId: id }));
          throw new QueryFailedError(
            `${query} (${id}) still ${state} after ${settings.deadlineMs} ms; stopped`,
          );
        }
        await sleep(pollMs);
      }
      const pages: GetQueryResultsOutput[] = [];
      let nextToken: string | undefined;
      do {
        const page = await client.send(
          new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 1000, NextToken: nextToken }),
        );
        pages.push(page);
        nextToken = page.NextToken;
      } while (nextToken);
      return rowsOf(pages);
    },
  };
}

/**
 * The rows of GetQueryResults pages by column name. The first row of a SELECT's first page repeats the
 * column names, so it is skipped; a NULL arrives as a datum without a value.
 */
export function rowsOf(pages: readonly GetQueryResultsOutput[]): ResultRow[] {
  const columns =
    pages[0]?.ResultSet?.ResultSetMetadata?.ColumnInfo?.map((column) => column.Name ?? '') ?? [];
  return pages.flatMap((page, index) =>
    (page.ResultSet?.Rows ?? []).slice(index === 0 ? 1 : 0).map((row) =>
      Object.fromEntries(
        columns.flatMap((column, position) => {
          const value = row.Data?.[position]?.VarCharValue;
          return value === undefined ? [] : [[column, value]];
        }),
      ),
    ),
  );
}
