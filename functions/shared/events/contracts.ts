/**
 * Validation of event details against the generated validators (from events-schema/). Publishers validate
 * before PutEvents; consumers validate on receipt. Both refuse with the schema path of the first problem.
 */
import type { ErrorObject, ValidateFunction } from 'ajv';
import { type DetailOf, type DetailType, SOURCE_OF } from '../../../events-schema/generated/types';
import * as validators from '../../../events-schema/generated/validators.js';

export { type DetailOf, type DetailType, SOURCE_OF };

export class EventValidationError extends Error {
  constructor(
    readonly detailType: string,
    readonly problem: string,
  ) {
    super(`Invalid ${detailType} event: ${problem}`);
    this.name = 'EventValidationError';
  }
}

const validatorOf = validators as unknown as Partial<Record<string, ValidateFunction>>;

export function isDetailType(name: string): name is DetailType {
  return Object.hasOwn(SOURCE_OF, name);
}

function describe(error: ErrorObject): string {
  const where = error.instancePath === '' ? 'detail' : `detail${error.instancePath}`;
  const extra =
    error.keyword === 'additionalProperties'
      ? ` ("${String(error.params.additionalProperty)}")`
      : error.keyword === 'enum'
        ? ` (${JSON.stringify(error.params.allowedValues)})`
        : '';
  return `${where} ${error.message ?? 'is invalid'}${extra} [schema path ${error.schemaPath}]`;
}

/** Returns the detail typed when it conforms to its schema; throws EventValidationError otherwise. */
export function validateDetail<T extends DetailType>(detailType: T, detail: unknown): DetailOf<T> {
  const validate = validatorOf[detailType];
  if (!validate) throw new EventValidationError(detailType, 'unknown detail-type');
  if (!validate(detail)) {
    const [first] = validate.errors ?? [];
    throw new EventValidationError(detailType, first ? describe(first) : 'does not match its schema');
  }
  return detail as DetailOf<T>;
}
