import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import Ajv from 'ajv-draft-04';
import { describe, expect, it } from 'vitest';
import { loadEventCatalogue } from '../../../events-schema/catalogue';
import { EventValidationError, validateDetail } from '../../../functions/shared/events/contracts';
import { GENERATED_FOLDER, renderEventContracts } from '../../../scripts/generate-event-contracts';

const catalogue = loadEventCatalogue();
const fixtureFolder = join(import.meta.dirname, '../../fixtures/events');
const fixture = (detailType: string) =>
  JSON.parse(readFileSync(join(fixtureFolder, `${detailType}.json`), 'utf8')) as {
    valid: unknown;
    invalid: unknown;
    expectedProblem: string;
  };

describe('event catalogue', () => {
  it('covers every event family the brief names', () => {
    const names = catalogue.map((entry) => entry.detailType);
    for (const name of [
      'MessageReceived',
      'OtpRequested',
      'OtpCodeSubmitted',
      'OtpVerified',
      'UserLockedOut',
      'SessionExpired',
      'ReminderRequested',
      'ReminderScheduled',
      'ReminderDue',
      'ReminderDelivered',
      'ReminderFailed',
      'ReminderCancelled',
    ]) {
      expect(names).toContain(name);
    }
    expect(new Set(catalogue.map((entry) => entry.source))).toEqual(
      new Set(['aurora.messenger', 'aurora.auth', 'aurora.reminders', 'aurora.admin']),
    );
  });

  it('has one valid and one invalid fixture per event', () => {
    const fixtures = readdirSync(fixtureFolder).map((file) => file.replace(/\.json$/, ''));
    expect(fixtures.sort()).toEqual(catalogue.map((entry) => entry.detailType).sort());
  });

  it.each(catalogue)(
    '$detailType compiles as Draft 4, standing alone, and requires a schema version',
    (entry) => {
      const ajv = new Ajv({ strict: true });
      expect(() => ajv.compile(entry.eventSchema)).not.toThrow();
      expect(entry.detailSchema.required).toContain('schemaVersion');
      expect(JSON.stringify(entry.eventSchema)).not.toContain('definitions.json');
    },
  );

  it.each(catalogue)(
    '$detailType accepts its valid fixture and names the problem in the invalid one',
    (entry) => {
      const { valid, invalid, expectedProblem } = fixture(entry.detailType);
      expect(validateDetail(entry.detailType as never, valid)).toEqual(valid);
      let refusal: unknown;
      try {
        validateDetail(entry.detailType as never, invalid);
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(EventValidationError);
      expect((refusal as Error).message).toContain(expectedProblem);
      expect((refusal as Error).message).toMatch(/schema path #\//);
    },
  );

  it('refuses a detail-type that is not in the catalogue', () => {
    expect(() => validateDetail('SomethingHappened' as never, {})).toThrow(/unknown detail-type/);
  });

  it('generated types and validators are fresh (run `npm run generate` after editing a schema)', async () => {
    const expected = await renderEventContracts();
    for (const [name, content] of Object.entries(expected)) {
      expect(readFileSync(join(GENERATED_FOLDER, name), 'utf8'), `${name} is stale`).toBe(content);
    }
  });
});
