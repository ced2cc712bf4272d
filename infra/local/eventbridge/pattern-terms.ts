/**
 * One field of an event pattern: the list of values/operators it accepts (`["a", {"prefix": "b"}]`),
 * validated with AWS's messages and compiled into one predicate over the field's value in the event.
 */
import { type CidrBlock, cidrMatcher, parseIpAddress } from './cidr';
import { compileWildcard, parseWildcard, WildcardSyntaxError } from './wildcard';

export class PatternError extends Error {}

type Scalar = string | number | boolean | null;
type StringTest = (value: string) => boolean;
type NumberTest = (value: number) => boolean;
type ScalarTest = (value: Scalar) => boolean;

/** What a field's term list compiles to, before it is fused into one function. */
interface FieldTerms {
  strings: Set<string>;
  numbers: Set<number>;
  literals: Set<boolean | null>;
  stringTests: StringTest[];
  numberTests: NumberTest[];
  /** anything-but forms, which also accept values of other types. */
  scalarTests: ScalarTest[];
  existsTrue: boolean;
  existsFalse: boolean;
  /** Wildcard patterns on this field, for the complexity limit. */
  wildcards: string[][];
}

const isPlainObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const fail = (reason: string): never => {
  throw new PatternError(reason);
};

export interface CompiledField {
  /** The whole field test, for any event value (absent, scalar, array, object). */
  readonly test: (value: unknown) => boolean;
  /** The same test when the event value is a string, for generated code to call first. */
  readonly testString: (value: string) => boolean;
  /** Set when the field lists only exact strings, so generated code can compare inline. */
  readonly exactStringsOnly: readonly string[] | undefined;
  readonly existsTrue: boolean;
  readonly existsFalse: boolean;
  readonly wildcards: readonly string[][];
}

export function compileField(terms: readonly unknown[]): CompiledField {
  const field: FieldTerms = {
    strings: new Set(),
    numbers: new Set(),
    literals: new Set(),
    stringTests: [],
    numberTests: [],
    scalarTests: [],
    existsTrue: false,
    existsFalse: false,
    wildcards: [],
  };
  for (const term of terms) addTerm(field, term);
  const { test, testString, onlyExactStrings } = fuse(field);
  return {
    test,
    testString,
    exactStringsOnly: onlyExactStrings ? [...field.strings] : undefined,
    existsTrue: field.existsTrue,
    existsFalse: field.existsFalse,
    wildcards: field.wildcards,
  };
}

function addTerm(field: FieldTerms, term: unknown): void {
  if (typeof term === 'string') field.strings.add(term);
  else if (typeof term === 'number') field.numbers.add(term);
  else if (typeof term === 'boolean' || term === null) field.literals.add(term);
  else if (isPlainObject(term)) addOperator(field, term);
  else fail('Match value must be String, number, true, false, or null');
}

function singleEntry(term: Record<string, unknown>): [string, unknown] {
  const entries = Object.entries(term);
  if (entries.length === 0) fail('Empty objects are not allowed');
  if (entries.length > 1) fail('Only one key allowed in match expression');
  return entries[0] as [string, unknown];
}

function addOperator(field: FieldTerms, term: Record<string, unknown>): void {
  const [operator, operand] = singleEntry(term);
  switch (operator) {
    case 'prefix':
    case 'suffix':
      field.stringTests.push(affixTest(operator, operand));
      return;
    case 'equals-ignore-case': {
      const expected = requireString(
        operand,
        'equals-ignore-case match pattern must be a string',
      ).toLowerCase();
      field.stringTests.push((value) => value.toLowerCase() === expected);
      return;
    }
    case 'wildcard': {
      const segments = wildcardSegments(operand);
      field.wildcards.push(segments);
      field.stringTests.push(compileWildcard(segments));
      return;
    }
    case 'exists':
      if (operand === true) field.existsTrue = true;
      else if (operand === false) field.existsFalse = true;
      else fail('exists match pattern must be either true or false.');
      return;
    case 'numeric':
      field.numberTests.push(numericTest(operand));
      return;
    case 'cidr': {
      field.stringTests.push(cidrMatcher(parseCidr(operand)));
      return;
    }
    case 'anything-but':
      field.scalarTests.push(anythingBut(field, operand));
      return;
    default:
      fail(`Unrecognized match type ${operator}`);
  }
}

const requireString = (value: unknown, reason: string): string =>
  typeof value === 'string' ? value : fail(reason);

/** prefix/suffix, plain or `{"equals-ignore-case": ...}`. */
function affixTest(operator: 'prefix' | 'suffix', operand: unknown): StringTest {
  const ignoreCase = isPlainObject(operand);
  let expected: string;
  if (ignoreCase) {
    const [inner, value] = singleEntry(operand);
    if (inner !== 'equals-ignore-case') fail(`Unsupported ${operator} pattern: ${inner}`);
    expected = requireString(value, 'equals-ignore-case match pattern must be a string').toLowerCase();
  } else {
    expected = requireString(operand, `${operator} match pattern must be a string`);
  }
  if (operator === 'prefix') {
    return ignoreCase
      ? (value) => value.toLowerCase().startsWith(expected)
      : (value) => value.startsWith(expected);
  }
  return ignoreCase ? (value) => value.toLowerCase().endsWith(expected) : (value) => value.endsWith(expected);
}

function wildcardSegments(operand: unknown): string[] {
  const pattern = requireString(operand, 'wildcard match pattern must be a string');
  try {
    return parseWildcard(pattern);
  } catch (error) {
    if (error instanceof WildcardSyntaxError) fail(error.message);
    throw error;
  }
}

const RANGE_OPERATORS: Record<string, (bound: number) => NumberTest> = {
  '<': (bound) => (value) => value < bound,
  '<=': (bound) => (value) => value <= bound,
  '=': (bound) => (value) => value === bound,
  '>': (bound) => (value) => value > bound,
  '>=': (bound) => (value) => value >= bound,
};

/** `[op, n]` or a range `[">"|">=", low, "<"|"<=", high]`, with AWS's messages for each mistake. */
function numericTest(operand: unknown): NumberTest {
  if (!Array.isArray(operand)) return fail('Value of numeric must be an array.');
  if (operand.length === 0) fail('Invalid member in numeric match: ]');
  const readBound = (operator: string, value: unknown): number =>
    typeof value === 'number'
      ? value
      : fail(`Value of ${operator === '=' ? 'equals' : operator} must be numeric`);

  const [first, firstValue, second, secondValue] = operand as unknown[];
  if (typeof first !== 'string') return fail(`Invalid member in numeric match: ${JSON.stringify(first)}`);
  const lower = RANGE_OPERATORS[first];
  if (!lower) return fail(`Unrecognized numeric range operator: ${first}`);
  const low = readBound(first, firstValue);
  if (operand.length === 2) return lower(low);
  if (first !== '>' && first !== '>=') fail('Too many elements in numeric expression');
  if (typeof second !== 'string') return fail(`Bad value in numeric range: ${JSON.stringify(second)}`);
  if (second !== '<' && second !== '<=') fail(`Bad numeric range operator: ${second}`);
  const high = readBound(second, secondValue);
  if (high <= low) fail('Bottom must be less than top');
  if (operand.length > 4) fail('Too many terms in numeric range expression');
  const above = lower(low);
  const below = (RANGE_OPERATORS[second] as (bound: number) => NumberTest)(high);
  return (value) => above(value) && below(value);
}

function parseCidr(operand: unknown): CidrBlock {
  const text = requireString(operand, 'prefix match pattern must be a string');
  const parts = text.split('/');
  if (parts.length !== 2) fail("Malformed CIDR, one '/' required");
  const [address = '', mask = ''] = parts;
  if (!/^\d+$/.test(mask)) fail('Malformed CIDR, mask bits must be an integer');
  const network = parseIpAddress(address) ?? fail(`Nonstandard IP address: ${address}`);
  const maskBits = Number(mask);
  if (maskBits > network.length * 8)
    fail(`Malformed CIDR, mask bits must be between 0 and ${network.length * 8}`);
  return { network, maskBits };
}

/**
 * anything-but: a value, a list of strings or of numbers, or `{prefix|suffix|equals-ignore-case|wildcard}`
 * with one string or a list. It needs the field to be present, and accepts values of any other type.
 */
function anythingBut(field: FieldTerms, operand: unknown): ScalarTest {
  const notAValue = 'Value of anything-but must be an array or single string/number value.';
  if (typeof operand === 'string' || typeof operand === 'number') return (value) => value !== operand;
  if (Array.isArray(operand)) {
    if (operand.length === 0) fail('Empty arrays are not allowed');
    if (!operand.every((item) => typeof item === 'string' || typeof item === 'number')) {
      fail('Inside anything but list, start|null|boolean is not supported.');
    }
    const excluded = new Set<unknown>(operand);
    return (value) => !excluded.has(value);
  }
  if (!isPlainObject(operand)) return fail(notAValue);
  const [operator, inner] = singleEntry(operand);
  const listOf = (reason: string): string[] => {
    const items = Array.isArray(inner) ? inner : [inner];
    if (items.length === 0) fail('Empty arrays are not allowed');
    return items.map((item) => requireString(item, reason));
  };
  let excludes: StringTest;
  switch (operator) {
    case 'prefix':
    case 'suffix': {
      if (isPlainObject(inner)) fail(notAValue);
      const affixes = listOf('prefix/suffix match pattern must be a string');
      if (affixes.some((affix) => affix === '')) fail('Null prefix/suffix not allowed');
      excludes =
        operator === 'prefix'
          ? (value) => affixes.some((affix) => value.startsWith(affix))
          : (value) => affixes.some((affix) => value.endsWith(affix));
      break;
    }
    case 'equals-ignore-case': {
      const reason =
        'Inside anything-but/equals-ignore-case list, number|start|null|boolean is not supported.';
      const lowered = new Set(listOf(reason).map((item) => item.toLowerCase()));
      excludes = (value) => lowered.has(value.toLowerCase());
      break;
    }
    case 'wildcard': {
      const patterns = listOf('wildcard match pattern must be a string').map(wildcardSegments);
      field.wildcards.push(...patterns);
      const tests = patterns.map(compileWildcard);
      excludes = (value) => tests.some((test) => test(value));
      break;
    }
    default:
      return fail(`Unsupported anything-but pattern: ${operator}`);
  }
  return (value) => typeof value !== 'string' || !excludes(value);
}

const anyOf =
  <T>(tests: readonly ((value: T) => boolean)[]): ((value: T) => boolean) =>
  (value) => {
    for (const test of tests) if (test(value)) return true;
    return false;
  };

interface FusedField {
  test: (value: unknown) => boolean;
  testString: (value: string) => boolean;
  onlyExactStrings: boolean;
}

/** Fuses a field's terms into a single test of the event value, specialised for the common shapes. */
function fuse(field: FieldTerms): FusedField {
  const { strings, numbers, literals, existsTrue, existsFalse } = field;
  const stringTest = anyOf(field.stringTests);
  const numberTest = anyOf(field.numberTests);
  const scalarTest = anyOf(field.scalarTests);
  const hasScalarTests = field.scalarTests.length > 0;
  const onlyExactStrings =
    numbers.size === 0 &&
    literals.size === 0 &&
    field.stringTests.length === 0 &&
    field.numberTests.length === 0 &&
    !hasScalarTests;

  let matchesScalar: (value: Scalar) => boolean;
  if (onlyExactStrings && strings.size === 1) {
    const [only] = strings;
    matchesScalar = (value) => value === only;
  } else if (onlyExactStrings) {
    matchesScalar = (value) => typeof value === 'string' && strings.has(value);
  } else {
    matchesScalar = (value) => {
      if (typeof value === 'string') {
        if (strings.has(value) || stringTest(value)) return true;
      } else if (typeof value === 'number') {
        if (numbers.has(value) || numberTest(value)) return true;
      } else if (literals.has(value)) {
        return true;
      }
      return hasScalarTests && scalarTest(value);
    };
  }

  const testString = (value: string): boolean => existsTrue || matchesScalar(value);
  const test = (value: unknown): boolean => {
    // Strings first: by far the most common field value.
    if (typeof value === 'string') return existsTrue || matchesScalar(value);
    if (value === undefined) return existsFalse;
    if (Array.isArray(value)) {
      const outcome = scanArray(value, matchesScalar);
      if (outcome === ArrayScan.Matched) return true;
      return outcome === ArrayScan.HadValues ? existsTrue : existsFalse;
    }
    if (isPlainObject(value)) return existsFalse; // not a leaf: the field itself is absent
    return existsTrue || matchesScalar(value as Scalar);
  };
  return { test, testString, onlyExactStrings };
}

enum ArrayScan {
  Empty,
  HadValues,
  Matched,
}

/** Arrays (nested too) are flattened: the field holds each scalar element; objects inside are deeper fields. */
function scanArray(items: readonly unknown[], matchesScalar: (value: Scalar) => boolean): ArrayScan {
  let outcome = ArrayScan.Empty;
  for (const item of items) {
    if (Array.isArray(item)) {
      const inner = scanArray(item, matchesScalar);
      if (inner === ArrayScan.Matched) return inner;
      if (inner === ArrayScan.HadValues) outcome = inner;
    } else if (typeof item !== 'object' || item === null) {
      if (matchesScalar(item as Scalar)) return ArrayScan.Matched;
      outcome = ArrayScan.HadValues;
    }
  }
  return outcome;
}
