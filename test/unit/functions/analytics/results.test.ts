/** From Athena's GetQueryResults pages to rows by column name, and from a row to the KPIs. */
import type { GetQueryResultsOutput } from '@aws-sdk/client-athena';
import { describe, expect, it } from 'vitest';
import { rowsOf } from '../../../../functions/analytics/athena';
import { kpisOf } from '../../../../functions/analytics/kpis';

const page = (rows: Array<Array<string | undefined>>, columns?: string[]): GetQueryResultsOutput => ({
  ResultSet: {
    ...(columns
      ? { ResultSetMetadata: { ColumnInfo: columns.map((Name) => ({ Name, Type: 'varchar' })) } }
      : {}),
    Rows: rows.map((values) => ({
      Data: values.map((value) => (value === undefined ? {} : { VarCharValue: value })),
    })),
  },
});

describe('query results', () => {
  it('keys rows by column, skips the header row of the first page only, and leaves NULLs out', () => {
    const columns = ['event_date', 'messages_in', 'lateness_p50_ms'];
    const rows = rowsOf([
      page([columns, ['2026-12-01', '3', undefined]], columns),
      page([['2026-12-02', '5', '1500']]),
      page([[undefined, '8', '1500']]),
    ]);
    expect(rows).toEqual([
      { event_date: '2026-12-01', messages_in: '3' },
      { event_date: '2026-12-02', messages_in: '5', lateness_p50_ms: '1500' },
      { messages_in: '8', lateness_p50_ms: '1500' },
    ]);
  });

  it('answers no rows for a result with only its header', () => {
    expect(rowsOf([page([['event_date']], ['event_date'])])).toEqual([]);
  });

  it('names each KPI after its column, counts default to 0 and percentiles to null', () => {
    const kpis = kpisOf({ messages_in: '12', logins_failed: '2', lateness_p95_ms: '2500.6' });
    expect(kpis).toEqual({
      messagesIn: 12,
      messagesOut: 0,
      activeUsers: 0,
      loginsRequested: 0,
      loginsVerified: 0,
      loginsFailed: 2,
      lockouts: 0,
      remindersCreated: 0,
      remindersDelivered: 0,
      remindersFailed: 0,
      remindersDropped: 0,
      emailsSent: 0,
      emailsBounced: 0,
      latenessP50Ms: null,
      latenessP95Ms: 2501,
      latenessP99Ms: null,
    });
  });

  it('refuses a value that is not a number rather than answering NaN', () => {
    expect(() => kpisOf({ messages_in: 'many' })).toThrow(/messages_in/);
  });
});
