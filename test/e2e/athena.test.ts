import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  AthenaClient,
  BatchGetNamedQueryCommand,
  CreateNamedQueryCommand,
  CreateWorkGroupCommand,
  GetQueryExecutionCommand,
  GetQueryResultsCommand,
  InvalidRequestException,
  ListNamedQueriesCommand,
  ListQueryExecutionsCommand,
  type QueryExecution,
  type Row,
  StartQueryExecutionCommand,
  StopQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import {
  CreateDatabaseCommand,
  CreateTableCommand,
  EntityNotFoundException,
  GetTableCommand,
  GetTablesCommand,
  GlueClient,
} from '@aws-sdk/client-glue';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readQuery } from '../../analytics/queries';
import { AthenaService } from '../../infra/local/athena/service';
import { Clock } from '../../infra/local/clock';
import { type Edge, startEdge } from '../../infra/local/edge/server';
import { GlueCatalog } from '../../infra/local/glue/catalog';
import { s3ObjectPath } from '../../infra/local/s3/store';
import { edgeClientConfig } from '../support/local-cloud';
import { eventually } from '../support/polling';

const account = { region: 'us-east-1', accountId: '000000000000' };
const BUCKET = 'aurora-archive';
const DAYS = ['2026-12-01', '2026-12-02', '2026-12-03'];

describe('Glue and Athena through the edge', () => {
  let stateDir: string;
  let glue: GlueCatalog;
  let athena: AthenaService;
  let edge: Edge;
  let glueClient: GlueClient;
  let athenaClient: AthenaClient;
  const fileSizes = new Map<string, number>();

  /** Writes one gzip NDJSON object of `count` events into the day's partition, as Firehose delivers them. */
  function deliver(day: string, name: string, count: number): void {
    const lines = Array.from({ length: count }, (_, index) =>
      JSON.stringify({
        event_id: `${day}-${name}-${index}`,
        event_type: index % 2 === 0 ? 'ReminderDelivered' : 'OtpRequested',
        event_source: 'aurora.test',
        event_time: `${day}T10:00:${String(index % 60).padStart(2, '0')}Z`,
        detail: {
          userId: `user-${index % 3}`,
          reminderId: `reminder-${name}-${index}`,
          scheduledFor: `${day}T09:00:00Z`,
          deliveredVia: 'email',
          latenessMs: index * 10,
        },
      }),
    );
    const path = s3ObjectPath(stateDir, BUCKET, `events/event_date=${day}/${name}.gz`);
    mkdirSync(dirname(path), { recursive: true });
    const body = gzipSync(`${lines.join('\n')}\n`);
    writeFileSync(path, body);
    fileSizes.set(day, (fileSizes.get(day) ?? 0) + body.length);
  }

  async function runQuery(
    sql: string,
    parameters: string[] = [],
    workGroup = 'analytics',
  ): Promise<{ id: string; execution: QueryExecution }> {
    const { QueryExecutionId: id = '' } = await athenaClient.send(
      new StartQueryExecutionCommand({
        QueryString: sql,
        QueryExecutionContext: { Database: 'aurora_analytics' },
        WorkGroup: workGroup,
        ...(parameters.length > 0 ? { ExecutionParameters: parameters } : {}),
      }),
    );
    const execution = await eventually(
      async () => {
        const { QueryExecution } = await athenaClient.send(
          new GetQueryExecutionCommand({ QueryExecutionId: id }),
        );
        const state = QueryExecution?.Status?.State;
        return state === 'QUEUED' || state === 'RUNNING' ? undefined : QueryExecution;
      },
      30_000,
      `query ${id} to finish`,
    );
    return { id, execution };
  }

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'aurora-athena-'));
    const clock = new Clock('manual', Date.UTC(2026, 11, 3, 12));
    glue = new GlueCatalog({ clock, stateDir, accountId: account.accountId });
    athena = new AthenaService({ clock, stateDir, catalog: glue });
    edge = await startEdge({ port: 0, services: [glue.edgeService, athena.edgeService], account });
    glueClient = new GlueClient(edgeClientConfig(edge.url, account.region));
    athenaClient = new AthenaClient(edgeClientConfig(edge.url, account.region));

    await glueClient.send(new CreateDatabaseCommand({ DatabaseInput: { Name: 'aurora_analytics' } }));
    await glueClient.send(
      new CreateTableCommand({
        DatabaseName: 'aurora_analytics',
        TableInput: {
          Name: 'aurora_events',
          TableType: 'EXTERNAL_TABLE',
          Parameters: {
            classification: 'json',
            'projection.enabled': 'true',
            'projection.event_date.type': 'date',
            'projection.event_date.format': 'yyyy-MM-dd',
            'projection.event_date.range': '2026-11-01,NOW',
            'storage.location.template': `s3://${BUCKET}/events/event_date=\${event_date}/`,
          },
          PartitionKeys: [{ Name: 'event_date', Type: 'string' }],
          StorageDescriptor: {
            Location: `s3://${BUCKET}/events/`,
            SerdeInfo: { SerializationLibrary: 'org.openx.data.jsonserde.JsonSerDe' },
            Columns: [
              { Name: 'event_id', Type: 'string' },
              { Name: 'event_type', Type: 'string' },
              { Name: 'event_source', Type: 'string' },
              { Name: 'event_time', Type: 'string' },
              {
                Name: 'detail',
                Type: 'struct<userId:string,reminderId:string,scheduledFor:string,deliveredVia:string,latenessMs:bigint>',
              },
            ],
          },
        },
      }),
    );
    for (const day of DAYS) deliver(day, 'stream-1', 40);
    deliver('2026-12-02', 'stream-2', 30);
  });

  afterAll(async () => {
    glueClient.destroy();
    athenaClient.destroy();
    await athena.close();
    await edge.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('keeps the table the API created, and says which is missing', async () => {
    const { Table } = await glueClient.send(
      new GetTableCommand({ DatabaseName: 'aurora_analytics', Name: 'aurora_events' }),
    );
    expect(Table?.PartitionKeys).toEqual([{ Name: 'event_date', Type: 'string' }]);
    expect(Table?.CreateTime).toEqual(new Date(Date.UTC(2026, 11, 3, 12)));
    const { TableList } = await glueClient.send(new GetTablesCommand({ DatabaseName: 'aurora_analytics' }));
    expect(TableList?.map((table) => table.Name)).toEqual(['aurora_events']);
    await expect(
      glueClient.send(new GetTableCommand({ DatabaseName: 'aurora_analytics', Name: 'missing' })),
    ).rejects.toBeInstanceOf(EntityNotFoundException);
  });

  it('answers a parameterised query over the selected partitions, paged, counting only their bytes', async () => {
    await athenaClient.send(
      new CreateWorkGroupCommand({
        Name: 'analytics',
        Configuration: {
          ResultConfiguration: { OutputLocation: `s3://${BUCKET}/athena-results/` },
          EnforceWorkGroupConfiguration: true,
          BytesScannedCutoffPerQuery: 10_000_000,
        },
      }),
    );
    const { id, execution } = await runQuery(
      `SELECT event_date, count(*) AS events, approx_percentile(detail.latenessMs, 0.5) AS p50,
              count(DISTINCT detail.userId) AS users
       FROM aurora_events WHERE event_date BETWEEN ? AND ? GROUP BY event_date ORDER BY event_date`,
      ["'2026-12-02'", "'2026-12-03'"],
    );
    expect(execution.Status?.State).toBe('SUCCEEDED');
    expect(execution.Statistics?.DataScannedInBytes).toBe(
      (fileSizes.get('2026-12-02') ?? 0) + (fileSizes.get('2026-12-03') ?? 0),
    );

    const first = await athenaClient.send(
      new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 2 }),
    );
    expect(
      first.ResultSet?.ResultSetMetadata?.ColumnInfo?.map((column) => [column.Name, column.Type]),
    ).toEqual([
      ['event_date', 'varchar'],
      ['events', 'bigint'],
      ['p50', 'bigint'],
      ['users', 'bigint'],
    ]);
    const values = (rows: Row[] | undefined) => rows?.map((row) => row.Data?.map((d) => d.VarCharValue));
    expect(values(first.ResultSet?.Rows)?.[0]).toEqual(['event_date', 'events', 'p50', 'users']);
    expect(values(first.ResultSet?.Rows)?.[1]?.slice(0, 2)).toEqual(['2026-12-02', '70']);
    expect(first.NextToken).toBeDefined();
    const second = await athenaClient.send(
      new GetQueryResultsCommand({ QueryExecutionId: id, MaxResults: 2, NextToken: first.NextToken }),
    );
    expect(values(second.ResultSet?.Rows)).toEqual([['2026-12-03', '40', expect.any(String), '3']]);
    expect(second.NextToken).toBeUndefined();

    const csv = readFileSync(s3ObjectPath(stateDir, BUCKET, `athena-results/${id}.csv`), 'utf8');
    expect(csv.split('\n')[0]).toBe('"event_date","events","p50","users"');
    expect(execution.ResultConfiguration?.OutputLocation).toBe(`s3://${BUCKET}/athena-results/${id}.csv`);
  });

  it('runs the analytics KPI query as written for Athena, a row per day and one for the range', async () => {
    const { id, execution } = await runQuery(readQuery('daily-kpis'), ["'2026-12-01'", "'2026-12-02'"]);
    expect(execution.Status?.StateChangeReason).toBeUndefined();
    const { ResultSet } = await athenaClient.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
    const [header = [], ...rows] = (ResultSet?.Rows ?? []).map(
      (row) => row.Data?.map((d) => d.VarCharValue) ?? [],
    );
    const column = (row: (string | undefined)[], name: string) => row[header.indexOf(name)];
    expect(rows.map((row) => column(row, 'event_date'))).toEqual(['2026-12-01', '2026-12-02', undefined]);
    // 40 events on the 1st and 70 on the 2nd, half of them reminders delivered by email, half code requests.
    expect(rows.map((row) => column(row, 'reminders_delivered'))).toEqual(['20', '35', '55']);
    expect(rows.map((row) => column(row, 'logins_requested'))).toEqual(['20', '35', '55']);
    expect(rows.map((row) => column(row, 'emails_sent'))).toEqual(['40', '70', '110']);
  });

  it('reads files delivered after earlier queries', async () => {
    const count = async () => {
      const { id } = await runQuery("SELECT count(*) FROM aurora_events WHERE event_date = '2026-12-04'");
      const results = await athenaClient.send(new GetQueryResultsCommand({ QueryExecutionId: id }));
      return results.ResultSet?.Rows?.[1]?.Data?.[0]?.VarCharValue;
    };
    expect(await count()).toBe('0');
    deliver('2026-12-04', 'stream-1', 5);
    expect(await count()).toBe('5');
  });

  it("fails a query that would scan more than the workgroup's cutoff, as Athena does", async () => {
    await athenaClient.send(
      new CreateWorkGroupCommand({
        Name: 'tight',
        Configuration: {
          ResultConfiguration: { OutputLocation: `s3://${BUCKET}/athena-results/` },
          BytesScannedCutoffPerQuery: (fileSizes.get('2026-12-01') ?? 0) + 1,
        },
      }),
    );
    const oneDay = await runQuery(
      "SELECT count(*) FROM aurora_events WHERE event_date = '2026-12-01'",
      [],
      'tight',
    );
    expect(oneDay.execution.Status?.State).toBe('SUCCEEDED');
    const everything = await runQuery('SELECT count(*) FROM aurora_events', [], 'tight');
    expect(everything.execution.Status?.State).toBe('FAILED');
    expect(everything.execution.Status?.StateChangeReason).toBe(
      'Query cancelled! : Bytes scanned limit was exceeded',
    );
  });

  it('reports a SQL error as a FAILED execution with the reason', async () => {
    const { execution } = await runQuery('SELECT no_such_column FROM aurora_events');
    expect(execution.Status?.State).toBe('FAILED');
    expect(execution.Status?.StateChangeReason).toMatch(/no_such_column/);
    expect(execution.Status?.StateChangeReason).toContain('LINE 1: SELECT no_such_column FROM aurora_events');
    const { execution: wrongCount } = await runQuery(
      'SELECT count(*) FROM aurora_events WHERE event_date = ?',
    );
    expect(wrongCount.Status?.StateChangeReason).toMatch(/1 parameter placeholders but 0/);
  });

  it('cancels a queued and a running query, and runs the next one', async () => {
    const start = async (QueryString: string) =>
      (
        await athenaClient.send(
          new StartQueryExecutionCommand({
            QueryString,
            QueryExecutionContext: { Database: 'aurora_analytics' },
            WorkGroup: 'analytics',
          }),
        )
      ).QueryExecutionId ?? '';
    const state = async (id: string) =>
      (await athenaClient.send(new GetQueryExecutionCommand({ QueryExecutionId: id }))).QueryExecution?.Status
        ?.State;
    const slow = await start('SELECT sum(hash(x)) FROM range(20000000000) t(x)');
    const queued = await start('SELECT 1');
    await athenaClient.send(new StopQueryExecutionCommand({ QueryExecutionId: queued }));
    expect(await state(queued)).toBe('CANCELLED');
    await athenaClient.send(new StopQueryExecutionCommand({ QueryExecutionId: slow }));
    expect(await state(slow)).toBe('CANCELLED');
    await expect(
      athenaClient.send(new GetQueryResultsCommand({ QueryExecutionId: slow })),
    ).rejects.toBeInstanceOf(InvalidRequestException);

    const { execution } = await runQuery(
      "SELECT count(*) FROM aurora_events WHERE event_date = '2026-12-01'",
    );
    expect(execution.Status?.State).toBe('SUCCEEDED');
    const { QueryExecutionIds } = await athenaClient.send(
      new ListQueryExecutionsCommand({ WorkGroup: 'analytics' }),
    );
    expect(QueryExecutionIds?.slice(0, 3)).toEqual([execution.QueryExecutionId, queued, slow]);
  });

  it('keeps named queries per workgroup', async () => {
    const { NamedQueryId = '' } = await athenaClient.send(
      new CreateNamedQueryCommand({
        Name: 'daily-kpis',
        Database: 'aurora_analytics',
        QueryString: readQuery('daily-kpis'),
        WorkGroup: 'analytics',
      }),
    );
    const { NamedQueryIds } = await athenaClient.send(
      new ListNamedQueriesCommand({ WorkGroup: 'analytics' }),
    );
    expect(NamedQueryIds).toEqual([NamedQueryId]);
    const batch = await athenaClient.send(
      new BatchGetNamedQueryCommand({ NamedQueryIds: [NamedQueryId, 'missing'] }),
    );
    expect(batch.NamedQueries?.map((query) => query.Name)).toEqual(['daily-kpis']);
    expect(batch.UnprocessedNamedQueryIds?.map((unprocessed) => unprocessed.NamedQueryId)).toEqual([
      'missing',
    ]);
  });
});
