import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ValidateFunction } from 'ajv';
import { describe, expect, it } from 'vitest';
import { resourceDefinitions } from '../../../events-schema/api/resource-definitions';
import * as validators from '../../../events-schema/generated/api-validators.js';
import { fieldErrors } from '../../../functions/shared/http/validation';
import {
  API_REQUEST_BODIES,
  GENERATED_FOLDER,
  renderApiContracts,
} from '../../../scripts/generate-event-contracts';

const problemsOf = (validate: ValidateFunction, body: unknown) => {
  expect(validate(body)).toBe(false);
  return fieldErrors(validate.errors);
};

describe('generated API contracts', () => {
  it('are fresh (run `npm run generate` after editing a schema)', async () => {
    const expected = await renderApiContracts();
    expect(Object.keys(expected).sort()).toEqual([
      'api-types.ts',
      'api-validators.d.ts',
      'api-validators.js',
    ]);
    for (const [name, content] of Object.entries(expected)) {
      expect(readFileSync(join(GENERATED_FOLDER, name), 'utf8'), `${name} is stale`).toBe(content);
    }
  });

  it('declare one type per definition, shared ones once, under the definition names', () => {
    const types = readFileSync(join(GENERATED_FOLDER, 'api-types.ts'), 'utf8');
    const declared = [...types.matchAll(/^export (?:type|interface) (\w+)/gm)].map((match) => match[1]);
    expect(declared.sort()).toEqual(Object.keys(resourceDefinitions('#/definitions/')).sort());
    expect(types).toMatch(/^ {2}start\?: LocalDateTime \| null;$/m);
    expect(types).toMatch(/^ {2}quietHours\?: QuietHours \| null;$/m);
    expect(types).toMatch(/^ {2}startsAt: Timestamp;$/m);
  });

  it('export a validator for each request body, and only those', () => {
    expect(Object.keys(validators).sort()).toEqual([...API_REQUEST_BODIES].sort());
  });

  it('accept valid request bodies, merge-patch nulls included', () => {
    expect(
      validators.EventInput({
        title: 'Dentist',
        start: '2026-11-23T09:00',
        end: '2026-11-23T10:00',
        timeZone: 'Europe/Paris',
        reminders: [{ offset: 'PT15M', channels: ['email'] }],
      }),
    ).toBe(true);
    expect(validators.EventPatch({ location: null, notes: null, endDate: null })).toBe(true);
    expect(validators.MePatch({ quietHours: null })).toBe(true);
    expect(validators.SnoozeInput({})).toBe(true);
  });
});

describe('fieldErrors', () => {
  it('reports every problem, each under the JSON pointer of its field', () => {
    const problems = problemsOf(validators.EventInput, {
      start: '2026-13-01T09:00',
      timeZone: 'paris',
      colour: 'red',
      reminders: [{ offset: 'soon' }, {}],
    });
    expect(problems).toEqual([
      { field: '/title', rule: 'required', message: '/title is required' },
      { field: '/colour', rule: 'additionalProperties', message: '/colour is not an allowed field' },
      {
        field: '/start',
        rule: 'pattern',
        message:
          '/start must match the LocalDateTime pattern (a wall-clock date and time without offset, read in the ' +
          'accompanying time zone, e.g. 2026-11-23T09:00)',
      },
      {
        field: '/timeZone',
        rule: 'pattern',
        message:
          '/timeZone must match the TimeZone pattern (an IANA time zone name such as Europe/Paris or UTC)',
      },
      {
        field: '/reminders/0/offset',
        rule: 'pattern',
        message: expect.stringMatching(
          /^\/reminders\/0\/offset must match the LeadTime pattern \(how long .*itself\)$/,
        ),
      },
      { field: '/reminders/1/offset', rule: 'required', message: '/reminders/1/offset is required' },
    ]);
  });

  it("reports a merge-patch field's own problem, not the null alternative it also fails", () => {
    expect(problemsOf(validators.EventPatch, { start: 5, notes: 'x'.repeat(2001), location: null })).toEqual([
      { field: '/start', rule: 'type', message: '/start must be a string' },
      { field: '/notes', rule: 'maxLength', message: '/notes must be at most 2000 characters long' },
    ]);
    expect(problemsOf(validators.MePatch, { quietHours: { start: '25:00' } })).toEqual([
      { field: '/quietHours/end', rule: 'required', message: '/quietHours/end is required' },
      {
        field: '/quietHours/start',
        rule: 'pattern',
        message: '/quietHours/start must match the pattern ^([01]\\d|2[0-3]):[0-5]\\d$',
      },
    ]);
  });

  it('words bounds, lists, enums and the body itself', () => {
    expect(problemsOf(validators.EventPatch, {})).toEqual([
      { field: '', rule: 'minProperties', message: 'The body must have at least 1 field' },
    ]);
    expect(problemsOf(validators.ReminderInput, [])).toEqual([
      { field: '', rule: 'type', message: 'The body must be an object' },
    ]);
    expect(problemsOf(validators.SnoozeInput, { minutes: 0.5 })).toEqual([
      { field: '/minutes', rule: 'type', message: '/minutes must be a whole number' },
      { field: '/minutes', rule: 'minimum', message: '/minutes must be at least 1' },
    ]);
    expect(problemsOf(validators.SnoozeInput, { minutes: 20_000 })).toEqual([
      { field: '/minutes', rule: 'maximum', message: '/minutes must be at most 10080' },
    ]);
    expect(problemsOf(validators.ReminderPatch, { title: '', at: '2026' })).toEqual([
      { field: '/title', rule: 'minLength', message: '/title must not be empty' },
      { field: '/at', rule: 'minLength', message: '/at must be at least 16 characters long' },
    ]);
    expect(problemsOf(validators.MePatch, { defaultChannels: ['email', 'email', 'sms'] })).toEqual([
      {
        field: '/defaultChannels/2',
        rule: 'enum',
        message: '/defaultChannels/2 must be one of email, messenger',
      },
      {
        field: '/defaultChannels',
        rule: 'uniqueItems',
        message: '/defaultChannels must not list the same value twice',
      },
    ]);
    expect(problemsOf(validators.MePatch, { defaultChannels: [] })).toEqual([
      { field: '/defaultChannels', rule: 'minItems', message: '/defaultChannels must list at least 1 item' },
    ]);
  });

  it('escapes a property name in its pointer', () => {
    expect(problemsOf(validators.SnoozeInput, { 'a/b~c': 1 })).toEqual([
      { field: '/a~1b~0c', rule: 'additionalProperties', message: '/a~1b~0c is not an allowed field' },
    ]);
  });

  it('has nothing to report without errors', () => {
    expect(fieldErrors(null)).toEqual([]);
    expect(fieldErrors([])).toEqual([]);
  });
});
