/**
 * Analytics: the KPI query (analytics/queries/daily-kpis.sql, as Athena runs it) over 1,000,000 archived
 * events spread over 30 days, through the local Athena API (StartQueryExecution, poll, GetQueryResults),
 * against DuckDB reading the same files directly; and the bytes a one-week range scans against the month.
 * The archive is generated once (gzip NDJSON, as Firehose writes it) into the temp dir and reused.
 */
import { existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import {
  AthenaClient,
  CreateWorkGroupCommand,
  GetQueryExecutionCommand,
  paginateGetQueryResults,
  type QueryExecution,
  StartQueryExecutionCommand,
} from '@aws-sdk/client-athena';
import { CreateDatabaseCommand, CreateTableCommand, GlueClient } from '@aws-sdk/client-glue';
import { DuckDBInstance } from '@duckdb/node-api';
import { EVENTS_TABLE, readQuery } from '../analytics/queries';
import { bindExecutionParameters } from '../infra/local/athena/parameters';
import { AthenaService } from '../infra/local/athena/service';
import { trinoMacroStatements } from '../infra/local/athena/trino-functions';
import { Clock } from '../infra/local/clock';
import { startEdge } from '../infra/local/edge/server';
import { GlueCatalog } from '../infra/local/glue/catalog';
import { s3BucketDirectory, s3ObjectPath } from '../infra/local/s3/store';
import { eventually } from '../infra/local/shared/polling';
import type { BenchRow } from './index';
import { megabytes } from './support/stats';

const account = { region: 'us-east-1', accountId: '000000000000' };
const EVENT_COUNT = 1_000_000;
const DAYS = 30;
const FIRST_DAY = Date.UTC(2026, 10, 3);
/** Firehose flushes every 60 s or 64 MB; at this volume an hourly object per day is a fair stand-in. */
const OBJECTS_PER_DAY = 24;
const BUCKET = 'aurora-archive';
const DATABASE = 'aurora_analytics';
const ARCHIVE = join(tmpdir(), `aurora-analytics-bench-${EVENT_COUNT}`);
const DONE_MARKER = join(ARCHIVE, 'complete');
/** The detail fields the queries read, as the analytics stack declares the Glue table. */
const DETAIL_TYPE =
  'struct<userId:string,reminderId:string,scheduledFor:string,deliveredVia:string,latenessMs:bigint>';

/** A realistic day: mostly chat traffic, a share of reminders and sign-ins, rare failures and lockouts. */
const EVENT_MIX: ReadonlyArray<readonly [string, number]> = [
  ['MessageReceived', 30],
  ['PostbackReceived', 5],
  ['MessageDelivered', 25],
  ['OtpRequested', 5],
  ['OtpCodeSubmitted', 6],
  ['OtpVerified', 4],
  ['SessionExpired', 0.5],
  ['UserLockedOut', 0.2],
  ['ReminderRequested', 4],
  ['ReminderChangeRequested', 1],
  ['ReminderScheduled', 5],
  ['ReminderDelivered', 11],
  ['ReminderFailed', 0.5],
  ['ReminderDropped', 0.3],
  ['CalendarEventCreated', 2.5],
];
const MIX_TOTAL = EVENT_MIX.reduce((sum, [, weight]) => sum + weight, 0);

/** The type whose share of the mix covers `point`, a number in [0, MIX_TOTAL). */
function eventType(point: number): string {
  let rest = point;
  for (const [type, weight] of EVENT_MIX) {
    if (rest < weight) return type;
    rest -= weight;
  }
  return 'MessageReceived';
}

const day = (index: number) => new Date(FIRST_DAY + index * 86_400_000).toISOString().slice(0, 10);

/** A small deterministic generator (mulberry32), so every run reads the same archive. */
function random(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** One archived event as a JSON line; `next` is drawn in the same order for every event, so runs match. */
function archiveLine(next: () => number, dayIndex: number, hour: number, index: number): string {
  const type = eventType(next() * MIX_TOTAL);
  const time = new Date(
    FIRST_DAY + dayIndex * 86_400_000 + hour * 3_600_000 + Math.floor(next() * 3_600_000),
  );
  const reminder = type.startsWith('Reminder');
  return JSON.stringify({
    event_id: `${dayIndex}-${hour}-${index}`,
    event_type: type,
    event_source: reminder ? 'aurora.reminders' : 'aurora.conversation',
    event_time: time.toISOString(),
    detail: {
      userId: `user-${Math.floor(next() * 20_000)}`,
      ...(reminder
        ? {
            reminderId: `reminder-${Math.floor(next() * 200_000)}`,
            scheduledFor: new Date(time.getTime() - 60_000).toISOString(),
            deliveredVia: next() < 0.4 ? 'email' : 'messenger',
            latenessMs: Math.floor(next() ** 3 * 60_000),
          }
        : {}),
    },
  });
}

function writeArchiveObject(dayIndex: number, hour: number, lines: readonly string[]): void {
  const stamp = `${day(dayIndex)}-${String(hour).padStart(2, '0')}-00-00`;
  const key = `events/event_date=${day(dayIndex)}/aurora-events-1-${stamp}-${dayIndex}-${hour}.gz`;
  const path = s3ObjectPath(ARCHIVE, BUCKET, key);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, gzipSync(`${lines.join('\n')}\n`));
}

function generateArchive(): void {
  rmSync(ARCHIVE, { recursive: true, force: true });
  const next = random(16);
  const perObject = Math.ceil(EVENT_COUNT / (DAYS * OBJECTS_PER_DAY));
  let written = 0;
  for (let dayIndex = 0; dayIndex < DAYS; dayIndex++) {
    for (let hour = 0; hour < OBJECTS_PER_DAY && written < EVENT_COUNT; hour++) {
      const lines: string[] = [];
      for (let index = 0; index < perObject && written < EVENT_COUNT; index++, written++) {
        lines.push(archiveLine(next, dayIndex, hour, index));
      }
      writeArchiveObject(dayIndex, hour, lines);
    }
  }
  writeFileSync(DONE_MARKER, String(written));
}

/** The query once it has ended, polled as a client of Athena polls; a stuck query fails the bench. */
const finished = (client: AthenaClient, id: string): Promise<QueryExecution> =>
  eventually(
    async () => {
      const { QueryExecution: execution } = await client.send(
        new GetQueryExecutionCommand({ QueryExecutionId: id }),
      );
      const state = execution?.Status?.State;
      return state !== 'QUEUED' && state !== 'RUNNING' ? execution : undefined;
    },
    120_000,
    `query ${id} to end`,
  );

/** Seconds from StartQueryExecution to the last page of results, and the bytes Athena reports. */
async function viaApi(
  client: AthenaClient,
  sql: string,
  parameters: string[],
): Promise<{ seconds: number; bytes: number }> {
  const started = performance.now();
  const { QueryExecutionId: id = '' } = await client.send(
    new StartQueryExecutionCommand({
      QueryString: sql,
      QueryExecutionContext: { Database: DATABASE },
      WorkGroup: 'bench',
      ExecutionParameters: parameters,
    }),
  );
  const execution = await finished(client, id);
  if (execution.Status?.State !== 'SUCCEEDED')
    throw new Error(`KPI query failed: ${execution.Status?.StateChangeReason}`);
  // Every page of results read, as a client does.
  for await (const _page of paginateGetQueryResults({ client }, { QueryExecutionId: id })) {
    // Fetching each page is the work measured; the rows themselves are not needed.
  }
  return {
    seconds: (performance.now() - started) / 1000,
    bytes: execution.Statistics?.DataScannedInBytes ?? 0,
  };
}

/** The same SQL on DuckDB over a plain glob of the files: no API, catalog, planning pass or result copy. */
async function directly(sql: string, parameters: string[]): Promise<number> {
  const instance = await DuckDBInstance.create(':memory:', { threads: '2' });
  const connection = await instance.connect();
  try {
    for (const statement of trinoMacroStatements('main')) await connection.run(statement);
    const glob = join(s3BucketDirectory(ARCHIVE, BUCKET), 'events', '*', '*.gz');
    await connection.run(
      `CREATE VIEW ${EVENTS_TABLE} AS SELECT * FROM read_json('${glob}', format = 'newline_delimited',
         compression = 'auto_detect', hive_partitioning = true, hive_types = {'event_date': 'VARCHAR'},
         columns = {'event_id': 'VARCHAR', 'event_type': 'VARCHAR', 'event_source': 'VARCHAR',
                    'event_time': 'VARCHAR', 'detail': 'STRUCT("userId" VARCHAR, "reminderId" VARCHAR,
                    "scheduledFor" VARCHAR, "deliveredVia" VARCHAR, "latenessMs" BIGINT)'})`,
    );
    const started = performance.now();
    await connection.runAndReadAll(bindExecutionParameters(sql, parameters));
    return (performance.now() - started) / 1000;
  } finally {
    connection.closeSync();
    instance.closeSync();
  }
}

const quoted = (text: string) => `'${text}'`;

export async function run(): Promise<BenchRow[]> {
  if (!existsSync(DONE_MARKER)) generateArchive();
  const stateDir = mkdtempSync(join(tmpdir(), 'aurora-analytics-bench-state-'));
  // The archive bucket of this run's local S3 is the generated one; query results go to a bucket of its own.
  mkdirSync(join(stateDir, 's3'), { recursive: true });
  symlinkSync(s3BucketDirectory(ARCHIVE, BUCKET), s3BucketDirectory(stateDir, BUCKET), 'dir');
  const clock = new Clock('real');
  const glue = new GlueCatalog({ clock, stateDir, accountId: account.accountId });
  const athena = new AthenaService({ clock, stateDir, catalog: glue });
  const edge = await startEdge({ port: 0, services: [glue.edgeService, athena.edgeService], account });
  const config = {
    endpoint: edge.url,
    region: account.region,
    credentials: { accessKeyId: 'a', secretAccessKey: 'b' },
  };
  const glueClient = new GlueClient(config);
  const athenaClient = new AthenaClient(config);
  try {
    await glueClient.send(new CreateDatabaseCommand({ DatabaseInput: { Name: DATABASE } }));
    await glueClient.send(
      new CreateTableCommand({
        DatabaseName: DATABASE,
        TableInput: {
          Name: EVENTS_TABLE,
          TableType: 'EXTERNAL_TABLE',
          Parameters: { classification: 'json', 'projection.enabled': 'true' },
          PartitionKeys: [{ Name: 'event_date', Type: 'string' }],
          StorageDescriptor: {
            Location: `s3://${BUCKET}/events/`,
            Columns: [
              ...['event_id', 'event_type', 'event_source', 'event_time'].map((Name) => ({
                Name,
                Type: 'string',
              })),
              { Name: 'detail', Type: DETAIL_TYPE },
            ],
          },
        },
      }),
    );
    await athenaClient.send(
      new CreateWorkGroupCommand({
        Name: 'bench',
        Configuration: { ResultConfiguration: { OutputLocation: 's3://bench-results/athena-results/' } },
      }),
    );
    const sql = readQuery('daily-kpis');
    const month = [quoted(day(0)), quoted(day(DAYS - 1))];
    const week = [quoted(day(DAYS - 7)), quoted(day(DAYS - 1))];
    // A first run of each warms the page cache, so both sides read the files from memory.
    await viaApi(athenaClient, sql, month);
    await directly(sql, month);
    const api = await viaApi(athenaClient, sql, month);
    const direct = await directly(sql, month);
    const lastWeek = await viaApi(athenaClient, sql, week);
    return [
      {
        name: `KPI query, ${EVENT_COUNT.toLocaleString('en-US')} events over ${DAYS} days, local Athena API (DuckDB)`,
        value: `${api.seconds.toFixed(2)} s, ${megabytes(api.bytes, 1)} scanned`,
        baseline: `DuckDB on the same files, no API: ${direct.toFixed(2)} s`,
        ratio: `${(api.seconds / direct).toFixed(2)}x the direct time`,
      },
      {
        name: 'KPI query, the last 7 of 30 days (partitions pruned)',
        value: `${lastWeek.seconds.toFixed(2)} s, ${megabytes(lastWeek.bytes, 1)} scanned`,
        baseline: `the whole month: ${megabytes(api.bytes, 1)}`,
        ratio: `${(lastWeek.bytes / api.bytes).toFixed(2)}x the month's bytes`,
      },
    ];
  } finally {
    glueClient.destroy();
    athenaClient.destroy();
    await athena.close();
    await edge.close();
    rmSync(stateDir, { recursive: true, force: true });
  }
}
