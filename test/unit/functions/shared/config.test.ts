import { describe, expect, it } from 'vitest';
import { optional, required, requiredWholeNumber } from '../../../../functions/shared/config';

describe('settings', () => {
  it('reads a required setting, and fails loudly when it is missing or empty', () => {
    expect(required('TABLE_NAME', { TABLE_NAME: 'aurora' })).toBe('aurora');
    expect(() => required('TABLE_NAME', {})).toThrow('Environment variable TABLE_NAME is not set');
    expect(() => required('TABLE_NAME', { TABLE_NAME: '' })).toThrow('is not set');
  });

  it('takes the stated default for an unset or empty optional setting', () => {
    expect(optional('OUTCOME_WAIT_MS', 10_000, {})).toBe(10_000);
    expect(optional('OUTCOME_WAIT_MS', 10_000, { OUTCOME_WAIT_MS: '' })).toBe(10_000);
    expect(optional('OUTCOME_WAIT_MS', 10_000, { OUTCOME_WAIT_MS: '12000' })).toBe(12_000);
    expect(optional('SES_CONFIGURATION_SET', '', {})).toBe('');
    expect(optional('SES_CONFIGURATION_SET', '', { SES_CONFIGURATION_SET: 'aurora' })).toBe('aurora');
  });

  it('refuses a number setting that is not a whole number in range', () => {
    expect(() => optional('OUTCOME_WAIT_MS', 10_000, { OUTCOME_WAIT_MS: 'ten' })).toThrow(
      'OUTCOME_WAIT_MS must be a whole number of at least 0, not "ten"',
    );
    expect(() => optional('OUTCOME_WAIT_MS', 10_000, { OUTCOME_WAIT_MS: '-1' })).toThrow('at least 0');
    expect(requiredWholeNumber('LOCK_MINUTES', 1, { LOCK_MINUTES: '15' })).toBe(15);
    expect(() => requiredWholeNumber('LOCK_MINUTES', 1, { LOCK_MINUTES: '0' })).toThrow('at least 1');
    expect(() => requiredWholeNumber('LOCK_MINUTES', 1, { LOCK_MINUTES: '1.5' })).toThrow('whole number');
    expect(() => requiredWholeNumber('LOCK_MINUTES', 1, {})).toThrow('is not set');
  });
});
