/** AWS's "N validation errors detected" message, as the emulated services answer malformed input. */
import { describe, expect, it } from 'vitest';
import { constraint, validationMessage } from '../../../../../infra/local/shared/validation';

describe('validationMessage', () => {
  it('quotes a given value, writes null for a missing one and leaves out one AWS does not echo', () => {
    expect(
      validationMessage([
        { value: 'x y', member: 'name', constraint: constraint.pattern('[.\\-_A-Za-z0-9]+') },
      ]),
    ).toBe(
      "1 validation error detected: Value 'x y' at 'name' failed to satisfy constraint: Member must satisfy regular expression pattern: [.\\-_A-Za-z0-9]+",
    );
    expect(
      validationMessage([{ value: null, member: 'targets.member.arn', constraint: constraint.notNull }]),
    ).toBe(
      "1 validation error detected: Value null at 'targets.member.arn' failed to satisfy constraint: Member must not be null",
    );
    expect(validationMessage([{ member: 'records', constraint: constraint.lengthBetween(1, 500) }])).toBe(
      "1 validation error detected: Value at 'records' failed to satisfy constraint: Member must have length between 1 and 500",
    );
  });

  it('counts several problems and joins them with semicolons', () => {
    expect(
      validationMessage([
        { value: 'PAUSED', member: 'state', constraint: constraint.oneOf(['ENABLED', 'DISABLED']) },
        { value: '0', member: 'maxResults', constraint: constraint.valueBetween(1, 100) },
      ]),
    ).toBe(
      "2 validation errors detected: Value 'PAUSED' at 'state' failed to satisfy constraint: Member must satisfy enum value set: [ENABLED, DISABLED]; " +
        "Value '0' at 'maxResults' failed to satisfy constraint: Member must have value between 1 and 100",
    );
  });
});
