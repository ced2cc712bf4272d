import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TRINO_MACROS, trinoMacroStatements } from '../../../../../infra/local/athena/trino-functions';

describe("Trino functions on DuckDB, with Trino's meaning", () => {
  let instance: DuckDBInstance;
  let connection: DuckDBConnection;
  const value = async (sql: string) =>
    (await connection.runAndReadAll(`SELECT ${sql}`)).getRowsJson()[0]?.[0];

  beforeAll(async () => {
    instance = await DuckDBInstance.create(':memory:');
    connection = await instance.connect();
    for (const statement of trinoMacroStatements('main')) await connection.run(statement);
  });

  afterAll(() => {
    connection.closeSync();
    instance.closeSync();
  });

  it('defines every macro', async () => {
    const reader = await connection.runAndReadAll(
      "SELECT function_name FROM duckdb_functions() WHERE function_type = 'macro' AND schema_name = 'main'",
    );
    expect(reader.getRowsJson().map((row) => row[0])).toEqual(
      expect.arrayContaining(Object.keys(TRINO_MACROS)),
    );
  });

  it('approx_percentile estimates a percentile of the group, ignoring NULLs', async () => {
    const reader = await connection.runAndReadAll(
      'SELECT approx_percentile(CASE WHEN x % 2 = 0 THEN x END, 0.5) FROM range(1, 1002) t(x)',
    );
    expect(Number(reader.getRowsJson()[0]?.[0])).toBeCloseTo(501, -1);
  });

  it('reads ISO-8601 instants and converts to and from Unix time', async () => {
    expect(await value("to_unixtime(from_iso8601_timestamp('2026-12-03T10:15:00.500Z'))")).toBe(1796292900.5);
    expect(await value("to_unixtime(from_iso8601_timestamp('2026-12-03T11:15:00+01:00'))")).toBe(1796292900);
    expect(await value("CAST(from_iso8601_date('2026-12-03') AS VARCHAR)")).toBe('2026-12-03');
    expect(await value('to_unixtime(from_unixtime(1796292900))')).toBe(1796292900);
  });

  it('matches regular expressions, counts arrays, distinct values and extracts JSON scalars', async () => {
    expect(await value("regexp_like('ReminderDelivered', '^Reminder')")).toBe(true);
    expect(await value('cardinality([1, 2, 3])')).toBe('3');
    expect(await value('(SELECT approx_distinct(x % 7) FROM range(1000) t(x))')).toBe('7');
    expect(await value(`json_extract_scalar('{"a":{"b":"c"}}', '$.a.b')`)).toBe('c');
  });
});
