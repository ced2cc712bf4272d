import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  describeLeadTime,
  describeSpan,
  fireInstant,
  leadTimeOf,
  NO_LEAD,
  parseLeadTime,
} from '../../../../../functions/shared/reminders/lead-time';

const definitions = JSON.parse(
  readFileSync(join(import.meta.dirname, '../../../../../events-schema/definitions.json'), 'utf8'),
) as { definitions: { LeadTime: { pattern: string } } };
const schemaPattern = new RegExp(definitions.definitions.LeadTime.pattern);

const WELL_FORMED = ['PT15M', 'PT1H', 'P1D', 'P1W', 'P1DT2H', 'PT1H30M', 'PT0M', 'P2W3D', 'P28D', 'PT672H'];
const MALFORMED = ['P1Y', 'P1M', 'PT30S', 'PT1.5H', 'PT1,5H', 'P', 'PT', 'P1DT', '15M', 'pt15m', '-PT15M'];
const MALFORMED_MORE = ['P1DT2H30M15S', 'PT15M ', 'P1D1W', 'PT30M1H', 'P1Y2M3D'];

describe('parseLeadTime', () => {
  it('reads weeks, days, hours and minutes, and no lead time as zero', () => {
    expect(parseLeadTime('PT15M')).toEqual({ ok: true, lead: { weeks: 0, days: 0, hours: 0, minutes: 15 } });
    expect(parseLeadTime('P1DT2H')).toEqual({ ok: true, lead: { weeks: 0, days: 1, hours: 2, minutes: 0 } });
    expect(parseLeadTime('P1W')).toEqual({ ok: true, lead: { weeks: 1, days: 0, hours: 0, minutes: 0 } });
    expect(parseLeadTime('PT0M')).toEqual({ ok: true, lead: NO_LEAD });
    expect(parseLeadTime(undefined)).toEqual({ ok: true, lead: NO_LEAD });
  });

  it.each(WELL_FORMED)('accepts %s, as the schema does', (text) => {
    expect(parseLeadTime(text).ok).toBe(true);
    expect(schemaPattern.test(text)).toBe(true);
  });

  it.each([...MALFORMED, ...MALFORMED_MORE])('refuses %s, as the schema does', (text) => {
    expect(parseLeadTime(text)).toEqual({
      ok: false,
      problem: expect.stringContaining('is not a lead time'),
    });
    expect(schemaPattern.test(text)).toBe(false);
  });

  it('refuses more than 28 days, naming the limit', () => {
    for (const text of ['P29D', 'P4WT1M', 'PT673H', 'P5W']) {
      expect(parseLeadTime(text)).toEqual({
        ok: false,
        problem: expect.stringContaining('at most 28 days before'),
      });
    }
    expect(parseLeadTime('P4W').ok).toBe(true);
    expect(() => leadTimeOf('P29D')).toThrow(RangeError);
  });
});

describe('fireInstant', () => {
  const paris = 'Europe/Paris';
  const lead = (text: string) => leadTimeOf(text);

  it('subtracts minutes and hours as elapsed time', () => {
    expect(fireInstant('2026-12-03T09:00:00.000Z', paris, lead('PT15M'))).toBe('2026-12-03T08:45:00.000Z');
    expect(fireInstant('2026-12-03T09:00:00.000Z', paris, lead('PT1H30M'))).toBe('2026-12-03T07:30:00.000Z');
    expect(fireInstant('2026-12-03T09:00:00.000Z', paris, NO_LEAD)).toBe('2026-12-03T09:00:00.000Z');
  });

  it('counts days on the calendar: P1D before 09:00 is 09:00 the day before, across both DST changes of 2026', () => {
    // Sun 29 Mar 2026 09:00 CEST; the day before is still CET (23 hours earlier).
    expect(fireInstant('2026-03-29T07:00:00.000Z', paris, lead('P1D'))).toBe('2026-03-28T08:00:00.000Z');
    // PT24H is elapsed time: 08:00 local on the Saturday.
    expect(fireInstant('2026-03-29T07:00:00.000Z', paris, lead('PT24H'))).toBe('2026-03-28T07:00:00.000Z');
    // Sun 25 Oct 2026 09:00 CET; the day before is still CEST (25 hours earlier).
    expect(fireInstant('2026-10-25T08:00:00.000Z', paris, lead('P1D'))).toBe('2026-10-24T07:00:00.000Z');
    // A week before a Monday after the change: same wall time.
    expect(fireInstant('2026-03-30T07:00:00.000Z', paris, lead('P1W'))).toBe('2026-03-23T08:00:00.000Z');
  });
});

describe('describing lead times and spans', () => {
  it('says a lead time briefly', () => {
    expect(describeLeadTime(leadTimeOf('PT15M'))).toBe('15 min');
    expect(describeLeadTime(leadTimeOf('PT1H30M'))).toBe('1 h 30 min');
    expect(describeLeadTime(leadTimeOf('P1DT2H'))).toBe('1 day 2 h');
    expect(describeLeadTime(leadTimeOf('P2W'))).toBe('2 weeks');
    expect(describeLeadTime(NO_LEAD)).toBe('0 min');
  });

  it('says a span to the nearest minute, a calendar day across DST being one day', () => {
    const paris = 'Europe/Paris';
    expect(describeSpan('2026-12-03T08:45:01.500Z', '2026-12-03T09:00:00.000Z', paris)).toBe('15 minutes');
    expect(describeSpan('2026-12-03T07:30:00.000Z', '2026-12-03T09:00:00.000Z', paris)).toBe(
      '1 hour 30 minutes',
    );
    expect(describeSpan('2026-03-28T08:00:00.000Z', '2026-03-29T07:00:00.000Z', paris)).toBe('1 day');
    expect(describeSpan('2026-12-03T09:05:00.000Z', '2026-12-03T09:00:00.000Z', paris)).toBe('5 minutes');
    expect(describeSpan('2026-12-03T09:00:10.000Z', '2026-12-03T09:00:00.000Z', paris)).toBe('now');
    expect(describeSpan('2026-11-25T09:00:00.000Z', '2026-12-03T09:00:00.000Z', paris)).toBe('1 week 1 day');
  });
});
