/**
 * Turns the errors of a generated request-body validator (events-schema/generated/api-validators.js, built
 * with allErrors and verbose) into the `errors` of a 400 Problem: one entry per field problem, worded for
 * the person reading the response rather than for the schema's author.
 */
import type { ErrorObject } from 'ajv';
import type { ProblemField } from '../../../events-schema/generated/api-types';

export type { ProblemField };

/** Each problem once, named by the JSON pointer of the field it is about. */
export function fieldErrors(errors: readonly ErrorObject[] | null | undefined): ProblemField[] {
  const all = errors ?? [];
  return all
    .filter((error) => !isFailedAlternative(error) || !explainedElsewhere(error, all))
    .map((error) => {
      const field = fieldOf(error);
      return { field, rule: error.keyword, message: messageOf(error, field) };
    });
}

/**
 * A merge-patch field is `oneOf: [the value's schema, { type: null }]`: a bad value fails both branches and
 * the oneOf. Only the value's own problem (`/start must match ...`) says anything useful.
 */
function isFailedAlternative(error: ErrorObject): boolean {
  return (
    error.keyword === 'oneOf' ||
    error.keyword === 'anyOf' ||
    (error.keyword === 'type' && error.params.type === 'null')
  );
}

function explainedElsewhere(error: ErrorObject, all: readonly ErrorObject[]): boolean {
  return all.some(
    (other) =>
      !isFailedAlternative(other) &&
      (other.instancePath === error.instancePath || other.instancePath.startsWith(`${error.instancePath}/`)),
  );
}

const escapePointerToken = (token: string) => token.replaceAll('~', '~0').replaceAll('/', '~1');

/** A missing or unknown property is reported on its parent; the field is the property itself. */
function fieldOf(error: ErrorObject): string {
  const property =
    error.keyword === 'required'
      ? error.params.missingProperty
      : error.keyword === 'additionalProperties'
        ? error.params.additionalProperty
        : undefined;
  return typeof property === 'string'
    ? `${error.instancePath}/${escapePointerToken(property)}`
    : error.instancePath;
}

const TYPE_NAMES: Partial<Record<string, string>> = {
  string: 'a string',
  integer: 'a whole number',
  number: 'a number',
  boolean: 'true or false',
  object: 'an object',
  array: 'a list',
  null: 'null',
};

const COMPARISONS: Partial<Record<string, string>> = {
  '>=': 'at least',
  '>': 'greater than',
  '<=': 'at most',
  '<': 'less than',
};

const plural = (count: unknown, noun: string) => `${String(count)} ${noun}${count === 1 ? '' : 's'}`;

function messageOf(error: ErrorObject, field: string): string {
  const subject = field === '' ? 'The body' : field;
  const { params } = error;
  switch (error.keyword) {
    case 'required':
      return `${subject} is required`;
    case 'additionalProperties':
      return `${subject} is not an allowed field`;
    case 'type':
      return `${subject} must be ${String(params.type)
        .split(',')
        .map((type) => TYPE_NAMES[type] ?? type)
        .join(' or ')}`;
    case 'pattern':
      return `${subject} must match ${patternName(error)}`;
    case 'minLength':
      return params.limit === 1
        ? `${subject} must not be empty`
        : `${subject} must be at least ${plural(params.limit, 'character')} long`;
    case 'maxLength':
      return `${subject} must be at most ${plural(params.limit, 'character')} long`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
      return `${subject} must be ${COMPARISONS[String(params.comparison)] ?? String(params.comparison)} ${String(params.limit)}`;
    case 'minItems':
      return `${subject} must list at least ${plural(params.limit, 'item')}`;
    case 'maxItems':
      return `${subject} must list at most ${plural(params.limit, 'item')}`;
    case 'uniqueItems':
      return `${subject} must not list the same value twice`;
    case 'minProperties':
      return `${subject} must have at least ${plural(params.limit, 'field')}`;
    case 'maxProperties':
      return `${subject} must have at most ${plural(params.limit, 'field')}`;
    case 'enum':
      return `${subject} must be one of ${(params.allowedValues as unknown[]).map(String).join(', ')}`;
    case 'oneOf':
      return `${subject} must match exactly one of the allowed forms`;
    case 'anyOf':
      return `${subject} must match one of the allowed forms`;
    default:
      return `${subject} ${error.message ?? 'is invalid'}`;
  }
}

/**
 * "the TimeZone pattern (an IANA time zone name such as Europe/Paris or UTC)": the definition the pattern
 * belongs to, and the first sentence of its description; the bare pattern when there is neither.
 */
function patternName(error: ErrorObject): string {
  const definition = /#\/definitions\/(\w+)\/pattern$/.exec(error.schemaPath)?.[1];
  const description = (error.parentSchema as { description?: unknown } | undefined)?.description;
  const explanation = typeof description === 'string' ? ` (${firstSentence(description)})` : '';
  if (definition !== undefined) return `the ${definition} pattern${explanation}`;
  return `the pattern ${String(error.params.pattern)}${explanation}`;
}

/** Lower-cased at the start unless it is an acronym (ISO-8601, RRULE), without the closing full stop. */
function firstSentence(description: string): string {
  const sentence = description.split(/(?<!\be\.g|\bi\.e)\.\s+(?=[A-Z])/)[0] ?? description;
  const trimmed = sentence.replace(/\.$/, '');
  return /^[A-Z](?![A-Z])/.test(trimmed) ? `${trimmed.charAt(0).toLowerCase()}${trimmed.slice(1)}` : trimmed;
}
