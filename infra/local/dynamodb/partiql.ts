/**
 * DynamoDB's PartiQL API (ExecuteStatement, BatchExecuteStatement) for the subset applications write,
 * translated onto the item operations so that every rule of those (conditions, key checks, TTL, transactions'
 * locks) applies unchanged:
 *
 * - `SELECT * | a, b FROM "table"[."index"] [WHERE ...]`: a Query when the WHERE has an equality on the
 *   partition key (a condition on the sort key joins the key condition), else a Scan; other conditions
 *   filter. Conditions are `path <op> value` (=, <>, <, <=, >, >=) and `begins_with(path, value)` joined by
 *   AND.
 * - `INSERT INTO "table" VALUE {'pk': ?, ...}`: a PutItem that fails with DuplicateItemException when the key
 *   exists.
 * - `UPDATE "table" SET a = ? [, | SET] b = 1 [REMOVE c] WHERE <full key>`: an UpdateItem of an existing item.
 * - `DELETE FROM "table" WHERE <full key>`: a DeleteItem.
 *
 * Values are `?` parameters, 'strings', numbers, TRUE/FALSE, NULL, {'maps': ...} and [lists]. OR, NOT, IN,
 * BETWEEN, nested paths and functions other than begins_with are refused with a ValidationException.
 */
import type {
  AttributeValue,
  BatchExecuteStatementInput,
  ExecuteStatementInput,
  KeySchemaElement,
  TableDescription,
} from '@aws-sdk/client-dynamodb';
import { AwsServiceError, validationError } from '../edge/contracts';

type Call = (operation: string, input: Record<string, unknown>) => Promise<unknown>;

type Token =
  | { readonly kind: 'name'; readonly text: string; readonly quoted: boolean }
  | { readonly kind: 'string'; readonly text: string }
  | { readonly kind: 'number'; readonly text: string }
  | { readonly kind: 'symbol'; readonly text: string };

type Value =
  | { readonly kind: 'parameter'; readonly index: number }
  | { readonly kind: 'literal'; readonly value: AttributeValue }
  | { readonly kind: 'map'; readonly entries: ReadonlyArray<readonly [string, Value]> }
  | { readonly kind: 'list'; readonly items: readonly Value[] };

const COMPARISONS = ['=', '<>', '<', '<=', '>', '>='] as const;
type Comparison = (typeof COMPARISONS)[number];

interface Condition {
  readonly path: string;
  readonly op: Comparison | 'begins_with';
  readonly value: Value;
}

interface TableRef {
  readonly table: string;
  readonly index?: string;
}

type Statement =
  | {
      readonly kind: 'select';
      readonly from: TableRef;
      readonly projection?: string[];
      readonly where: Condition[];
    }
  | { readonly kind: 'insert'; readonly from: TableRef; readonly item: Value }
  | {
      readonly kind: 'update';
      readonly from: TableRef;
      readonly set: ReadonlyArray<{ path: string; value: Value }>;
      readonly remove: string[];
      readonly where: Condition[];
    }
  | { readonly kind: 'delete'; readonly from: TableRef; readonly where: Condition[] };

const malformed = (detail: string) =>
  validationError(`Statement wasn't well formed, can't be processed: ${detail}`);

/** A token read from the start of the rest of a statement (none for whitespace), or undefined. */
type Lexer = (rest: string) => { readonly token?: Token; readonly length: number } | undefined;

const matching =
  (pattern: RegExp, token: (text: string) => Token | undefined): Lexer =>
  (rest) => {
    const text = pattern.exec(rest)?.[0];
    if (text === undefined) return undefined;
    const read = token(text);
    return { ...(read ? { token: read } : {}), length: text.length };
  };

/** `"name"` or `'string'`, a doubled quote standing for itself. */
function quoted(rest: string): ReturnType<Lexer> {
  const quote = rest[0];
  if (quote !== '"' && quote !== "'") return undefined;
  let text = '';
  let end = 1;
  for (;;) {
    if (end >= rest.length) throw malformed('unterminated quoted text');
    if (rest[end] === quote) {
      if (rest[end + 1] !== quote) break;
      end++;
    }
    text += rest[end];
    end++;
  }
  const token: Token = quote === '"' ? { kind: 'name', text, quoted: true } : { kind: 'string', text };
  return { token, length: end + 1 };
}

/** Tried in order at each position. */
const LEXERS: readonly Lexer[] = [
  matching(/^\s+/, () => undefined),
  quoted,
  matching(/^-?\d+(\.\d+)?([eE][-+]?\d+)?/, (text) => ({ kind: 'number', text })),
  matching(/^[A-Za-z_][\w]*/, (text) => ({ kind: 'name', text, quoted: false })),
  matching(/^(<=|>=|<>|!=|[=<>,.{}:?*[\]()])/, (text) => ({
    kind: 'symbol',
    text: text === '!=' ? '<>' : text,
  })),
];

function tokenize(statement: string): Token[] {
  const tokens: Token[] = [];
  let at = 0;
  while (at < statement.length) {
    const rest = statement.slice(at);
    const lexed = lex(rest);
    if (!lexed) throw malformed(`unexpected character ${JSON.stringify(rest[0])}`);
    if (lexed.token) tokens.push(lexed.token);
    at += lexed.length;
  }
  return tokens;
}

function lex(rest: string): ReturnType<Lexer> {
  for (const lexer of LEXERS) {
    const lexed = lexer(rest);
    if (lexed) return lexed;
  }
  return undefined;
}

class Parser {
  private at = 0;
  private parameters = 0;

  constructor(private readonly tokens: readonly Token[]) {}

  statement(): Statement {
    const verb = this.keyword();
    let statement: Statement;
    switch (verb) {
      case 'SELECT':
        statement = this.select();
        break;
      case 'INSERT': {
        this.expectKeyword('INTO');
        const from = this.tableRef();
        this.expectKeyword('VALUE');
        statement = { kind: 'insert', from, item: this.value() };
        break;
      }
      case 'UPDATE':
        statement = this.update();
        break;
      case 'DELETE':
        this.expectKeyword('FROM');
        statement = { kind: 'delete', from: this.tableRef(), where: this.where(true) };
        break;
      default:
        throw malformed(`a statement starts with SELECT, INSERT, UPDATE or DELETE, not ${verb}`);
    }
    if (this.peek()) throw malformed(`unexpected ${this.peek()?.text} at the end`);
    return statement;
  }

  get parameterCount(): number {
    return this.parameters;
  }

  private select(): Statement {
    let projection: string[] | undefined;
    if (this.takeSymbol('*')) projection = undefined;
    else {
      projection = [this.name()];
      while (this.takeSymbol(',')) projection.push(this.name());
    }
    this.expectKeyword('FROM');
    return {
      kind: 'select',
      from: this.tableRef(),
      ...(projection ? { projection } : {}),
      where: this.where(false),
    };
  }

  private update(): Statement {
    const from = this.tableRef();
    const set: Array<{ path: string; value: Value }> = [];
    const remove: string[] = [];
    for (;;) {
      if (this.takeKeyword('SET')) {
        do {
          const path = this.name();
          this.expectSymbol('=');
          set.push({ path, value: this.value() });
        } while (this.takeSymbol(','));
      } else if (this.takeKeyword('REMOVE')) {
        do remove.push(this.name());
        while (this.takeSymbol(','));
      } else break;
    }
    if (set.length === 0 && remove.length === 0) throw malformed('UPDATE needs a SET or REMOVE clause');
    return { kind: 'update', from, set, remove, where: this.where(true) };
  }

  private where(required: boolean): Condition[] {
    if (!this.takeKeyword('WHERE')) {
      if (required) throw malformed('this statement needs a WHERE clause naming the whole key');
      return [];
    }
    const conditions = [this.condition()];
    while (this.takeKeyword('AND')) conditions.push(this.condition());
    const next = this.peek();
    if (next?.kind === 'name' && !next.quoted && ['OR', 'NOT'].includes(next.text.toUpperCase())) {
      throw validationError(
        `Unsupported operator locally: ${next.text.toUpperCase()} (only AND is emulated)`,
      );
    }
    return conditions;
  }

  private condition(): Condition {
    const path = this.name();
    if (path.toLowerCase() === 'begins_with' && this.takeSymbol('(')) {
      const attribute = this.name();
      this.expectSymbol(',');
      const value = this.value();
      this.expectSymbol(')');
      return { path: attribute, op: 'begins_with', value };
    }
    const op = this.next();
    if (op?.kind !== 'symbol' || !(COMPARISONS as readonly string[]).includes(op.text)) {
      throw validationError(
        `Unsupported condition locally after ${path}: ${op?.text ?? 'end of statement'} (=, <>, <, <=, >, >= and begins_with are emulated)`,
      );
    }
    return { path, op: op.text as Comparison, value: this.value() };
  }

  private tableRef(): TableRef {
    const table = this.name();
    if (!this.takeSymbol('.')) return { table };
    return { table, index: this.name() };
  }

  private value(): Value {
    const token = this.next();
    if (!token) throw malformed('a value is missing');
    if (token.kind === 'symbol' && token.text === '?') return { kind: 'parameter', index: this.parameters++ };
    if (token.kind === 'string') return { kind: 'literal', value: { S: token.text } };
    if (token.kind === 'number') return { kind: 'literal', value: { N: token.text } };
    if (token.kind === 'name' && !token.quoted) {
      const word = token.text.toUpperCase();
      if (word === 'TRUE' || word === 'FALSE') return { kind: 'literal', value: { BOOL: word === 'TRUE' } };
      if (word === 'NULL') return { kind: 'literal', value: { NULL: true } };
    }
    if (token.kind === 'symbol' && token.text === '{') return this.mapLiteral();
    if (token.kind === 'symbol' && token.text === '[') return this.listLiteral();
    throw malformed(`unexpected ${token.text} where a value belongs`);
  }

  /** Map and list literals may hold parameters; they resolve once the parameters are known. */
  private mapLiteral(): Value {
    const entries: Array<readonly [string, Value]> = [];
    if (!this.takeSymbol('}')) {
      do {
        const key = this.next();
        if (key?.kind !== 'string') throw malformed('a map key is a single-quoted string');
        this.expectSymbol(':');
        entries.push([key.text, this.value()]);
      } while (this.takeSymbol(','));
      this.expectSymbol('}');
    }
    return { kind: 'map', entries };
  }

  private listLiteral(): Value {
    const items: Value[] = [];
    if (!this.takeSymbol(']')) {
      do items.push(this.value());
      while (this.takeSymbol(','));
      this.expectSymbol(']');
    }
    return { kind: 'list', items };
  }

  private name(): string {
    const token = this.next();
    if (token?.kind !== 'name') throw malformed(`expected a name, found ${token?.text ?? 'the end'}`);
    return token.text;
  }

  private keyword(): string {
    const token = this.next();
    if (token?.kind !== 'name' || token.quoted)
      throw malformed(`expected a keyword, found ${token?.text ?? 'the end'}`);
    return token.text.toUpperCase();
  }

  private expectKeyword(word: string): void {
    if (!this.takeKeyword(word)) throw malformed(`expected ${word}`);
  }

  private takeKeyword(word: string): boolean {
    const token = this.peek();
    if (token?.kind === 'name' && !token.quoted && token.text.toUpperCase() === word) {
      this.at++;
      return true;
    }
    return false;
  }

  private expectSymbol(symbol: string): void {
    if (!this.takeSymbol(symbol)) throw malformed(`expected ${symbol}`);
  }

  private takeSymbol(symbol: string): boolean {
    const token = this.peek();
    if (token?.kind === 'symbol' && token.text === symbol) {
      this.at++;
      return true;
    }
    return false;
  }

  private peek(): Token | undefined {
    return this.tokens[this.at];
  }

  private next(): Token | undefined {
    return this.tokens[this.at++];
  }
}

const BATCH_LIMIT = 25;

const shortCode = (code: string) => code.slice(code.lastIndexOf('#') + 1);

/** Placeholders for the names and values of one translated statement. */
class Placeholders {
  readonly names: Record<string, string> = {};
  readonly values: Record<string, AttributeValue> = {};

  name(path: string): string {
    const placeholder = `#n${Object.keys(this.names).length}`;
    this.names[placeholder] = path;
    return placeholder;
  }

  value(value: AttributeValue): string {
    const placeholder = `:v${Object.keys(this.values).length}`;
    this.values[placeholder] = value;
    return placeholder;
  }

  /** The ExpressionAttributeNames / Values members, left out when empty as the item API requires. */
  members(): Record<string, unknown> {
    return {
      ...(Object.keys(this.names).length > 0 ? { ExpressionAttributeNames: this.names } : {}),
      ...(Object.keys(this.values).length > 0 ? { ExpressionAttributeValues: this.values } : {}),
    };
  }
}

interface Parsed {
  readonly statement: Statement;
  readonly parameters: readonly AttributeValue[];
}

function parse(text: string | undefined, parameters: readonly AttributeValue[] | undefined): Parsed {
  if (!text) throw validationError('Statement is required.');
  const parser = new Parser(tokenize(text));
  const statement = parser.statement();
  if (parser.parameterCount !== (parameters?.length ?? 0)) {
    throw validationError("Number of parameters in request and statement don't match.");
  }
  return { statement, parameters: parameters ?? [] };
}

function resolve(value: Value, parameters: readonly AttributeValue[]): AttributeValue {
  switch (value.kind) {
    case 'parameter': {
      const parameter = parameters[value.index];
      if (!parameter) throw validationError("Number of parameters in request and statement don't match.");
      return parameter;
    }
    case 'literal':
      return value.value;
    case 'map':
      return { M: Object.fromEntries(value.entries.map(([key, item]) => [key, resolve(item, parameters)])) };
    case 'list':
      return { L: value.items.map((item) => resolve(item, parameters)) };
  }
}

function render(
  condition: Condition,
  placeholders: Placeholders,
  parameters: readonly AttributeValue[],
): string {
  const name = placeholders.name(condition.path);
  const value = placeholders.value(resolve(condition.value, parameters));
  return condition.op === 'begins_with'
    ? `begins_with(${name}, ${value})`
    : `${name} ${condition.op} ${value}`;
}

const andAll = (parts: readonly string[]) => (parts.length > 0 ? parts.join(' AND ') : undefined);

export class PartiqlStatements {
  constructor(private readonly call: Call) {}

  async execute(input: ExecuteStatementInput): Promise<Record<string, unknown>> {
    const { statement, parameters } = parse(input.Statement, input.Parameters);
    if (statement.kind === 'select') return this.select(statement, parameters, input);
    await this.write(statement, parameters);
    return {};
  }

  async batch(input: BatchExecuteStatementInput): Promise<Record<string, unknown>> {
    const statements = input.Statements ?? [];
    if (statements.length === 0 || statements.length > BATCH_LIMIT) {
      throw validationError(`Statements must hold between 1 and ${BATCH_LIMIT} statements.`);
    }
    const Responses = [];
    for (const request of statements) {
      let tableName: string | undefined;
      try {
        const { statement, parameters } = parse(request.Statement, request.Parameters);
        tableName = statement.from.table;
        if (statement.kind === 'select') {
          const item = await this.getItem(statement, parameters, request.ConsistentRead);
          Responses.push({ TableName: tableName, ...(item ? { Item: item } : {}) });
        } else {
          await this.write(statement, parameters);
          Responses.push({ TableName: tableName });
        }
      } catch (error) {
        if (!(error instanceof AwsServiceError)) throw error;
        Responses.push({ ...(tableName ? { TableName: tableName } : {}), Error: batchError(error) });
      }
    }
    return { Responses };
  }

  private async keySchema(from: TableRef): Promise<{ hash: string; range?: string }> {
    const { Table } = (await this.call('DescribeTable', { TableName: from.table })) as {
      Table: TableDescription;
    };
    let schema: KeySchemaElement[] | undefined = Table.KeySchema;
    if (from.index !== undefined) {
      const index = [...(Table.GlobalSecondaryIndexes ?? []), ...(Table.LocalSecondaryIndexes ?? [])].find(
        (candidate) => candidate.IndexName === from.index,
      );
      if (!index) throw validationError(`The table does not have the specified index: ${from.index}`);
      schema = index.KeySchema;
    }
    const hash = schema?.find((element) => element.KeyType === 'HASH')?.AttributeName ?? '';
    const range = schema?.find((element) => element.KeyType === 'RANGE')?.AttributeName;
    return range === undefined ? { hash } : { hash, range };
  }

  private async select(
    statement: Extract<Statement, { kind: 'select' }>,
    parameters: readonly AttributeValue[],
    input: ExecuteStatementInput,
  ): Promise<Record<string, unknown>> {
    const { hash, range } = await this.keySchema(statement.from);
    const placeholders = new Placeholders();
    const onHash = statement.where.find((condition) => condition.path === hash && condition.op === '=');
    const onRange = onHash
      ? statement.where.find((condition) => condition.path === range && condition.op !== '<>')
      : undefined;
    const keyConditions = [onHash, onRange].filter((condition) => condition !== undefined);
    const keyCondition = andAll(
      keyConditions.map((condition) => render(condition, placeholders, parameters)),
    );
    const filter = andAll(
      statement.where
        .filter((condition) => !keyConditions.includes(condition))
        .map((condition) => render(condition, placeholders, parameters)),
    );
    const projection = statement.projection?.map((path) => placeholders.name(path)).join(', ');
    const answer = (await this.call(onHash ? 'Query' : 'Scan', {
      TableName: statement.from.table,
      ...(statement.from.index !== undefined ? { IndexName: statement.from.index } : {}),
      ...(keyCondition ? { KeyConditionExpression: keyCondition } : {}),
      ...(filter ? { FilterExpression: filter } : {}),
      ...(projection ? { ProjectionExpression: projection } : {}),
      ...placeholders.members(),
      ...(input.ConsistentRead !== undefined ? { ConsistentRead: input.ConsistentRead } : {}),
      ...(input.Limit !== undefined ? { Limit: input.Limit } : {}),
      ...(input.NextToken ? { ExclusiveStartKey: decodeToken(input.NextToken) } : {}),
    })) as { Items?: unknown[]; LastEvaluatedKey?: Record<string, AttributeValue> };
    return {
      Items: answer.Items ?? [],
      ...(answer.LastEvaluatedKey ? { NextToken: encodeToken(answer.LastEvaluatedKey) } : {}),
    };
  }

  /** A batch SELECT names one item by its whole key. */
  private async getItem(
    statement: Extract<Statement, { kind: 'select' }>,
    parameters: readonly AttributeValue[],
    consistentRead: boolean | undefined,
  ): Promise<unknown> {
    const schema = await this.keySchema(statement.from);
    const { key } = splitKey(statement.where, schema, parameters);
    const placeholders = new Placeholders();
    const projection = statement.projection?.map((path) => placeholders.name(path)).join(', ');
    const answer = (await this.call('GetItem', {
      TableName: statement.from.table,
      Key: key,
      ...(projection ? { ProjectionExpression: projection } : {}),
      ...placeholders.members(),
      ...(consistentRead !== undefined ? { ConsistentRead: consistentRead } : {}),
    })) as { Item?: unknown };
    return answer.Item;
  }

  private async write(
    statement: Exclude<Statement, { kind: 'select' }>,
    parameters: readonly AttributeValue[],
  ): Promise<void> {
    const schema = await this.keySchema(statement.from);
    const TableName = statement.from.table;
    const placeholders = new Placeholders();
    if (statement.kind === 'insert') {
      const item = resolve(statement.item, parameters);
      if (!item.M) throw validationError('INSERT takes a single item: VALUE {...}.');
      try {
        await this.call('PutItem', {
          TableName,
          Item: item.M,
          ConditionExpression: `attribute_not_exists(${placeholders.name(schema.hash)})`,
          ...placeholders.members(),
        });
      } catch (error) {
        if (error instanceof AwsServiceError && shortCode(error.code) === 'ConditionalCheckFailedException') {
          throw new AwsServiceError('DuplicateItemException', 'Duplicate primary key exists in table');
        }
        throw error;
      }
      return;
    }
    const { key, others } = splitKey(statement.where, schema, parameters);
    const conditions = others.map((condition) => render(condition, placeholders, parameters));
    if (statement.kind === 'delete') {
      const condition = andAll(conditions);
      await this.call('DeleteItem', {
        TableName,
        Key: key,
        ...(condition ? { ConditionExpression: condition } : {}),
        ...placeholders.members(),
      });
      return;
    }
    // UPDATE changes an existing item only.
    const condition = andAll([`attribute_exists(${placeholders.name(schema.hash)})`, ...conditions]);
    const sets = statement.set.map(
      ({ path, value }) => `${placeholders.name(path)} = ${placeholders.value(resolve(value, parameters))}`,
    );
    const removes = statement.remove.map((path) => placeholders.name(path));
    const update = [
      sets.length > 0 ? `SET ${sets.join(', ')}` : '',
      removes.length > 0 ? `REMOVE ${removes.join(', ')}` : '',
    ]
      .filter((part) => part !== '')
      .join(' ');
    await this.call('UpdateItem', {
      TableName,
      Key: key,
      UpdateExpression: update,
      ConditionExpression: condition,
      ...placeholders.members(),
    });
  }
}

/** The item key from equalities on every key attribute; the other conditions stay conditions. */
function splitKey(
  where: readonly Condition[],
  schema: { hash: string; range?: string },
  parameters: readonly AttributeValue[],
): { key: Record<string, AttributeValue>; others: Condition[] } {
  const names = schema.range === undefined ? [schema.hash] : [schema.hash, schema.range];
  const key: Record<string, AttributeValue> = {};
  const used: Condition[] = [];
  for (const name of names) {
    const condition = where.find((candidate) => candidate.path === name && candidate.op === '=');
    if (!condition) {
      throw validationError('Where clause does not contain a mandatory equality on all key attributes');
    }
    key[name] = resolve(condition.value, parameters);
    used.push(condition);
  }
  return { key, others: where.filter((condition) => !used.includes(condition)) };
}

/** A BatchStatementError: its Code is the exception's name without `Exception` (ValidationError aside). */
function batchError(error: AwsServiceError): { Code: string; Message: string } {
  const code = shortCode(error.code);
  return {
    Code: code === 'ValidationException' ? 'ValidationError' : code.replace(/Exception$/, ''),
    Message: error.message,
  };
}

const encodeToken = (key: Record<string, AttributeValue>) =>
  Buffer.from(JSON.stringify(key)).toString('base64');

function decodeToken(token: string): Record<string, AttributeValue> {
  try {
    return JSON.parse(Buffer.from(token, 'base64').toString('utf8')) as Record<string, AttributeValue>;
  } catch {
    throw validationError('The NextToken is not valid.');
  }
}
