/**
 * The one way functions read their settings from the environment, at cold start: a missing required setting
 * or a malformed number fails the function loudly before it serves anything; an optional one states its
 * default where it is read.
 */
export type Environment = Readonly<Record<string, string | undefined>>;

/** A setting the function cannot run without. */
export function required(name: string, environment: Environment = process.env): string {
  const value = environment[name];
  if (!value) throw new Error(`Environment variable ${name} is not set`);
  return value;
}

/** A required whole number of at least `min`, e.g. a duration in minutes. */
export function requiredWholeNumber(
  name: string,
  min: number,
  environment: Environment = process.env,
): number {
  return wholeNumber(name, required(name, environment), min);
}

/**
 * A setting with a default, used when it is unset or empty. A number default makes it a whole number of at
 * least 0; a text default, text (an empty text default meaning "none").
 */
export function optional(name: string, fallback: number, environment?: Environment): number;
export function optional(name: string, fallback: string, environment?: Environment): string;
export function optional(
  name: string,
  fallback: number | string,
  environment: Environment = process.env,
): number | string {
  const value = environment[name];
  if (value === undefined || value === '') return fallback;
  return typeof fallback === 'number' ? wholeNumber(name, value, 0) : value;
}

function wholeNumber(name: string, value: string, min: number): number {
  const number = Number(value);
  if (!Number.isInteger(number) || number < min) {
    throw new Error(`Environment variable ${name} must be a whole number of at least ${min}, not "${value}"`);
  }
  return number;
}
