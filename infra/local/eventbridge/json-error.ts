/**
 * Describes why a text is not JSON in the words of the Jackson parser AWS uses, for the common mistakes
 * (a bare word, single quotes, an unterminated object). Only runs after JSON.parse has already failed.
 */
const EXPECTING_VALUE =
  "was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')";

const quoteChar = (char: string): string => `'${char}' (code ${char.codePointAt(0)})`;

export function describeJsonError(text: string): string {
  let position = 0;
  const skipSpace = (): void => {
    while (position < text.length && /\s/.test(text[position] ?? '')) position++;
  };
  const problem = (message: string): never => {
    throw new Error(message);
  };
  const value = (): void => {
    skipSpace();
    const char = text[position];
    if (char === undefined) problem('Unexpected end-of-input: expected a value');
    else if (char === '{') object();
    else if (char === '[') array();
    else if (char === '"') string();
    else if (/[-0-9]/.test(char)) number();
    else literal(char);
  };
  const number = (): void => {
    const match = /^-?\d+(\.\d+)?([eE][+-]?\d+)?/.exec(text.slice(position));
    position += match ? match[0].length : 1;
  };
  /** `true`, `false` or `null`; anything else is the mistake being described. */
  const literal = (char: string): void => {
    const word = /^[A-Za-z0-9_$]+/.exec(text.slice(position))?.[0];
    if (word === 'true' || word === 'false' || word === 'null') position += word.length;
    else if (word) problem(`Unrecognized token '${word}': ${EXPECTING_VALUE}`);
    else
      problem(
        `Unexpected character (${quoteChar(char)}): expected a valid value ${EXPECTING_VALUE.slice(15)}`,
      );
  };
  const string = (): void => {
    position++;
    while (position < text.length && text[position] !== '"') position += text[position] === '\\' ? 2 : 1;
    if (position >= text.length)
      problem('Unexpected end-of-input: was expecting closing quote for a string value');
    position++;
  };
  const separated = (close: string, member: () => void, what: string): void => {
    position++;
    skipSpace();
    if (text[position] === close) {
      position++;
      return;
    }
    for (;;) {
      member();
      skipSpace();
      const char = text[position];
      if (char === close) {
        position++;
        return;
      }
      if (char === undefined) problem(`Unexpected end-of-input: expected close marker for ${what}`);
      else if (char !== ',')
        problem(`Unexpected character (${quoteChar(char)}): was expecting comma to separate ${what} entries`);
      position++;
    }
  };
  const object = (): void =>
    separated(
      '}',
      () => {
        skipSpace();
        const char = text[position];
        if (char !== '"') {
          problem(
            char === undefined
              ? 'Unexpected end-of-input: was expecting double-quote to start field name'
              : `Unexpected character (${quoteChar(char)}): was expecting double-quote to start field name`,
          );
        }
        string();
        skipSpace();
        const colon = text[position];
        if (colon !== ':') {
          problem(
            `Unexpected character (${quoteChar(colon ?? ' ')}): was expecting a colon to separate field name and value`,
          );
        }
        position++;
        value();
      },
      'Object',
    );
  const array = (): void => separated(']', value, 'Array');

  try {
    value();
    skipSpace();
    if (position < text.length) {
      problem(`Unexpected character (${quoteChar(text[position] ?? ' ')}): expected end of input`);
    }
    return 'Invalid JSON';
  } catch (error) {
    return (error as Error).message;
  }
}
