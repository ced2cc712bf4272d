/**
 * Runs Athena queries on DuckDB over the files of the Glue tables' S3 locations. Each table is a view
 * `<database>.<table>` over read_json of the table's files (newline-delimited, gzip detected, hive
 * partitions from `key=value` folders), recreated before every query so that files written since are read.
 * Bytes scanned are counted from DuckDB's profile of the query: the files each scan read.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { dirname, join, sep } from 'node:path';
import { type DuckDBConnection, DuckDBInstance } from '@duckdb/node-api';
import type { CatalogTable, GlueCatalog, GlueColumn } from '../glue/catalog';
import { locationDirectory } from '../glue/s3-location';
import { hiveTypeToDuckDb, quoteIdentifier } from './hive-types';
import { trinoMacroStatements } from './trino-functions';

export interface ResultColumn {
  readonly name: string;
  /** Athena's name for the type: varchar, bigint, double, boolean, date, timestamp, array, row... */
  readonly type: string;
}

export interface QueryResult {
  readonly columns: readonly ResultColumn[];
  /** Each value as Athena renders it in VarCharValue; null for SQL NULL. */
  readonly rows: readonly (readonly (string | null)[])[];
  /** The bytes of the objects the query read. */
  readonly bytesScanned: number;
}

export class BytesScannedLimitExceeded extends Error {
  constructor(readonly bytesScanned: number) {
    super('Query cancelled! : Bytes scanned limit was exceeded');
  }
}

interface TableFile {
  readonly path: string;
  readonly size: number;
  /** Partition key → value, from the `key=value` folders between the table location and the file. */
  readonly partition: Readonly<Record<string, string>>;
}

interface TableListing {
  readonly table: CatalogTable;
  readonly files: readonly TableFile[];
}

interface ScanNode {
  readonly fileFilter?: string;
  /** Absent when the scan read no file. */
  readonly firstFile?: string;
}

export class DuckDbEngine {
  private constructor(
    private readonly instance: DuckDBInstance,
    private readonly connection: DuckDBConnection,
    private readonly catalog: GlueCatalog,
    private readonly stateDir: string,
    private readonly profileFile: string,
  ) {}

  static async create(catalog: GlueCatalog, stateDir: string, threads = 2): Promise<DuckDbEngine> {
    const instance = await DuckDBInstance.create(':memory:', { threads: String(threads) });
    const connection = await instance.connect();
    for (const statement of trinoMacroStatements('main')) await connection.run(statement);
    const profileFile = join(stateDir, 'athena', 'last-query-profile.json');
    mkdirSync(dirname(profileFile), { recursive: true });
    // The output file can only be named once JSON profiling is on; it is then on only around each query.
    await connection.run("PRAGMA enable_profiling = 'json'");
    await connection.run(`SET profiling_output = ${sqlString(profileFile)}`);
    await connection.run("SET profiling_mode = 'detailed'");
    await connection.run('PRAGMA disable_profiling');
    return new DuckDbEngine(instance, connection, catalog, stateDir, profileFile);
  }

  /**
   * Runs one query in `database`. Fails it with BytesScannedLimitExceeded when it read more than
   * `bytesLimit`, as Athena cancels it on reaching the limit. Aborting `signal` stops it.
   */
  async run(
    sql: string,
    database: string,
    bytesLimit: number | undefined,
    signal: AbortSignal,
  ): Promise<QueryResult> {
    const listings = await this.refreshViews();
    const schema = quoteIdentifier(database.toLowerCase()).replaceAll("'", "''");
    await this.connection.run(`SET search_path = '${schema},main'`);
    signal.throwIfAborted();
    rmSync(this.profileFile, { force: true });
    await this.connection.run("PRAGMA enable_profiling = 'json'");
    const reader = await this.interruptibly(signal, () => this.connection.runAndReadAll(sql)).finally(() =>
      this.connection.run('PRAGMA disable_profiling'),
    );
    const bytesScanned = await this.bytesScanned(listings);
    if (bytesLimit !== undefined && bytesScanned > bytesLimit)
      throw new BytesScannedLimitExceeded(bytesScanned);
    const columns = reader.columnNames().map((name, index) => ({
      name,
      type: athenaTypeName(String(reader.columnTypes()[index] ?? 'VARCHAR')),
    }));
    return { columns, rows: reader.getRowsJson().map((row) => row.map(renderValue)), bytesScanned };
  }

  /**
   * DuckDB's interrupt stops only a statement already executing, and an abort can land just before one
   * starts: so it is repeated until the statement ends, which it then does with an "Interrupted" error.
   */
  private async interruptibly<T>(signal: AbortSignal, statement: () => Promise<T>): Promise<T> {
    let repeat: NodeJS.Timeout | undefined;
    const interrupt = () => {
      this.connection.interrupt();
      repeat = setInterval(() => this.connection.interrupt(), 20);
    };
    signal.addEventListener('abort', interrupt, { once: true });
    try {
      // An abort during the awaits before this call has fired already: the listener would never hear it.
      signal.throwIfAborted();
      return await statement();
    } finally {
      signal.removeEventListener('abort', interrupt);
      clearInterval(repeat);
    }
  }

  close(): void {
    this.connection.closeSync();
    this.instance.closeSync();
  }

  /** Recreates the view of every table of every database; answers the files of each table. */
  private async refreshViews(): Promise<TableListing[]> {
    const listings: TableListing[] = [];
    for (const database of this.catalog.databaseNames()) {
      await this.connection.run(`CREATE SCHEMA IF NOT EXISTS ${quoteIdentifier(database)}`);
      for (const table of this.catalog.tables(database)) {
        const files = this.tableFiles(table);
        await this.connection.run(
          `CREATE OR REPLACE VIEW ${quoteIdentifier(database)}.${quoteIdentifier(table.Name)} AS ${tableSelect(table, files)}`,
        );
        listings.push({ table, files });
      }
    }
    return listings;
  }

  private tableFiles(table: CatalogTable): TableFile[] {
    const location = table.StorageDescriptor?.Location;
    if (!location) return [];
    const directory = locationDirectory(this.stateDir, location);
    let names: string[];
    try {
      names = readdirSync(directory, { recursive: true, encoding: 'utf8' });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    const files: TableFile[] = [];
    for (const name of names.sort()) {
      const segments = name.split(sep);
      // As Athena: objects whose name starts with _ or . (markers, temporary files) are not data.
      if (segments.some((segment) => segment.startsWith('_') || segment.startsWith('.'))) continue;
      const path = join(directory, name);
      const stats = statSync(path);
      if (!stats.isFile()) continue;
      const partition: Record<string, string> = {};
      for (const segment of segments.slice(0, -1)) {
        const equals = segment.indexOf('=');
        if (equals > 0) partition[segment.slice(0, equals)] = decodeURIComponent(segment.slice(equals + 1));
      }
      files.push({ path, size: stats.size, partition });
    }
    return files;
  }

  /**
   * The bytes of the files the last query's scans read. DuckDB's profile shows, for each scan, the first
   * files it read (enough to tell its table) and its file filter (the query's partition predicates,
   * parameters bound); evaluating the filter over the table's listing gives every file it read, whose sizes
   * add up to what Athena reports for compressed JSON. A table read twice counts twice, as in Athena.
   */
  private async bytesScanned(listings: readonly TableListing[]): Promise<number> {
    let profile: unknown;
    try {
      profile = JSON.parse(readFileSync(this.profileFile, 'utf8'));
    } catch (error) {
      // A statement that is not a query (SET, PRAGMA...) leaves no profile and reads no table.
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return 0;
      throw error;
    }
    let total = 0;
    for (const scan of scanNodes(profile)) {
      const listing = listings.find((candidate) =>
        candidate.files.some((file) => file.path === scan.firstFile),
      );
      if (!listing) continue;
      for (const index of await this.filesMatching(listing, scan.fileFilter))
        total += listing.files[index]?.size ?? 0;
    }
    return total;
  }

  /** The indexes of the table's files that a scan with `filter` reads. */
  private async filesMatching({ table, files }: TableListing, filter?: string): Promise<number[]> {
    const everyFile = files.map((_, index) => index);
    if (!filter) return everyFile;
    const keys = table.PartitionKeys ?? [];
    const rows = files.map((file, index) => {
      const values = keys.map(
        (key) => `CAST(${sqlString(file.partition[key.Name] ?? null)} AS ${columnType(key)})`,
      );
      return `(${[String(index), sqlString(file.path), ...values].join(', ')})`;
    });
    const names = ['file_index', 'filename', ...keys.map((key) => key.Name)].map(quoteIdentifier).join(', ');
    try {
      const reader = await this.connection.runAndReadAll(
        `SELECT file_index FROM (VALUES ${rows.join(', ')}) AS files(${names}) WHERE ${filter}`,
      );
      return reader.getRowsJson().map((row) => Number(row[0]));
    } catch {
      // A filter DuckDB can push down but not evaluate over the listing: count the scan as Athena counts
      // one it cannot prune, every file.
      return everyFile;
    }
  }
}

/** The view body: read_json of the table's files, or an empty relation of the same columns when none exist. */
function tableSelect(table: CatalogTable, files: readonly TableFile[]): string {
  const columns = table.StorageDescriptor?.Columns ?? [];
  const keys = table.PartitionKeys ?? [];
  if (files.length === 0) {
    const nulls = [...columns, ...keys].map(
      (column) => `CAST(NULL AS ${columnType(column)}) AS ${quoteIdentifier(column.Name)}`,
    );
    return `SELECT ${nulls.join(', ')} WHERE false`;
  }
  const struct = (list: readonly GlueColumn[]) =>
    `{${list.map((column) => `${sqlString(column.Name)}: ${sqlString(columnType(column))}`).join(', ')}}`;
  const options = [
    `[${files.map((file) => sqlString(file.path)).join(', ')}]`,
    "format = 'newline_delimited'",
    "compression = 'auto_detect'",
    `columns = ${struct(columns)}`,
    ...(keys.length > 0
      ? ['hive_partitioning = true', `hive_types = ${struct(keys)}`]
      : ['hive_partitioning = false']),
  ];
  return `SELECT * FROM read_json(${options.join(', ')})`;
}

const columnType = (column: GlueColumn): string => hiveTypeToDuckDb(column.Type ?? 'string');

const sqlString = (text: string | null): string =>
  text === null ? 'NULL' : `'${text.replaceAll("'", "''")}'`;

/** The READ_JSON scans of a DuckDB JSON profile, from the root down. */
function scanNodes(node: unknown): ScanNode[] {
  if (typeof node !== 'object' || node === null) return [];
  if (Array.isArray(node)) return node.flatMap(scanNodes);
  const {
    operator_name: name,
    children,
    extra_info: extra,
  } = node as {
    operator_name?: string;
    children?: unknown;
    extra_info?: Record<string, unknown>;
  };
  const below = scanNodes(children ?? []);
  if (name !== 'READ_JSON') return below;
  const fileFilter = extra?.['File Filters'];
  const files = extra?.['Filename(s)'];
  const firstFile = typeof files === 'string' ? files.split(', ')[0] : undefined;
  return [
    { ...(typeof fileFilter === 'string' ? { fileFilter } : {}), ...(firstFile ? { firstFile } : {}) },
    ...below,
  ];
}

const ATHENA_TYPES: ReadonlyArray<readonly [RegExp, string]> = [
  [/^VARCHAR/, 'varchar'],
  [/^(BIGINT|HUGEINT|UBIGINT|UINTEGER)$/, 'bigint'],
  [/^(INTEGER|USMALLINT)$/, 'integer'],
  [/^(SMALLINT|UTINYINT)$/, 'smallint'],
  [/^TINYINT$/, 'tinyint'],
  [/^DOUBLE$/, 'double'],
  [/^FLOAT$/, 'real'],
  [/^DECIMAL/, 'decimal'],
  [/^BOOLEAN$/, 'boolean'],
  [/^DATE$/, 'date'],
  [/^TIMESTAMP WITH TIME ZONE$/, 'timestamp with time zone'],
  [/^TIMESTAMP/, 'timestamp'],
  [/^INTERVAL$/, 'interval day to second'],
  [/^STRUCT/, 'row'],
  [/^MAP/, 'map'],
  [/\[\d*\]$/, 'array'],
  [/^BLOB$/, 'varbinary'],
];

export function athenaTypeName(duckDbType: string): string {
  return ATHENA_TYPES.find(([pattern]) => pattern.test(duckDbType))?.[1] ?? duckDbType.toLowerCase();
}

/** Values come back as DuckDB's JSON forms (BIGINT as a string, nested values as objects and arrays). */
function renderValue(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean') return String(value);
  return JSON.stringify(value);
}
