/**
 * Attribute names JavaScript objects cannot hold as plain properties. dynalite builds items, keys and
 * projections with `{}` and `object[name] = value`; for the name `__proto__` that assignment sets the
 * prototype instead, so the attribute vanished. Requests are therefore rewritten before dynalite sees them, and
 * answers back, with a bijective renaming: a name of the form `\0…\0__proto__` (zero or more NULs) gains one
 * leading NUL on the way in and loses it on the way out. `__proto__` itself is thus never a key inside
 * dynalite, and a name that already looks escaped stays distinct from it.
 *
 * Renamed: keys of every object in the request (only attribute names can be `__proto__`: no API member is
 * called that), ExpressionAttributeNames values, AttributesToGet entries and `AttributeName` members (key
 * schemas, definitions). Names written literally inside expression strings are not rewritten.
 */
import { AwsServiceError, type Operation } from '../edge/contracts';

const SPECIAL = /^\0*__proto__$/;

const inward = (name: string): string => (SPECIAL.test(name) ? `\0${name}` : name);
const outward = (name: string): string =>
  name.startsWith('\0') && SPECIAL.test(name) ? name.slice(1) : name;

/** Members whose string values (or list of strings) are attribute names rather than data. */
const NAME_VALUED = new Set(['AttributesToGet', 'AttributeName']);

type Rename = (name: string) => string;

/** `value` with renamed keys and name-valued strings; the same object when nothing needed renaming. */
function rewrite(value: unknown, rename: Rename, namesOnly: boolean): unknown {
  if (typeof value === 'string') return namesOnly ? rename(value) : value;
  if (Array.isArray(value)) {
    let copy: unknown[] | undefined;
    value.forEach((item, index) => {
      const next = rewrite(item, rename, namesOnly);
      if (next !== item) {
        copy ??= [...value];
        copy[index] = next;
      }
    });
    return copy ?? value;
  }
  if (typeof value !== 'object' || value === null || value instanceof Uint8Array) return value;
  let changed = false;
  const entries: [string, unknown][] = [];
  for (const [key, member] of Object.entries(value)) {
    const name = rename(key);
    const valuesAreNames = NAME_VALUED.has(key) || key === 'ExpressionAttributeNames';
    // Inside ExpressionAttributeNames the keys are placeholders (`#n`) and only the values are names.
    const next =
      key === 'ExpressionAttributeNames'
        ? rewriteValues(member, rename)
        : rewrite(member, rename, valuesAreNames);
    if (name !== key || next !== member) changed = true;
    entries.push([name, next]);
  }
  if (!changed) return value;
  const copy: Record<string, unknown> = {};
  // defineProperty makes `__proto__` an own attribute on the way out, where assignment would not.
  for (const [name, member] of entries)
    Object.defineProperty(copy, name, {
      value: member,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return copy;
}

function rewriteValues(map: unknown, rename: Rename): unknown {
  if (typeof map !== 'object' || map === null || Array.isArray(map)) return map;
  let copy: Record<string, unknown> | undefined;
  for (const [placeholder, name] of Object.entries(map)) {
    if (typeof name !== 'string' || rename(name) === name) continue;
    copy ??= { ...map };
    copy[placeholder] = rename(name);
  }
  return copy ?? map;
}

/** The request as dynalite may safely see it. */
export const escapeRequest = (input: unknown): unknown => rewrite(input, inward, false);

/** An answer (or an error's extra members) with the original names back. */
export const unescapeAnswer = (output: unknown): unknown => rewrite(output, outward, false);

/** Wraps an operation so that dynalite never sees `__proto__`, and errors carry the original names too. */
export function withSafeAttributeNames(operation: Operation): Operation {
  return async (input, context) => {
    try {
      return unescapeAnswer(await operation(escapeRequest(input), context));
    } catch (error) {
      if (error instanceof AwsServiceError && Object.keys(error.extra).length > 0) {
        const extra = unescapeAnswer(error.extra) as Record<string, unknown>;
        if (extra !== error.extra)
          throw new AwsServiceError(error.code, error.message, error.statusCode, extra);
      }
      throw error;
    }
  };
}
