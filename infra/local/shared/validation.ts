/**
 * AWS's message for input that breaks the API model's shape constraints:
 * "1 validation error detected: Value 'x' at 'name' failed to satisfy constraint: …", and for several problems
 * "N validation errors detected: …; …". Each service wraps it in its own error (ValidationException...).
 */

/**
 * One member that broke a constraint. `value` is shown as AWS shows it: a string quoted, `null` as `null`
 * (a required member left out), and left out entirely when AWS does not echo it (lists, oversized values).
 */
export interface FieldProblem {
  readonly member: string;
  readonly constraint: string;
  readonly value?: string | null;
}

function describe(problem: FieldProblem): string {
  const value = problem.value === undefined ? '' : problem.value === null ? ' null' : ` '${problem.value}'`;
  return `Value${value} at '${problem.member}' failed to satisfy constraint: ${problem.constraint}`;
}

export function validationMessage(problems: readonly [FieldProblem, ...FieldProblem[]]): string {
  const count = problems.length === 1 ? '1 validation error' : `${problems.length} validation errors`;
  return `${count} detected: ${problems.map(describe).join('; ')}`;
}

/** The constraint wordings the API models use. */
export const constraint = {
  notNull: 'Member must not be null',
  maxLength: (max: number) => `Member must have length less than or equal to ${max}`,
  minLength: (min: number) => `Member must have length greater than or equal to ${min}`,
  lengthBetween: (min: number, max: number) => `Member must have length between ${min} and ${max}`,
  valueBetween: (min: number, max: number) => `Member must have value between ${min} and ${max}`,
  minValue: (min: number) => `Member must have value greater than or equal to ${min}`,
  maxValue: (max: number) => `Member must have value less than or equal to ${max}`,
  oneOf: (values: readonly string[]) => `Member must satisfy enum value set: [${values.join(', ')}]`,
  pattern: (pattern: string) => `Member must satisfy regular expression pattern: ${pattern}`,
} as const;
