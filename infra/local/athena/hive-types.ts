/**
 * Glue columns are typed in Hive's syntax (`struct<userId:string,latenessMs:bigint>`); DuckDB's read_json
 * takes its own (`STRUCT("userId" VARCHAR, "latenessMs" BIGINT)`). The mapping is structural, so any nesting
 * of struct, array and map translates.
 */

const PRIMITIVES: Readonly<Record<string, string>> = {
  string: 'VARCHAR',
  varchar: 'VARCHAR',
  char: 'VARCHAR',
  tinyint: 'TINYINT',
  smallint: 'SMALLINT',
  int: 'INTEGER',
  integer: 'INTEGER',
  bigint: 'BIGINT',
  float: 'FLOAT',
  double: 'DOUBLE',
  boolean: 'BOOLEAN',
  date: 'DATE',
  timestamp: 'TIMESTAMP',
  binary: 'BLOB',
  decimal: 'DECIMAL',
};

/** A DuckDB identifier, quoted so that camelCase field names keep their case. */
export const quoteIdentifier = (name: string): string => `"${name.replaceAll('"', '""')}"`;

export function hiveTypeToDuckDb(hiveType: string): string {
  const reader = new TypeReader(hiveType);
  const type = reader.type();
  reader.expectEnd();
  return type;
}

class TypeReader {
  private position = 0;
  constructor(private readonly text: string) {}

  type(): string {
    const name = this.word().toLowerCase();
    if (name === 'struct') {
      this.expect('<');
      const fields: string[] = [];
      if (!this.take('>')) {
        do {
          const field = this.word();
          this.expect(':');
          fields.push(`${quoteIdentifier(field)} ${this.type()}`);
        } while (this.take(','));
        this.expect('>');
      }
      return `STRUCT(${fields.join(', ')})`;
    }
    if (name === 'array') {
      this.expect('<');
      const element = this.type();
      this.expect('>');
      return `${element}[]`;
    }
    if (name === 'map') {
      this.expect('<');
      const key = this.type();
      this.expect(',');
      const value = this.type();
      this.expect('>');
      return `MAP(${key}, ${value})`;
    }
    const primitive = PRIMITIVES[name];
    if (!primitive) throw new Error(`Unsupported Hive type '${name}' in '${this.text}'`);
    const size = this.take('(') ? this.until(')') : undefined;
    if (size !== undefined) this.expect(')');
    // varchar(n) and char(n) only bound the length, which DuckDB's VARCHAR does not.
    return name === 'decimal' && size ? `DECIMAL(${size.replaceAll(' ', '')})` : primitive;
  }

  expectEnd(): void {
    this.skipSpaces();
    if (this.position !== this.text.length) this.fail('end of type');
  }

  private word(): string {
    this.skipSpaces();
    const start = this.position;
    while (this.position < this.text.length && /[A-Za-z0-9_$]/.test(this.text.charAt(this.position)))
      this.position++;
    if (start === this.position) this.fail('a name');
    return this.text.slice(start, this.position);
  }

  private until(character: string): string {
    const end = this.text.indexOf(character, this.position);
    if (end === -1) this.fail(`'${character}'`);
    const content = this.text.slice(this.position, end);
    this.position = end;
    return content;
  }

  private take(character: string): boolean {
    this.skipSpaces();
    if (this.text.charAt(this.position) !== character) return false;
    this.position++;
    return true;
  }

  private expect(character: string): void {
    if (!this.take(character)) this.fail(`'${character}'`);
  }

  private skipSpaces(): void {
    while (this.text.charAt(this.position) === ' ') this.position++;
  }

  private fail(expected: string): never {
    throw new Error(`Invalid Hive type '${this.text}': expected ${expected} at position ${this.position}`);
  }
}
