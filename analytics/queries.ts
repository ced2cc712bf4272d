/**
 * The analytics queries, one SQL file each in queries/: the CDK app reads them into Athena named queries,
 * the analytics function bundles the same files as text (esbuild's text loader), and the local cloud and the
 * benchmark run them on DuckDB. Each takes the first and last day of a range as execution parameters.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

/** The Glue table every query reads (the SQL names it; the database comes from the query context). */
export const EVENTS_TABLE = 'aurora_events';

export const ANALYTICS_QUERIES = {
  'daily-kpis': 'Aurora Time KPIs per day of a range and for the whole range (parameters: first, last day)',
} as const;

export type AnalyticsQueryName = keyof typeof ANALYTICS_QUERIES;

export const QUERY_FOLDER = join(import.meta.dirname, 'queries');

export const readQuery = (name: AnalyticsQueryName): string =>
  readFileSync(join(QUERY_FOLDER, `${name}.sql`), 'utf8');
