/**
 * Local Glue Data Catalog: databases and tables, from the template (AWS::Glue::Database, AWS::Glue::Table)
 * or the API that @aws-sdk/client-glue speaks (awsJson1.1, `AWSGlue`). Kept in `<stateDir>/glue/catalog.json`.
 * Local Athena reads each table's columns, partition keys and location from here.
 */
import { join } from 'node:path';
import type {
  CreateDatabaseRequest,
  CreateTableRequest,
  DeleteTableRequest,
  GetDatabaseRequest,
  GetDatabasesRequest,
  GetTableRequest,
  GetTablesRequest,
  Glue,
  DatabaseInput as SdkDatabaseInput,
  TableInput as SdkTableInput,
} from '@aws-sdk/client-glue';
import type { Clock } from '../clock';
import { AwsServiceError, type JsonProtocolService, type OperationsOf } from '../edge/contracts';
import { codeUnitOrder, paginate } from '../shared/pagination';
import { readJsonOr, writeJsonAtomic } from '../shared/persistence';

export interface GlueColumn {
  readonly Name: string;
  readonly Type?: string;
  readonly Comment?: string;
}

export interface TableInput {
  readonly Name: string;
  readonly Description?: string;
  readonly TableType?: string;
  readonly Parameters?: Readonly<Record<string, string>>;
  readonly PartitionKeys?: readonly GlueColumn[];
  readonly StorageDescriptor?: {
    readonly Columns?: readonly GlueColumn[];
    readonly Location?: string;
    readonly [other: string]: unknown;
  };
  readonly [other: string]: unknown;
}

export interface DatabaseInput {
  readonly Name: string;
  readonly Description?: string;
  readonly LocationUri?: string;
  readonly Parameters?: Readonly<Record<string, string>>;
}

export interface CatalogTable extends TableInput {
  readonly DatabaseName: string;
  readonly CreateTime: number;
  readonly UpdateTime: number;
}

interface CatalogDatabase extends DatabaseInput {
  readonly CreateTime: number;
}

interface CatalogState {
  databases: Record<string, CatalogDatabase>;
  tables: Record<string, Record<string, CatalogTable>>;
}

const entityNotFound = (message: string) => new AwsServiceError('EntityNotFoundException', message);
const invalidInput = (message: string) => new AwsServiceError('InvalidInputException', message);

/** Glue keeps database and table names in lower case. */
const catalogName = (name: unknown, what: string): string => {
  if (typeof name !== 'string' || name === '') throw invalidInput(`${what} is required`);
  return name.toLowerCase();
};

export interface GlueCatalogOptions {
  readonly clock: Clock;
  readonly stateDir: string;
  readonly accountId: string;
}

export class GlueCatalog {
  readonly edgeService: JsonProtocolService;
  private readonly file: string;
  private readonly state: CatalogState;

  constructor(private readonly options: GlueCatalogOptions) {
    this.file = join(options.stateDir, 'glue', 'catalog.json');
    this.state = readJsonOr<CatalogState>(this.file, { databases: {}, tables: {} });
    const operations: OperationsOf<Glue> = {
      CreateDatabase: (input: CreateDatabaseRequest) => {
        this.createDatabase(input.DatabaseInput);
        return {};
      },
      GetDatabase: (input: GetDatabaseRequest) => ({
        Database: this.catalogDatabase(this.database(catalogName(input.Name, 'Name'))),
      }),
      GetDatabases: (input: GetDatabasesRequest) => {
        const { items, nextToken } = byName(Object.values(this.state.databases), 'glue:GetDatabases', input);
        return {
          DatabaseList: items.map((database) => this.catalogDatabase(database)),
          NextToken: nextToken,
        };
      },
      CreateTable: (input: CreateTableRequest) => {
        this.createTable(catalogName(input.DatabaseName, 'DatabaseName'), input.TableInput);
        return {};
      },
      GetTable: (input: GetTableRequest) => ({
        Table: this.catalogTable(this.table(catalogName(input.DatabaseName, 'DatabaseName'), input.Name)),
      }),
      GetTables: (input: GetTablesRequest) => {
        const databaseName = catalogName(input.DatabaseName, 'DatabaseName');
        const { items, nextToken } = byName(
          this.tables(databaseName),
          `glue:GetTables:${databaseName}`,
          input,
        );
        return { TableList: items.map((table) => this.catalogTable(table)), NextToken: nextToken };
      },
      DeleteTable: (input: DeleteTableRequest) => {
        const databaseName = catalogName(input.DatabaseName, 'DatabaseName');
        const table = this.table(databaseName, input.Name);
        delete this.state.tables[databaseName]?.[table.Name];
        this.save();
        return {};
      },
    };
    this.edgeService = { protocol: 'awsJson1_1', signingName: 'glue', targetPrefix: 'AWSGlue', operations };
  }

  /** CreateDatabase: an existing database of the same name is refused (AlreadyExistsException). */
  createDatabase(input: SdkDatabaseInput | undefined): void {
    const name = catalogName(input?.Name, 'DatabaseInput.Name');
    if (this.state.databases[name])
      throw new AwsServiceError('AlreadyExistsException', 'Database already exists.');
    this.putDatabase({ ...input, Name: name });
  }

  /** Creates or replaces a database, as a stack deploy or update does; its tables stay. */
  putDatabase(input: DatabaseInput): void {
    const name = catalogName(input.Name, 'DatabaseInput.Name');
    const createTime = this.state.databases[name]?.CreateTime ?? this.nowSeconds();
    this.state.databases[name] = { ...input, Name: name, CreateTime: createTime };
    this.state.tables[name] ??= {};
    this.save();
  }

  /** CreateTable: an existing table of the same name is refused (AlreadyExistsException). */
  createTable(databaseName: string, input: SdkTableInput | undefined): void {
    const name = catalogName(input?.Name, 'TableInput.Name');
    if (this.state.tables[this.database(databaseName).Name]?.[name])
      throw new AwsServiceError('AlreadyExistsException', 'Table already exists.');
    // Kept as given, as Glue does: only the name is checked; Athena reads the columns it understands.
    this.putTable(databaseName, { ...input, Name: name } as TableInput);
  }

  /** Creates or replaces a table, as a stack deploy or update does. */
  putTable(databaseName: string, input: TableInput): void {
    const database = this.database(catalogName(databaseName, 'DatabaseName'));
    const name = catalogName(input.Name, 'TableInput.Name');
    const tables = this.state.tables[database.Name] ?? {};
    const now = this.nowSeconds();
    tables[name] = {
      ...input,
      Name: name,
      DatabaseName: database.Name,
      CreateTime: tables[name]?.CreateTime ?? now,
      UpdateTime: now,
    };
    this.state.tables[database.Name] = tables;
    this.save();
  }

  hasDatabase(name: string): boolean {
    return this.state.databases[name.toLowerCase()] !== undefined;
  }

  tables(databaseName: string): CatalogTable[] {
    return Object.values(this.state.tables[this.database(databaseName).Name] ?? {});
  }

  databaseNames(): string[] {
    return Object.keys(this.state.databases);
  }

  private database(name: string): CatalogDatabase {
    const database = this.state.databases[name.toLowerCase()];
    if (!database) throw entityNotFound(`Database ${name} not found.`);
    return database;
  }

  private table(databaseName: string, name: unknown): CatalogTable {
    const tableName = catalogName(name, 'Name');
    const table = this.state.tables[this.database(databaseName).Name]?.[tableName];
    if (!table) throw entityNotFound(`Table ${tableName} not found.`);
    return table;
  }

  private catalogDatabase(database: CatalogDatabase) {
    return { ...database, CatalogId: this.options.accountId };
  }

  private catalogTable(table: CatalogTable) {
    return { ...table, CatalogId: this.options.accountId, IsRegisteredWithLakeFormation: false };
  }

  private nowSeconds(): number {
    return this.options.clock.now() / 1000;
  }

  private save(): void {
    writeJsonAtomic(this.file, this.state);
  }
}

/** GetDatabases and GetTables list by name. */
function byName<T extends { Name: string }>(
  items: readonly T[],
  list: string,
  input: { readonly NextToken?: string | undefined; readonly MaxResults?: number | undefined },
) {
  return paginate(
    items.toSorted((left, right) => codeUnitOrder(left.Name, right.Name)),
    { token: input.NextToken, pageSize: input.MaxResults ?? 100 },
    { list, keyOf: (item) => item.Name, invalidToken: () => invalidInput('Invalid NextToken') },
  );
}
