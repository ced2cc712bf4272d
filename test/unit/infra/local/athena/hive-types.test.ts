import { describe, expect, it } from 'vitest';
import { athenaTypeName } from '../../../../../infra/local/athena/duckdb-engine';
import { hiveTypeToDuckDb } from '../../../../../infra/local/athena/hive-types';

describe('Hive column types in DuckDB', () => {
  it.each([
    ['string', 'VARCHAR'],
    ['varchar(64)', 'VARCHAR'],
    ['bigint', 'BIGINT'],
    ['int', 'INTEGER'],
    ['double', 'DOUBLE'],
    ['boolean', 'BOOLEAN'],
    ['timestamp', 'TIMESTAMP'],
    ['decimal(10, 2)', 'DECIMAL(10,2)'],
    ['array<string>', 'VARCHAR[]'],
    ['map<string,bigint>', 'MAP(VARCHAR, BIGINT)'],
  ])('%s → %s', (hive, duckDb) => {
    expect(hiveTypeToDuckDb(hive)).toBe(duckDb);
  });

  it('keeps the case of struct fields and maps nested types', () => {
    expect(
      hiveTypeToDuckDb('struct<userId:string,latenessMs:bigint,channels:array<struct<kind:string>>>'),
    ).toBe('STRUCT("userId" VARCHAR, "latenessMs" BIGINT, "channels" STRUCT("kind" VARCHAR)[])');
  });

  it('refuses what is not a Hive type, saying where', () => {
    expect(() => hiveTypeToDuckDb('struct<a string>')).toThrow(/expected ':' at position 9/);
    expect(() => hiveTypeToDuckDb('uuid')).toThrow(/Unsupported Hive type 'uuid'/);
    expect(() => hiveTypeToDuckDb('array<int> extra')).toThrow(/expected end of type/);
  });

  it("names DuckDB's result types as Athena does", () => {
    expect(
      ['VARCHAR', 'HUGEINT', 'INTEGER', 'DOUBLE', 'STRUCT(a INTEGER)', 'BIGINT[]', 'DATE'].map(
        athenaTypeName,
      ),
    ).toEqual(['varchar', 'bigint', 'integer', 'double', 'row', 'array', 'date']);
  });
});
