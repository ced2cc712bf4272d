/**
 * The KPIs of the analytics answer and how a result row of analytics/queries/daily-kpis.sql becomes them:
 * each snake_case column is the camelCase KPI of the same name. Counts of a day without events are 0; its
 * percentiles are null (no reminder was delivered that day).
 */
const COUNT_COLUMNS = [
  'messages_in',
  'messages_out',
  'active_users',
  'logins_requested',
  'logins_verified',
  'logins_failed',
  'lockouts',
  'reminders_created',
  'reminders_delivered',
  'reminders_failed',
  'reminders_dropped',
  'emails_sent',
  'emails_bounced',
] as const;
const PERCENTILE_COLUMNS = ['lateness_p50_ms', 'lateness_p95_ms', 'lateness_p99_ms'] as const;

type CamelCase<Name extends string> = Name extends `${infer Head}_${infer Tail}`
  ? `${Head}${Capitalize<CamelCase<Tail>>}`
  : Name;

export type Kpis = { readonly [Column in (typeof COUNT_COLUMNS)[number] as CamelCase<Column>]: number } & {
  readonly [Column in (typeof PERCENTILE_COLUMNS)[number] as CamelCase<Column>]: number | null;
};

/** One row of a query result by column name; a SQL NULL has no value. */
export type ResultRow = Readonly<Record<string, string | undefined>>;

const camelCase = (column: string): string =>
  column.replace(/_([a-z0-9])/g, (_, letter: string) => letter.toUpperCase());

function numberIn(row: ResultRow, column: string): number | null {
  const value = row[column];
  if (value === undefined || value === '') return null;
  const number = Number(value);
  if (!Number.isFinite(number)) throw new Error(`column ${column} is not a number: ${value}`);
  return number;
}

export function kpisOf(row: ResultRow): Kpis {
  const counts = COUNT_COLUMNS.map((column) => [camelCase(column), numberIn(row, column) ?? 0]);
  // Whole milliseconds, whichever engine interpolated them.
  const percentiles = PERCENTILE_COLUMNS.map((column) => {
    const value = numberIn(row, column);
    return [camelCase(column), value === null ? null : Math.round(value)];
  });
  return Object.fromEntries([...counts, ...percentiles]) as Kpis;
}

export interface DayKpis extends Kpis {
  readonly date: string;
}

export interface AnalyticsAnswer {
  readonly from: string;
  readonly to: string;
  /** When the numbers were computed (a range that includes recent days can still change). */
  readonly asOf: string;
  readonly days: readonly DayKpis[];
  readonly total: Kpis;
}

/**
 * The answer from the query's rows: one row per day that had events and the range's row (event_date NULL);
 * every day of the range is in `days`, in order, the ones without events at zero.
 */
export function answerOf(
  range: { readonly from: string; readonly to: string; readonly days: readonly string[] },
  rows: readonly ResultRow[],
  asOf: Date,
): AnalyticsAnswer {
  const byDay = new Map(rows.flatMap((row) => (row.event_date ? [[row.event_date, kpisOf(row)]] : [])));
  const total = rows.find((row) => row.event_date === undefined);
  return {
    from: range.from,
    to: range.to,
    asOf: asOf.toISOString(),
    days: range.days.map((date) => ({ date, ...(byDay.get(date) ?? kpisOf({})) })),
    total: kpisOf(total ?? {}),
  };
}
