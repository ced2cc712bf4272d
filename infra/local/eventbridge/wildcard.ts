/**
 * The `wildcard` operator: `*` matches any run of characters, `\*` a literal star, `\\` a backslash.
 * Matching is linear-time (literal segments found in order), never a backtracking regular expression.
 */

export class WildcardSyntaxError extends Error {}

/** Splits a wildcard pattern into the literal segments between its stars, validating escapes. */
export function parseWildcard(pattern: string): string[] {
  const segments: string[] = [];
  let current = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index];
    if (char === '\\') {
      const next = pattern[index + 1];
      if (next !== '*' && next !== '\\')
        throw new WildcardSyntaxError(`Invalid escape character at pos ${index}`);
      current += next;
      index++;
    } else if (char === '*') {
      if (pattern[index + 1] === '*') {
        throw new WildcardSyntaxError(`Consecutive wildcard characters at pos ${index + 1}`);
      }
      segments.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  segments.push(current);
  return segments;
}

export function compileWildcard(segments: readonly string[]): (value: string) => boolean {
  const first = segments[0] ?? '';
  if (segments.length === 1) return (value) => value === first;
  const last = segments[segments.length - 1] ?? '';
  const middle = segments.slice(1, -1).filter((segment) => segment.length > 0);
  const fixedLength = first.length + last.length;
  return (value) => {
    if (value.length < fixedLength || !value.startsWith(first) || !value.endsWith(last)) return false;
    let position = first.length;
    const end = value.length - last.length;
    for (const segment of middle) {
      const found = value.indexOf(segment, position);
      if (found < 0 || found + segment.length > end) return false;
      position = found + segment.length;
    }
    return true;
  };
}

const STAR = -1;

/**
 * How many pattern positions can be live at once while scanning the worst-case value, summed over every
 * wildcard pattern on one field: the non-determinism AWS limits ("Rule is too complex"). Found by exploring
 * the subsets of the patterns' combined automaton, as a DFA construction would.
 */
export function wildcardComplexity(patterns: readonly (readonly string[])[]): number {
  const machines = patterns.map((segments) => {
    const tokens: number[] = [];
    segments.forEach((segment, index) => {
      if (index > 0) tokens.push(STAR);
      for (const char of segment) tokens.push(char.codePointAt(0) ?? 0);
    });
    return tokens;
  });
  const alphabet = new Set<number>([-2]); // -2 stands for any character no pattern names
  for (const tokens of machines) for (const token of tokens) if (token !== STAR) alphabet.add(token);

  const close = (tokens: readonly number[], states: Set<number>): Set<number> => {
    for (const state of states) if (tokens[state] === STAR) states.add(state + 1);
    return states;
  };
  type Live = Set<number>[];
  const keyOf = (live: Live): string =>
    live.map((states) => [...states].sort((a, b) => a - b).join(',')).join('|');
  const sizeOf = (live: Live): number =>
    live.reduce((sum, states, index) => {
      const accepting = machines[index]?.length ?? 0;
      return sum + [...states].filter((state) => state < accepting).length;
    }, 0);

  const start: Live = machines.map((tokens) => close(tokens, new Set([0])));
  const seen = new Set([keyOf(start)]);
  const pending = [start];
  let maximum = sizeOf(start);
  // Bounded: the answer is only compared against a small limit.
  while (pending.length > 0 && seen.size < 5000) {
    const live = pending.pop() as Live;
    for (const char of alphabet) {
      const next = live.map((states, index) => {
        const tokens = machines[index] ?? [];
        const reached = new Set<number>();
        for (const state of states) {
          const token = tokens[state];
          if (token === STAR) reached.add(state);
          else if (token === char) reached.add(state + 1);
        }
        return close(tokens, reached);
      });
      const key = keyOf(next);
      if (seen.has(key)) continue;
      seen.add(key);
      maximum = Math.max(maximum, sizeOf(next));
      pending.push(next);
    }
  }
  return maximum;
}
