/**
 * Athena's execution parameters: each `?` of the query, in order, takes one parameter, which Athena reads as
 * a SQL literal (`'2026-12-03'` is a varchar, `3` an integer, `DATE '2026-12-03'` a date). A `?` inside a
 * string, a quoted identifier or a comment is not a placeholder.
 */

const LITERAL = new RegExp(
  [
    "^'(?:[^']|'')*'$", // 'text', with '' for a quote
    '^[+-]?(?:\\d+(?:\\.\\d*)?|\\.\\d+)(?:[eE][+-]?\\d+)?$', // 3, -1.5, 1e3
    '^(?:true|false|null)$',
    "^(?:date|time|timestamp|interval)\\s+'(?:[^']|'')*'(?:\\s+[a-z]+)?$", // typed literals
  ].join('|'),
  'i',
);

export class ParameterError extends Error {}

/** The query with its placeholders replaced by the parameters; refuses anything but literals. */
export function bindExecutionParameters(query: string, parameters: readonly string[] = []): string {
  const positions = placeholderPositions(query);
  if (positions.length !== parameters.length) {
    throw new ParameterError(
      `The query has ${positions.length} parameter placeholders but ${parameters.length} execution parameters were given`,
    );
  }
  let bound = '';
  let copiedTo = 0;
  positions.forEach((position, index) => {
    const parameter = (parameters[index] ?? '').trim();
    if (!LITERAL.test(parameter))
      throw new ParameterError(`Execution parameter is not a SQL literal: ${parameter}`);
    bound += query.slice(copiedTo, position) + parameter;
    copiedTo = position + 1;
  });
  return bound + query.slice(copiedTo);
}

function placeholderPositions(query: string): number[] {
  const positions: number[] = [];
  for (let index = 0; index < query.length; ) {
    const skipTo = endOfQuotedOrComment(query, index);
    if (skipTo !== undefined) {
      index = skipTo;
      continue;
    }
    if (query.charAt(index) === '?') positions.push(index);
    index++;
  }
  return positions;
}

/** Where a string, quoted identifier or comment starting at `index` ends; undefined when none starts there. */
function endOfQuotedOrComment(query: string, index: number): number | undefined {
  const character = query.charAt(index);
  if (character === "'" || character === '"') {
    let end = index + 1;
    for (;;) {
      const close = query.indexOf(character, end);
      if (close === -1) return query.length;
      // A doubled quote is an escaped quote, not the end.
      if (query.charAt(close + 1) !== character) return close + 1;
      end = close + 2;
    }
  }
  if (query.startsWith('--', index)) {
    const newline = query.indexOf('\n', index);
    return newline === -1 ? query.length : newline;
  }
  if (query.startsWith('/*', index)) {
    const close = query.indexOf('*/', index + 2);
    return close === -1 ? query.length : close + 2;
  }
  return undefined;
}
