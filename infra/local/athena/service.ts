/**
 * Local Athena: the API @aws-sdk/client-athena speaks (awsJson1.1, `AmazonAthena`), with queries executed by
 * DuckDB (duckdb-engine.ts) one at a time, off the request path: StartQueryExecution answers at once and the
 * execution moves QUEUED → RUNNING → SUCCEEDED | FAILED | CANCELLED. Results are kept for GetQueryResults and
 * written as CSV to the output location in local S3, as Athena does. Workgroups and named queries come from
 * the template (AWS::Athena::WorkGroup, AWS::Athena::NamedQuery) or the API; executions live in memory.
 */
import { randomUUID } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type {
  Athena,
  BatchGetNamedQueryInput,
  BatchGetQueryExecutionInput,
  CreateNamedQueryInput,
  CreateWorkGroupInput,
  GetNamedQueryInput,
  GetQueryExecutionInput,
  GetQueryResultsInput,
  GetWorkGroupInput,
  ListNamedQueriesInput,
  ListQueryExecutionsInput,
  StartQueryExecutionInput,
  StopQueryExecutionInput,
} from '@aws-sdk/client-athena';
import type { Clock } from '../clock';
import { AwsServiceError, type JsonProtocolService, type OperationsOf } from '../edge/contracts';
import type { GlueCatalog } from '../glue/catalog';
import { parseS3Uri } from '../glue/s3-location';
import { s3ObjectPath } from '../s3/store';
import { descendingOrder, type ListPaging, numberKey, type Page, paginate } from '../shared/pagination';
import { BytesScannedLimitExceeded, DuckDbEngine, type QueryResult } from './duckdb-engine';
import { bindExecutionParameters, ParameterError } from './parameters';

type QueryState = 'QUEUED' | 'RUNNING' | 'SUCCEEDED' | 'FAILED' | 'CANCELLED';

export interface WorkGroupProperties {
  readonly Name: string;
  readonly Description?: string;
  readonly State?: string;
  readonly WorkGroupConfiguration?: {
    readonly BytesScannedCutoffPerQuery?: number | string;
    readonly EnforceWorkGroupConfiguration?: boolean | string;
    readonly ResultConfiguration?: { readonly OutputLocation?: string };
    readonly EngineVersion?: { readonly SelectedEngineVersion?: string };
  };
}

export interface NamedQuery {
  readonly NamedQueryId: string;
  readonly Name: string;
  readonly Description?: string;
  readonly Database: string;
  readonly QueryString: string;
  readonly WorkGroup: string;
}

interface WorkGroup {
  readonly name: string;
  readonly description?: string;
  readonly state: string;
  readonly bytesScannedCutoff?: number;
  readonly enforceConfiguration: boolean;
  readonly outputLocation?: string;
  readonly creationTime: number;
}

interface Execution {
  readonly id: string;
  readonly query: string;
  readonly database: string;
  readonly workGroup: WorkGroup;
  readonly parameters: readonly string[];
  /** Where the result CSV goes: `<OutputLocation><id>.csv`. */
  readonly outputLocation: string;
  readonly submittedAt: number;
  state: QueryState;
  reason?: string;
  startedAt?: number;
  completedAt?: number;
  bytesScanned: number;
  engineMillis: number;
  result?: QueryResult;
  readonly cancellation: AbortController;
}

/** ListQueryExecutions and ListNamedQueries answer at most 50 a page. */
function pageOf<T>(
  items: readonly T[],
  input: { readonly NextToken?: string | undefined; readonly MaxResults?: number | undefined },
  paging: Omit<ListPaging<T>, 'invalidToken'>,
): Page<T> {
  return paginate(
    items,
    { token: input.NextToken, pageSize: Math.min(input.MaxResults ?? 50, 50) },
    { ...paging, invalidToken: () => invalidRequest('Invalid NextToken') },
  );
}

const invalidRequest = (message: string, athenaErrorCode = 'INVALID_INPUT') =>
  new AwsServiceError('InvalidRequestException', message, 400, { AthenaErrorCode: athenaErrorCode });

const ENGINE_VERSION = { SelectedEngineVersion: 'AUTO', EffectiveEngineVersion: 'Athena engine version 3' };
const FINAL_STATES: ReadonlySet<QueryState> = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);

export interface AthenaServiceOptions {
  readonly clock: Clock;
  readonly stateDir: string;
  readonly catalog: GlueCatalog;
}

export class AthenaService {
  readonly edgeService: JsonProtocolService;
  private readonly workGroups = new Map<string, WorkGroup>();
  private readonly namedQueries = new Map<string, NamedQuery>();
  private readonly executions = new Map<string, Execution>();
  private readonly queue: Execution[] = [];
  private running: Execution | undefined;
  private engine: Promise<DuckDbEngine> | undefined;
  private idle: Promise<void> = Promise.resolve();

  constructor(private readonly options: AthenaServiceOptions) {
    this.putWorkGroup({ Name: 'primary' });
    const operations: OperationsOf<Athena> = {
      StartQueryExecution: (input: StartQueryExecutionInput) => ({
        QueryExecutionId: this.startQueryExecution(input),
      }),
      GetQueryExecution: (input: GetQueryExecutionInput) => ({
        QueryExecution: this.describe(this.execution(input.QueryExecutionId)),
      }),
      BatchGetQueryExecution: (input: BatchGetQueryExecutionInput) => {
        const ids = input.QueryExecutionIds ?? [];
        return {
          QueryExecutions: ids.flatMap((id) => {
            const execution = this.executions.get(id);
            return execution ? [this.describe(execution)] : [];
          }),
          UnprocessedQueryExecutionIds: ids
            .filter((id) => !this.executions.has(id))
            .map((id) => ({ QueryExecutionId: id, ErrorCode: 'INVALID_INPUT', ErrorMessage: 'Not found' })),
        };
      },
      GetQueryResults: (input: GetQueryResultsInput) =>
        this.queryResults(this.execution(input.QueryExecutionId), input.NextToken, input.MaxResults),
      StopQueryExecution: (input: StopQueryExecutionInput) => {
        this.stop(this.execution(input.QueryExecutionId));
        return {};
      },
      ListQueryExecutions: (input: ListQueryExecutionsInput) => {
        const workGroup = this.workGroup(input.WorkGroup ?? 'primary').name;
        // Newest first; executions are never removed, so the submission sequence names each one.
        const executions = [...this.executions.values()]
          .map((execution, sequence) => ({ key: numberKey(sequence), execution }))
          .filter(({ execution }) => execution.workGroup.name === workGroup)
          .reverse();
        const { items, nextToken } = pageOf(executions, input, {
          list: `athena:ListQueryExecutions:${workGroup}`,
          keyOf: (execution) => execution.key,
          compare: descendingOrder,
        });
        return { QueryExecutionIds: items.map(({ execution }) => execution.id), NextToken: nextToken };
      },
      CreateWorkGroup: (input: CreateWorkGroupInput) => {
        if (!input.Name) throw invalidRequest('Name is required');
        if (this.workGroups.has(input.Name)) throw invalidRequest('WorkGroup is already created');
        this.putWorkGroup({
          Name: input.Name,
          ...(input.Description ? { Description: input.Description } : {}),
          ...(input.Configuration ? { WorkGroupConfiguration: input.Configuration } : {}),
        });
        return {};
      },
      GetWorkGroup: (input: GetWorkGroupInput) => ({
        WorkGroup: this.describeWorkGroup(this.workGroup(input.WorkGroup)),
      }),
      CreateNamedQuery: (input: CreateNamedQueryInput) => {
        const NamedQueryId = randomUUID();
        // Stored as given (ClientRequestToken included): the members it names are not checked locally.
        this.putNamedQuery({ ...input, NamedQueryId, WorkGroup: input.WorkGroup ?? 'primary' } as NamedQuery);
        return { NamedQueryId };
      },
      ListNamedQueries: (input: ListNamedQueriesInput) => {
        const workGroup = this.workGroup(input.WorkGroup ?? 'primary').name;
        // In creation order; named queries are never removed, so the creation sequence names each one.
        const queries = [...this.namedQueries.values()]
          .map((query, sequence) => ({ key: numberKey(sequence), query }))
          .filter(({ query }) => query.WorkGroup === workGroup);
        const { items, nextToken } = pageOf(queries, input, {
          list: `athena:ListNamedQueries:${workGroup}`,
          keyOf: (query) => query.key,
        });
        return { NamedQueryIds: items.map(({ query }) => query.NamedQueryId), NextToken: nextToken };
      },
      GetNamedQuery: (input: GetNamedQueryInput) => ({
        NamedQuery: this.namedQuery(input.NamedQueryId),
      }),
      BatchGetNamedQuery: (input: BatchGetNamedQueryInput) => {
        const ids = input.NamedQueryIds ?? [];
        return {
          NamedQueries: ids.flatMap((id) => this.namedQueries.get(id) ?? []),
          UnprocessedNamedQueryIds: ids
            .filter((id) => !this.namedQueries.has(id))
            .map((id) => ({ NamedQueryId: id, ErrorCode: 'INVALID_INPUT', ErrorMessage: 'Not found' })),
        };
      },
    };
    this.edgeService = {
      protocol: 'awsJson1_1',
      signingName: 'athena',
      targetPrefix: 'AmazonAthena',
      operations,
    };
  }

  /** Creates or replaces a workgroup from its AWS::Athena::WorkGroup properties. */
  putWorkGroup(properties: WorkGroupProperties): void {
    const configuration = properties.WorkGroupConfiguration ?? {};
    const cutoff = configuration.BytesScannedCutoffPerQuery;
    const outputLocation = configuration.ResultConfiguration?.OutputLocation;
    this.workGroups.set(properties.Name, {
      name: properties.Name,
      ...(properties.Description ? { description: properties.Description } : {}),
      state: properties.State ?? 'ENABLED',
      ...(cutoff === undefined ? {} : { bytesScannedCutoff: Number(cutoff) }),
      enforceConfiguration: String(configuration.EnforceWorkGroupConfiguration ?? true) === 'true',
      ...(outputLocation ? { outputLocation } : {}),
      creationTime: this.options.clock.now() / 1000,
    });
  }

  putNamedQuery(query: NamedQuery): void {
    this.workGroup(query.WorkGroup);
    this.namedQueries.set(query.NamedQueryId, query);
  }

  /** Resolves once no query is queued or running (tests, shutdown). */
  async drained(): Promise<void> {
    while (this.running || this.queue.length > 0) {
      // The queue may not have been picked up yet (runNext waits for setImmediate): start it here.
      this.runNext();
      await this.idle;
    }
  }

  async close(): Promise<void> {
    for (const execution of this.queue.splice(0)) this.finish(execution, 'CANCELLED');
    if (this.running) this.stop(this.running);
    await this.drained();
    if (this.engine) (await this.engine).close();
  }

  private startQueryExecution(input: StartQueryExecutionInput): string {
    if (!input.QueryString) throw invalidRequest('QueryString is required');
    const workGroup = this.workGroup(input.WorkGroup ?? 'primary');
    if (workGroup.state !== 'ENABLED') throw invalidRequest(`WorkGroup ${workGroup.name} is disabled.`);
    const location = workGroup.enforceConfiguration
      ? (workGroup.outputLocation ?? input.ResultConfiguration?.OutputLocation)
      : (input.ResultConfiguration?.OutputLocation ?? workGroup.outputLocation);
    if (!location) {
      throw invalidRequest(
        'No output location provided. An output location is required either through the Workgroup result configuration setting or as an API input.',
      );
    }
    if (!location.startsWith('s3://')) throw invalidRequest(`${location} is not a valid S3 location`);
    const id = randomUUID();
    const execution: Execution = {
      id,
      query: input.QueryString,
      database: input.QueryExecutionContext?.Database ?? 'default',
      workGroup,
      parameters: input.ExecutionParameters ?? [],
      outputLocation: `${location.endsWith('/') ? location : `${location}/`}${id}.csv`,
      submittedAt: this.options.clock.now(),
      state: 'QUEUED',
      bytesScanned: 0,
      engineMillis: 0,
      cancellation: new AbortController(),
    };
    this.executions.set(id, execution);
    this.queue.push(execution);
    setImmediate(() => this.runNext());
    return id;
  }

  private runNext(): void {
    if (this.running) return;
    const execution = this.queue.shift();
    if (!execution) return;
    this.running = execution;
    this.idle = this.execute(execution).finally(() => {
      this.running = undefined;
      this.runNext();
    });
  }

  private async execute(execution: Execution): Promise<void> {
    execution.state = 'RUNNING';
    execution.startedAt = this.options.clock.now();
    const started = performance.now();
    try {
      const sql = bindExecutionParameters(execution.query, execution.parameters);
      if (!this.options.catalog.hasDatabase(execution.database))
        throw new Error(`SCHEMA_NOT_FOUND: line 1:1: Schema '${execution.database}' does not exist`);
      this.engine ??= DuckDbEngine.create(this.options.catalog, this.options.stateDir);
      const engine = await this.engine;
      const result = await engine.run(
        sql,
        execution.database,
        execution.workGroup.bytesScannedCutoff,
        execution.cancellation.signal,
      );
      if (execution.state !== 'RUNNING') return;
      execution.bytesScanned = result.bytesScanned;
      this.writeResultCsv(execution, result);
      execution.result = result;
      execution.engineMillis = Math.round(performance.now() - started);
      this.finish(execution, 'SUCCEEDED');
    } catch (error) {
      execution.engineMillis = Math.round(performance.now() - started);
      if (execution.state !== 'RUNNING') return;
      const message = error instanceof Error ? error.message : String(error);
      this.finish(
        execution,
        'FAILED',
        error instanceof ParameterError ? `INVALID_INPUT: ${message}` : message,
      );
      if (error instanceof BytesScannedLimitExceeded) execution.bytesScanned = error.bytesScanned;
    }
  }

  private stop(execution: Execution): void {
    if (FINAL_STATES.has(execution.state)) return;
    const queued = this.queue.indexOf(execution);
    if (queued !== -1) this.queue.splice(queued, 1);
    this.finish(execution, 'CANCELLED');
    execution.cancellation.abort();
  }

  private finish(execution: Execution, state: QueryState, reason?: string): void {
    execution.state = state;
    if (reason !== undefined) execution.reason = reason;
    execution.completedAt = this.options.clock.now();
  }

  /** Athena's result object: a header line, then one line per row, every value quoted, NULL as empty. */
  private writeResultCsv(execution: Execution, result: QueryResult): void {
    const quote = (value: string | null) => (value === null ? '' : `"${value.replaceAll('"', '""')}"`);
    const lines = [
      result.columns.map((column) => quote(column.name)),
      ...result.rows.map((row) => row.map(quote)),
    ];
    const { bucket, prefix } = parseS3Uri(execution.outputLocation);
    const path = s3ObjectPath(this.options.stateDir, bucket, prefix);
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, lines.map((line) => `${line.join(',')}\n`).join(''));
  }

  private queryResults(execution: Execution, nextToken: string | undefined, maxResults = 1000) {
    if (maxResults < 1 || maxResults > 1000) throw invalidRequest('MaxResults must be between 1 and 1000');
    const { result } = execution;
    if (execution.state !== 'SUCCEEDED' || !result) {
      throw invalidRequest(
        FINAL_STATES.has(execution.state)
          ? `Query did not finish successfully. Final query state: ${execution.state}${execution.reason ? `\n${execution.reason}` : ''}`
          : `Query has not yet finished. Current state: ${execution.state}`,
      );
    }
    const header = result.columns.map((column) => column.name);
    const rows = [header, ...result.rows].map((row, index) => ({
      index,
      Data: row.map((value) => (value === null ? {} : { VarCharValue: value })),
    }));
    // A finished result never changes, so a row's index names it.
    const page = paginate(
      rows,
      { token: nextToken, pageSize: maxResults },
      {
        list: `athena:GetQueryResults:${execution.id}`,
        keyOf: (row) => numberKey(row.index),
        invalidToken: () => invalidRequest('Invalid NextToken'),
      },
    );
    return {
      UpdateCount: 0,
      ResultSet: {
        Rows: page.items.map(({ Data }) => ({ Data })),
        ResultSetMetadata: {
          ColumnInfo: result.columns.map((column) => ({
            CatalogName: 'hive',
            SchemaName: '',
            TableName: '',
            Name: column.name,
            Label: column.name,
            Type: column.type,
            Precision: 0,
            Scale: 0,
            Nullable: 'UNKNOWN',
            CaseSensitive: column.type === 'varchar',
          })),
        },
      },
      ...(page.nextToken ? { NextToken: page.nextToken } : {}),
    };
  }

  private describe(execution: Execution) {
    const seconds = (millis: number | undefined) => (millis === undefined ? undefined : millis / 1000);
    const queueMillis = (execution.startedAt ?? this.options.clock.now()) - execution.submittedAt;
    return {
      QueryExecutionId: execution.id,
      Query: execution.query,
      StatementType: 'DML',
      ResultConfiguration: { OutputLocation: execution.outputLocation },
      QueryExecutionContext: { Database: execution.database, Catalog: 'awsdatacatalog' },
      Status: {
        State: execution.state,
        ...(execution.reason ? { StateChangeReason: execution.reason } : {}),
        SubmissionDateTime: seconds(execution.submittedAt),
        ...(execution.completedAt === undefined
          ? {}
          : { CompletionDateTime: seconds(execution.completedAt) }),
        ...(execution.state === 'FAILED'
          ? {
              AthenaError: {
                ErrorCategory: 2,
                ErrorType: execution.reason?.startsWith('Query cancelled!') ? 1101 : 1100,
                Retryable: false,
                ErrorMessage: execution.reason,
              },
            }
          : {}),
      },
      Statistics: {
        EngineExecutionTimeInMillis: execution.engineMillis,
        DataScannedInBytes: execution.bytesScanned,
        TotalExecutionTimeInMillis: queueMillis + execution.engineMillis,
        QueryQueueTimeInMillis: queueMillis,
        ServiceProcessingTimeInMillis: 0,
      },
      WorkGroup: execution.workGroup.name,
      EngineVersion: ENGINE_VERSION,
      ...(execution.parameters.length > 0 ? { ExecutionParameters: execution.parameters } : {}),
    };
  }

  private describeWorkGroup(workGroup: WorkGroup) {
    return {
      Name: workGroup.name,
      State: workGroup.state,
      ...(workGroup.description ? { Description: workGroup.description } : {}),
      CreationTime: workGroup.creationTime,
      Configuration: {
        ...(workGroup.outputLocation
          ? { ResultConfiguration: { OutputLocation: workGroup.outputLocation } }
          : {}),
        EnforceWorkGroupConfiguration: workGroup.enforceConfiguration,
        ...(workGroup.bytesScannedCutoff === undefined
          ? {}
          : { BytesScannedCutoffPerQuery: workGroup.bytesScannedCutoff }),
        EngineVersion: ENGINE_VERSION,
      },
    };
  }

  private execution(id: string | undefined): Execution {
    const execution = id ? this.executions.get(id) : undefined;
    if (!execution) throw invalidRequest(`QueryExecution ${id ?? ''} was not found`);
    return execution;
  }

  private workGroup(name: string | undefined): WorkGroup {
    const workGroup = name ? this.workGroups.get(name) : undefined;
    if (!workGroup) throw invalidRequest(`WorkGroup ${name ?? ''} is not found.`);
    return workGroup;
  }

  private namedQuery(id: string | undefined): NamedQuery {
    const query = id ? this.namedQueries.get(id) : undefined;
    if (!query) throw invalidRequest(`NamedQuery ${id ?? ''} was not found`);
    return query;
  }
}
