/** Choice rules in the JSONPath form: comparison operators (literal and `...Path`), `Is*` tests, And/Or/Not. */
import { runtimeError } from './errors';
import { isObject } from './json-values';
import { type DataScope, lookupReference } from './references';
import { parseTimestamp } from './timestamps';

type Comparison = 'Equals' | 'LessThan' | 'GreaterThan' | 'LessThanEquals' | 'GreaterThanEquals';
type Kind = 'String' | 'Numeric' | 'Boolean' | 'Timestamp';

const COMPARISONS: Comparison[] = [
  'Equals',
  'LessThan',
  'GreaterThan',
  'LessThanEquals',
  'GreaterThanEquals',
];
const KINDS: Kind[] = ['String', 'Numeric', 'Boolean', 'Timestamp'];

interface Operator {
  kind: Kind;
  comparison: Comparison;
  path: boolean;
}

const OPERATORS = new Map<string, Operator>();
for (const kind of KINDS) {
  for (const comparison of COMPARISONS) {
    if (kind === 'Boolean' && comparison !== 'Equals') continue;
    OPERATORS.set(`${kind}${comparison}`, { kind, comparison, path: false });
    OPERATORS.set(`${kind}${comparison}Path`, { kind, comparison, path: true });
  }
}

const TYPE_TESTS: Record<string, (value: unknown) => boolean> = {
  IsNull: (value) => value === null,
  IsNumeric: (value) => typeof value === 'number',
  IsString: (value) => typeof value === 'string',
  IsBoolean: (value) => typeof value === 'boolean',
  IsTimestamp: (value) => parseTimestamp(value) !== undefined,
};

export function evaluateRule(rule: Record<string, unknown>, scope: DataScope): boolean {
  if (Array.isArray(rule.And)) return rule.And.every((inner) => evaluateRule(asRule(inner), scope));
  if (Array.isArray(rule.Or)) return rule.Or.some((inner) => evaluateRule(asRule(inner), scope));
  if (rule.Not !== undefined) return !evaluateRule(asRule(rule.Not), scope);
  return testVariable(rule, scope);
}

/** A rule on its Variable: IsPresent, a type test, StringMatches or a comparison, in that precedence. */
function testVariable(rule: Record<string, unknown>, scope: DataScope): boolean {
  const variable = rule.Variable;
  if (typeof variable !== 'string') throw runtimeError('A Choice rule has no Variable');
  const selected = lookupReference(variable, scope);
  if (rule.IsPresent !== undefined) return selected.found === rule.IsPresent;
  for (const [name, test] of Object.entries(TYPE_TESTS)) {
    if (rule[name] !== undefined) return selected.found && test(selected.value) === rule[name];
  }
  if (rule.StringMatches !== undefined) {
    return typeof selected.value === 'string' && matchesWildcard(selected.value, String(rule.StringMatches));
  }
  for (const [name, operator] of OPERATORS) {
    if (rule[name] === undefined) continue;
    if (!selected.found) throw invalidConditionPath(variable);
    return compare(operator, selected.value, operator.path ? operandAt(rule[name], scope) : rule[name]);
  }
  throw runtimeError(`Unsupported Choice rule: ${JSON.stringify(rule)}`);
}

/** The value a `...Path` comparison compares against. */
function operandAt(path: unknown, scope: DataScope): unknown {
  const found = lookupReference(String(path), scope);
  if (!found.found) throw invalidConditionPath(String(path));
  return found.value;
}

const invalidConditionPath = (path: string) =>
  runtimeError(`Invalid path '${path}': The choice state's condition path references an invalid value.`);

const asRule = (value: unknown): Record<string, unknown> => (isObject(value) ? value : {});

function compare(operator: Operator, actual: unknown, expected: unknown): boolean {
  let left: number | string | boolean;
  let right: number | string | boolean;
  switch (operator.kind) {
    case 'String':
      if (typeof actual !== 'string' || typeof expected !== 'string') return false;
      [left, right] = [actual, expected];
      break;
    case 'Numeric':
      if (typeof actual !== 'number' || typeof expected !== 'number') return false;
      [left, right] = [actual, expected];
      break;
    case 'Boolean':
      return typeof actual === 'boolean' && actual === expected;
    case 'Timestamp': {
      const actualTime = parseTimestamp(actual);
      const expectedTime = parseTimestamp(expected);
      if (actualTime === undefined || expectedTime === undefined) return false;
      [left, right] = [actualTime, expectedTime];
      break;
    }
  }
  switch (operator.comparison) {
    case 'Equals':
      return left === right;
    case 'LessThan':
      return left < right;
    case 'GreaterThan':
      return left > right;
    case 'LessThanEquals':
      return left <= right;
    case 'GreaterThanEquals':
      return left >= right;
  }
}

/** `*` matches any run of characters; `\*` and `\\` are literal. */
function matchesWildcard(value: string, pattern: string): boolean {
  let regex = '';
  for (let index = 0; index < pattern.length; index++) {
    const char = pattern[index] as string;
    if (char === '\\' && index + 1 < pattern.length) {
      regex += escapeRegex(pattern[++index] as string);
    } else if (char === '*') regex += '[\\s\\S]*';
    else regex += escapeRegex(char);
  }
  return new RegExp(`^${regex}$`).test(value);
}

const escapeRegex = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
