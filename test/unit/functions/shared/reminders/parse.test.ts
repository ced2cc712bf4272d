import { describe, expect, it } from 'vitest';
import {
  helpExamples,
  MAX_TITLE_LENGTH,
  type ParsedReminder,
  parseReminder,
  parseWhen,
} from '../../../../../functions/shared/reminders/parse';

/** Sunday 22 November 2026, 10:00 on the wall in each zone (Paris UTC+1, New York UTC−5, Kolkata UTC+5:30). */
const NOW = {
  'Europe/Paris': Date.parse('2026-11-22T09:00:00.000Z'),
  'America/New_York': Date.parse('2026-11-22T15:00:00.000Z'),
  'Asia/Kolkata': Date.parse('2026-11-22T04:30:00.000Z'),
} as const;
type Zone = keyof typeof NOW;

interface Row {
  readonly request: string;
  readonly title: string;
  readonly dueLocal: string;
  readonly anchor: 'wall' | 'instant';
  readonly rrule?: string;
  /** dueAt in Paris, New York and Kolkata */
  readonly dueAt: readonly [string, string, string];
}

const wall = (
  request: string,
  title: string,
  dueLocal: string,
  dueAt: Row['dueAt'],
  rrule?: string,
): Row => ({
  request,
  title,
  dueLocal,
  anchor: 'wall',
  dueAt,
  ...(rrule ? { rrule } : {}),
});
const instant = (request: string, title: string, dueLocal: string, dueAt: Row['dueAt']): Row => ({
  request,
  title,
  dueLocal,
  anchor: 'instant',
  dueAt,
});
const z = (time: string) => `${time}:00.000Z`;
const WEEKDAYS = 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR';

// The same wall time in the three zones; each dueAt worked out by hand from the zone's offset on that date.
const ROWS: Row[] = [
  wall('to call mum tomorrow at 9', 'call mum', '2026-11-23T09:00', [
    z('2026-11-23T08:00'),
    z('2026-11-23T14:00'),
    z('2026-11-23T03:30'),
  ]),
  wall('to call mum ☎️ tomorrow at 9', 'call mum ☎️', '2026-11-23T09:00', [
    z('2026-11-23T08:00'),
    z('2026-11-23T14:00'),
    z('2026-11-23T03:30'),
  ]),
  instant('to stretch in 20 minutes', 'stretch', '2026-11-22T10:20', [
    z('2026-11-22T09:20'),
    z('2026-11-22T15:20'),
    z('2026-11-22T04:50'),
  ]),
  instant('to check the oven in 2 hours', 'check the oven', '2026-11-22T12:00', [
    z('2026-11-22T11:00'),
    z('2026-11-22T17:00'),
    z('2026-11-22T06:30'),
  ]),
  wall('to book tickets next friday 15:00', 'book tickets', '2026-11-27T15:00', [
    z('2026-11-27T14:00'),
    z('2026-11-27T20:00'),
    z('2026-11-27T09:30'),
  ]),
  wall('to pay rent on 5 Jan at 8:30am', 'pay rent', '2027-01-05T08:30', [
    z('2027-01-05T07:30'),
    z('2027-01-05T13:30'),
    z('2027-01-05T03:00'),
  ]),
  wall('to eat at 18:30', 'eat', '2026-11-22T18:30', [
    z('2026-11-22T17:30'),
    z('2026-11-22T23:30'),
    z('2026-11-22T13:00'),
  ]),
  wall('to watch the match tonight at 8', 'watch the match', '2026-11-22T20:00', [
    z('2026-11-22T19:00'),
    z('2026-11-23T01:00'),
    z('2026-11-22T14:30'),
  ]),
  wall('to call dad on sunday at 6pm', 'call dad', '2026-11-22T18:00', [
    z('2026-11-22T17:00'),
    z('2026-11-22T23:00'),
    z('2026-11-22T12:30'),
  ]),
  wall('to wrap gifts on 2026-12-24 at 10:00', 'wrap gifts', '2026-12-24T10:00', [
    z('2026-12-24T09:00'),
    z('2026-12-24T15:00'),
    z('2026-12-24T04:30'),
  ]),
  wall(
    'to water plants every weekday at 8',
    'water plants',
    '2026-11-23T08:00',
    [z('2026-11-23T07:00'), z('2026-11-23T13:00'), z('2026-11-23T02:30')],
    WEEKDAYS,
  ),
  wall(
    'to stand up every day at 9',
    'stand up',
    '2026-11-23T09:00',
    [z('2026-11-23T08:00'), z('2026-11-23T14:00'), z('2026-11-23T03:30')],
    'FREQ=DAILY',
  ),
  wall(
    'to run every 2 weeks on monday at 18:00',
    'run',
    '2026-11-23T18:00',
    [z('2026-11-23T17:00'), z('2026-11-23T23:00'), z('2026-11-23T12:30')],
    'FREQ=WEEKLY;INTERVAL=2;BYDAY=MO',
  ),
  wall(
    'to pay rent on the 1st of every month',
    'pay rent',
    '2026-12-01T09:00',
    [z('2026-12-01T08:00'), z('2026-12-01T14:00'), z('2026-12-01T03:30')],
    'FREQ=MONTHLY;BYMONTHDAY=1',
  ),
  wall(
    'to plan the week every monday',
    'plan the week',
    '2026-11-23T09:00',
    [z('2026-11-23T08:00'), z('2026-11-23T14:00'), z('2026-11-23T03:30')],
    'FREQ=WEEKLY;BYDAY=MO',
  ),
  wall(
    'to jog daily at 7am',
    'jog',
    '2026-11-23T07:00',
    [z('2026-11-23T06:00'), z('2026-11-23T12:00'), z('2026-11-23T01:30')],
    'FREQ=DAILY',
  ),
  wall(
    'to send the report weekly on friday at 17:00',
    'send the report',
    '2026-11-27T17:00',
    [z('2026-11-27T16:00'), z('2026-11-27T22:00'), z('2026-11-27T11:30')],
    'FREQ=WEEKLY;BYDAY=FR',
  ),
  wall(
    'to send a card every year on 3 march',
    'send a card',
    '2027-03-03T09:00',
    [z('2027-03-03T08:00'), z('2027-03-03T14:00'), z('2027-03-03T03:30')],
    'FREQ=YEARLY;BYMONTH=3;BYMONTHDAY=3',
  ),
  wall('to take the bins out tomorrow', 'take the bins out', '2026-11-23T09:00', [
    z('2026-11-23T08:00'),
    z('2026-11-23T14:00'),
    z('2026-11-23T03:30'),
  ]),
  wall('to take 2 pills at 9', 'take 2 pills', '2026-11-23T09:00', [
    z('2026-11-23T08:00'),
    z('2026-11-23T14:00'),
    z('2026-11-23T03:30'),
  ]),
  wall('to buy 3 eggs tomorrow at 7:45', 'buy 3 eggs', '2026-11-23T07:45', [
    z('2026-11-23T06:45'),
    z('2026-11-23T12:45'),
    z('2026-11-23T02:15'),
  ]),
  instant('to rest in half an hour', 'rest', '2026-11-22T10:30', [
    z('2026-11-22T09:30'),
    z('2026-11-22T15:30'),
    z('2026-11-22T05:00'),
  ]),
  wall('to read this evening', 'read', '2026-11-22T20:00', [
    z('2026-11-22T19:00'),
    z('2026-11-23T01:00'),
    z('2026-11-22T14:30'),
  ]),
  wall('to run tomorrow morning', 'run', '2026-11-23T09:00', [
    z('2026-11-23T08:00'),
    z('2026-11-23T14:00'),
    z('2026-11-23T03:30'),
  ]),
  wall('to have lunch at noon', 'have lunch', '2026-11-22T12:00', [
    z('2026-11-22T11:00'),
    z('2026-11-22T17:00'),
    z('2026-11-22T06:30'),
  ]),
  instant('to follow up in 3 days', 'follow up', '2026-11-25T10:00', [
    z('2026-11-25T09:00'),
    z('2026-11-25T15:00'),
    z('2026-11-25T04:30'),
  ]),
  wall('to call back in 2 days at 9', 'call back', '2026-11-24T09:00', [
    z('2026-11-24T08:00'),
    z('2026-11-24T14:00'),
    z('2026-11-24T03:30'),
  ]),
  wall(
    'to stretch every other day',
    'stretch',
    '2026-11-23T09:00',
    [z('2026-11-23T08:00'), z('2026-11-23T14:00'), z('2026-11-23T03:30')],
    'FREQ=DAILY;INTERVAL=2',
  ),
  wall(
    'to pay the card monthly on the 15th',
    'pay the card',
    '2026-12-15T09:00',
    [z('2026-12-15T08:00'), z('2026-12-15T14:00'), z('2026-12-15T03:30')],
    'FREQ=MONTHLY;BYMONTHDAY=15',
  ),
  wall(
    'to review the budget every month',
    'review the budget',
    '2026-12-22T09:00',
    [z('2026-12-22T08:00'), z('2026-12-22T14:00'), z('2026-12-22T03:30')],
    'FREQ=MONTHLY',
  ),
  wall(
    'to clean fortnightly at 11',
    'clean',
    '2026-11-22T11:00',
    [z('2026-11-22T10:00'), z('2026-11-22T16:00'), z('2026-11-22T05:30')],
    'FREQ=WEEKLY;INTERVAL=2',
  ),
  wall(
    'to swim every tuesday and thursday at 7pm',
    'swim',
    '2026-11-24T19:00',
    [z('2026-11-24T18:00'), z('2026-11-25T00:00'), z('2026-11-24T13:30')],
    'FREQ=WEEKLY;BYDAY=TU,TH',
  ),
  wall('to read chapter 5 at 9pm', 'read chapter 5', '2026-11-22T21:00', [
    z('2026-11-22T20:00'),
    z('2026-11-23T02:00'),
    z('2026-11-22T15:30'),
  ]),
  wall('to call 911 at 8', 'call 911', '2026-11-23T08:00', [
    z('2026-11-23T07:00'),
    z('2026-11-23T13:00'),
    z('2026-11-23T02:30'),
  ]),
  wall('to shop on monday', 'shop', '2026-11-23T09:00', [
    z('2026-11-23T08:00'),
    z('2026-11-23T14:00'),
    z('2026-11-23T03:30'),
  ]),
  wall('to sleep at midnight', 'sleep', '2026-11-23T00:00', [
    z('2026-11-22T23:00'),
    z('2026-11-23T05:00'),
    z('2026-11-22T18:30'),
  ]),
  instant('to check in 90 min', 'check', '2026-11-22T11:30', [
    z('2026-11-22T10:30'),
    z('2026-11-22T16:30'),
    z('2026-11-22T06:00'),
  ]),
  wall('to submit the form by friday', 'submit the form', '2026-11-27T09:00', [
    z('2026-11-27T08:00'),
    z('2026-11-27T14:00'),
    z('2026-11-27T03:30'),
  ]),
  wall('to leave at 10:30', 'leave', '2026-11-22T10:30', [
    z('2026-11-22T09:30'),
    z('2026-11-22T15:30'),
    z('2026-11-22T05:00'),
  ]),
  // 10:00 is now: the next 10:00 is tomorrow's.
  wall('to stop at 10', 'stop', '2026-11-23T10:00', [
    z('2026-11-23T09:00'),
    z('2026-11-23T15:00'),
    z('2026-11-23T04:30'),
  ]),
  wall('on friday at 9am to call the bank', 'call the bank', '2026-11-27T09:00', [
    z('2026-11-27T08:00'),
    z('2026-11-27T14:00'),
    z('2026-11-27T03:30'),
  ]),
  wall('at 7pm to cook', 'cook', '2026-11-22T19:00', [
    z('2026-11-22T18:00'),
    z('2026-11-23T00:00'),
    z('2026-11-22T13:30'),
  ]),
  wall('to visit grandma on Dec 24th at 10am', 'visit grandma', '2026-12-24T10:00', [
    z('2026-12-24T09:00'),
    z('2026-12-24T15:00'),
    z('2026-12-24T04:30'),
  ]),
  wall('to renew the passport on 3 March 2027 at 14:00', 'renew the passport', '2027-03-03T14:00', [
    z('2027-03-03T13:00'),
    z('2027-03-03T19:00'),
    z('2027-03-03T08:30'),
  ]),
  instant('to book the dentist in 2 weeks', 'book the dentist', '2026-12-06T10:00', [
    z('2026-12-06T09:00'),
    z('2026-12-06T15:00'),
    z('2026-12-06T04:30'),
  ]),
  wall('to celebrate on 1 January at 0:05', 'celebrate', '2027-01-01T00:05', [
    z('2026-12-31T23:05'),
    z('2027-01-01T05:05'),
    z('2026-12-31T18:35'),
  ]),
  wall('to call the plumber on Wednesday', 'call the plumber', '2026-11-25T09:00', [
    z('2026-11-25T08:00'),
    z('2026-11-25T14:00'),
    z('2026-11-25T03:30'),
  ]),
  instant('to drink water in an hour', 'drink water', '2026-11-22T11:00', [
    z('2026-11-22T10:00'),
    z('2026-11-22T16:00'),
    z('2026-11-22T05:30'),
  ]),
  wall('to meet Ann next monday at 12:15', 'meet Ann', '2026-11-23T12:15', [
    z('2026-11-23T11:15'),
    z('2026-11-23T17:15'),
    z('2026-11-23T06:45'),
  ]),
  // "next" on the day itself means a week on.
  wall('to call Joe next sunday at 18:00', 'call Joe', '2026-11-29T18:00', [
    z('2026-11-29T17:00'),
    z('2026-11-29T23:00'),
    z('2026-11-29T12:30'),
  ]),
  wall('to pick up the kids today at 3pm', 'pick up the kids', '2026-11-22T15:00', [
    z('2026-11-22T14:00'),
    z('2026-11-22T20:00'),
    z('2026-11-22T09:30'),
  ]),
  wall(
    'to log hours every weekday',
    'log hours',
    '2026-11-23T09:00',
    [z('2026-11-23T08:00'), z('2026-11-23T14:00'), z('2026-11-23T03:30')],
    WEEKDAYS,
  ),
  wall(
    'to water the garden every sunday at 6pm',
    'water the garden',
    '2026-11-22T18:00',
    [z('2026-11-22T17:00'), z('2026-11-22T23:00'), z('2026-11-22T12:30')],
    'FREQ=WEEKLY;BYDAY=SU',
  ),
  wall(
    'to back up every day at 23:30',
    'back up',
    '2026-11-22T23:30',
    [z('2026-11-22T22:30'), z('2026-11-23T04:30'), z('2026-11-22T18:00')],
    'FREQ=DAILY',
  ),
  wall(
    'to pay tax every year on 15 january',
    'pay tax',
    '2027-01-15T09:00',
    [z('2027-01-15T08:00'), z('2027-01-15T14:00'), z('2027-01-15T03:30')],
    'FREQ=YEARLY;BYMONTH=1;BYMONTHDAY=15',
  ),
  wall(
    'to test the alarm on the 1st of every month at 10:00',
    'test the alarm',
    '2026-12-01T10:00',
    [z('2026-12-01T09:00'), z('2026-12-01T15:00'), z('2026-12-01T04:30')],
    'FREQ=MONTHLY;BYMONTHDAY=1',
  ),
  wall(
    'to stretch every 3 days at 8pm',
    'stretch',
    '2026-11-22T20:00',
    [z('2026-11-22T19:00'), z('2026-11-23T01:00'), z('2026-11-22T14:30')],
    'FREQ=DAILY;INTERVAL=3',
  ),
  wall(
    'to do yoga every saturday',
    'do yoga',
    '2026-11-28T09:00',
    [z('2026-11-28T08:00'), z('2026-11-28T14:00'), z('2026-11-28T03:30')],
    'FREQ=WEEKLY;BYDAY=SA',
  ),
  wall('to call grandpa on 24 dec', 'call grandpa', '2026-12-24T09:00', [
    z('2026-12-24T08:00'),
    z('2026-12-24T14:00'),
    z('2026-12-24T03:30'),
  ]),
  wall('to feed the cat at 6:45pm', 'feed the cat', '2026-11-22T18:45', [
    z('2026-11-22T17:45'),
    z('2026-11-22T23:45'),
    z('2026-11-22T13:15'),
  ]),
  wall('to order food at 8.30pm', 'order food', '2026-11-22T20:30', [
    z('2026-11-22T19:30'),
    z('2026-11-23T01:30'),
    z('2026-11-22T15:00'),
  ]),
  wall(
    'to prepare the talk every month on the 5th at 7:30',
    'prepare the talk',
    '2026-12-05T07:30',
    [z('2026-12-05T06:30'), z('2026-12-05T12:30'), z('2026-12-05T02:00')],
    'FREQ=MONTHLY;BYMONTHDAY=5',
  ),
  wall(
    'to meditate daily',
    'meditate',
    '2026-11-23T09:00',
    [z('2026-11-23T08:00'), z('2026-11-23T14:00'), z('2026-11-23T03:30')],
    'FREQ=DAILY',
  ),
  wall(
    'to pay the bills every first monday of the month',
    'pay the bills',
    '2026-12-07T09:00',
    [z('2026-12-07T08:00'), z('2026-12-07T14:00'), z('2026-12-07T03:30')],
    'FREQ=MONTHLY;BYDAY=1MO',
  ),
  wall(
    'to clean the filter on the last friday of every month at 18:00',
    'clean the filter',
    '2026-11-27T18:00',
    [z('2026-11-27T17:00'), z('2026-11-27T23:00'), z('2026-11-27T12:30')],
    'FREQ=MONTHLY;BYDAY=-1FR',
  ),
  wall('To   Call   Mum,  tomorrow at 9', 'Call Mum', '2026-11-23T09:00', [
    z('2026-11-23T08:00'),
    z('2026-11-23T14:00'),
    z('2026-11-23T03:30'),
  ]),
];

const ZONES: readonly Zone[] = ['Europe/Paris', 'America/New_York', 'Asia/Kolkata'];

describe('parseReminder, the same wall times in three zones', () => {
  it('has at least 60 phrases', () => {
    expect(ROWS.length).toBeGreaterThanOrEqual(60);
  });

  it.each(
    ROWS.flatMap((row) => ZONES.map((zone, index) => ({ ...row, zone, expectedAt: row.dueAt[index] }))),
  )('"remind me $request" in $zone', ({ request, zone, title, dueLocal, anchor, rrule, expectedAt }) => {
    expect(parseReminder(request, NOW[zone], zone)).toEqual({
      ok: true,
      title,
      dueLocal,
      dueAt: expectedAt,
      anchor,
      ...(rrule ? { rrule } : {}),
    });
  });
});

describe('parseReminder, daylight saving and the zone', () => {
  it.each([
    // The spring-forward gaps: 02:30 does not happen, 03:30 does.
    ['Europe/Paris', 'to x on 28 March 2027 at 2:30', '2027-03-28T03:30', '2027-03-28T01:30:00.000Z'],
    ['America/New_York', 'to x on 14 March 2027 at 2:30', '2027-03-14T03:30', '2027-03-14T07:30:00.000Z'],
    // No daylight saving in Kolkata: 02:30 is 02:30.
    ['Asia/Kolkata', 'to x on 28 March 2027 at 2:30', '2027-03-28T02:30', '2027-03-27T21:00:00.000Z'],
    // The fall-back hours happen twice: the earlier one (still summer time).
    ['Europe/Paris', 'to x on 31 October 2027 at 2:30', '2027-10-31T02:30', '2027-10-31T00:30:00.000Z'],
    ['America/New_York', 'to x on 7 November 2027 at 1:30', '2027-11-07T01:30', '2027-11-07T05:30:00.000Z'],
    // Summer time: the offset of the due date, not of now.
    ['Europe/Paris', 'to x on 29 March 2027 at 9', '2027-03-29T09:00', '2027-03-29T07:00:00.000Z'],
    ['America/New_York', 'to x on 15 March 2027 at 9', '2027-03-15T09:00', '2027-03-15T13:00:00.000Z'],
  ] as const)('%s: "%s"', (zone, request, dueLocal, dueAt) => {
    expect(parseReminder(request, NOW[zone], zone)).toEqual({
      ok: true,
      title: 'x',
      dueLocal,
      dueAt,
      anchor: 'wall',
    });
  });

  it.each([
    ['Europe/Paris', 'FREQ=DAILY;UNTIL=20270301T225959Z'],
    ['America/New_York', 'FREQ=DAILY;UNTIL=20270302T045959Z'],
    ['Asia/Kolkata', 'FREQ=DAILY;UNTIL=20270301T182959Z'],
  ] as const)('%s: "every day at 9 until march" ends at the end of 1 March there', (zone, rrule) => {
    expect(parseReminder('to walk every day at 9 until march', NOW[zone], zone)).toMatchObject({
      ok: true,
      title: 'walk',
      dueLocal: '2026-11-23T09:00',
      rrule,
    });
  });

  it('reads "in 2 hours" as an instant across a fall-back', () => {
    // 01:30 EDT on 7 November 2027; two hours later it is 02:30 EST.
    expect(
      parseReminder('to x in 2 hours', Date.parse('2027-11-07T05:30:00.000Z'), 'America/New_York'),
    ).toEqual({
      ok: true,
      title: 'x',
      dueLocal: '2027-11-07T02:30',
      dueAt: '2027-11-07T07:30:00.000Z',
      anchor: 'instant',
    });
  });

  it('starts a repeat on its first occurrence after a spring-forward gap', () => {
    expect(
      parseReminder('to x every day at 2:30', Date.parse('2027-03-27T02:00:00.000Z'), 'Europe/Paris'),
    ).toEqual({
      ok: true,
      title: 'x',
      dueLocal: '2027-03-28T03:30',
      dueAt: '2027-03-28T01:30:00.000Z',
      anchor: 'wall',
      rrule: 'FREQ=DAILY',
    });
  });
});

/** Each suggestion is a full command that reads back, with a quick-reply title Messenger accepts. */
function expectSuggestionsReadBack(parsed: ParsedReminder, nowMs: number, zone: string) {
  if (parsed.ok) throw new Error('expected a refusal');
  for (const { title, payload } of parsed.suggestions) {
    expect(title.length).toBeLessThanOrEqual(20);
    expect(payload).toMatch(/^remind me /);
    expect(parseReminder(payload.replace(/^remind me /, ''), nowMs, zone)).toMatchObject({ ok: true });
  }
}

describe('parseReminder refusals', () => {
  const paris = NOW['Europe/Paris'];

  it.each([
    [
      'to pay rent on 31 February at 9',
      '31 February does not exist.',
      [
        { title: '28 Feb', payload: 'remind me to pay rent on 28 Feb at 9' },
        { title: '1 Mar', payload: 'remind me to pay rent on 1 Mar at 9' },
      ],
    ],
    [
      'to x on 29 feb',
      '29 February 2027 does not exist (2027 is not a leap year).',
      [
        { title: '28 Feb', payload: 'remind me to x on 28 Feb' },
        { title: '1 Mar', payload: 'remind me to x on 1 Mar' },
      ],
    ],
    [
      'to x on 31 april 2027 at 10:00',
      '31 April 2027 does not exist.',
      [
        { title: '30 Apr', payload: 'remind me to x on 30 Apr 2027 at 10:00' },
        { title: '1 May', payload: 'remind me to x on 1 May 2027 at 10:00' },
      ],
    ],
    // Both neighbours of a past date have passed too: nothing to offer.
    ['to x on 2026-02-30 at 9', '30 February 2026 does not exist.', []],
    [
      'to call the bank today at 7',
      'Sun 22 Nov 07:00 has already passed.',
      [
        { title: 'Tomorrow 07:00', payload: 'remind me to call the bank tomorrow at 07:00' },
        { title: 'In 1 hour', payload: 'remind me to call the bank in 1 hour' },
      ],
    ],
    [
      'to x on 1 Jan 2020',
      'Wed 1 Jan 2020 09:00 has already passed.',
      [
        { title: '1 Jan 2027', payload: 'remind me to x on 1 Jan 2027 at 09:00' },
        { title: 'In 1 hour', payload: 'remind me to x in 1 hour' },
      ],
    ],
    [
      'to x on 22 Nov at 9:30',
      'Sun 22 Nov 09:30 has already passed.',
      [
        { title: 'Tomorrow 09:30', payload: 'remind me to x tomorrow at 09:30' },
        { title: 'In 1 hour', payload: 'remind me to x in 1 hour' },
      ],
    ],
    ['to x at 25:00', '25:00 is not a time of day.', []],
    ['to x tomorrow at 9:75', '9:75 is not a time of day.', []],
    ['to x at 13pm', '13pm is not a time of day.', [{ title: '13:00', payload: 'remind me to x at 13:00' }]],
    [
      'to call mum',
      'When should I remind you? Add a time, e.g. tomorrow at 9, in 1 hour or every day at 8.',
      [
        { title: 'Tomorrow 09:00', payload: 'remind me to call mum tomorrow at 9:00' },
        { title: 'In 1 hour', payload: 'remind me to call mum in 1 hour' },
        { title: 'Every day 09:00', payload: 'remind me to call mum every day at 9:00' },
      ],
    ],
    [
      'tomorrow at 9',
      'What should I remind you of? Say it before the time, e.g. remind me to call mum tomorrow at 9.',
      [
        { title: 'Call mum', payload: 'remind me to call mum tomorrow at 9' },
        { title: 'Take a break', payload: 'remind me to take a break tomorrow at 9' },
        { title: 'Drink water', payload: 'remind me to drink water tomorrow at 9' },
      ],
    ],
    [
      '',
      'What should I remind you of? Say it before the time, e.g. remind me to call mum tomorrow at 9.',
      [
        { title: 'Call mum', payload: 'remind me to call mum tomorrow at 9' },
        { title: 'Pay rent', payload: 'remind me to pay rent on 27 Nov at 8:30am' },
        { title: 'Water plants', payload: 'remind me to water plants every weekday at 8' },
      ],
    ],
    [
      'to x every day at 9 until 1 jan 2020',
      'That repeat ends before its first reminder: give a later end date.',
      [],
    ],
    ['to x on the 32nd of every month', 'A month has no 32nd day.', []],
    ['to x every 0 days', 'Repeat at least every 1 day, week, month or year.', []],
    ['to x last friday', '“last friday” has already passed.', []],
  ])('refuses "remind me %s"', (request, problem, suggestions) => {
    const parsed = parseReminder(request, paris, 'Europe/Paris');
    expect(parsed).toEqual({ ok: false, problem, suggestions });
    expectSuggestionsReadBack(parsed, paris, 'Europe/Paris');
  });

  it('never folds the problem or the time phrase into the title', () => {
    const parsed = parseReminder('to pay rent on 31 February at 9', paris, 'Europe/Paris');
    expect(parsed.ok).toBe(false);
    expect(JSON.stringify(parsed)).not.toMatch(/"title":"pay rent/);
  });

  it('refuses a title longer than the limit, and takes one at the limit', () => {
    const title = 'x'.repeat(MAX_TITLE_LENGTH);
    expect(parseReminder(`to ${title} tomorrow at 9`, paris, 'Europe/Paris')).toMatchObject({
      ok: true,
      title,
    });
    expect(parseReminder(`to ${title}y tomorrow at 9`, paris, 'Europe/Paris')).toEqual({
      ok: false,
      problem: `That is too long: keep it under ${MAX_TITLE_LENGTH} characters.`,
      suggestions: [],
    });
  });

  it.each(ZONES)('offers fixes that read back in %s', (zone) => {
    for (const request of [
      'to x today at 7',
      'to x on 31 February at 9',
      'to x',
      'at 9',
      'to x on 1 Jan 2020 at 8',
    ]) {
      expectSuggestionsReadBack(parseReminder(request, NOW[zone], zone), NOW[zone], zone);
    }
  });
});

describe('parseWhen', () => {
  const paris = NOW['Europe/Paris'];

  it.each([
    ['tomorrow at 9', { dueLocal: '2026-11-23T09:00', dueAt: '2026-11-23T08:00:00.000Z', anchor: 'wall' }],
    ['in 2 hours', { dueLocal: '2026-11-22T12:00', dueAt: '2026-11-22T11:00:00.000Z', anchor: 'instant' }],
    [
      'next friday 15:00',
      { dueLocal: '2026-11-27T15:00', dueAt: '2026-11-27T14:00:00.000Z', anchor: 'wall' },
    ],
    ['at 18:30', { dueLocal: '2026-11-22T18:30', dueAt: '2026-11-22T17:30:00.000Z', anchor: 'wall' }],
    [
      'every weekday at 8',
      { dueLocal: '2026-11-23T08:00', dueAt: '2026-11-23T07:00:00.000Z', anchor: 'wall', rrule: WEEKDAYS },
    ],
  ])('reads %j', (phrase, expected) => {
    expect(parseWhen(phrase, paris, 'Europe/Paris')).toEqual({ ok: true, ...expected });
  });

  it('refuses words it cannot read as part of the time', () => {
    expect(parseWhen('tomorrow at 9 please', paris, 'Europe/Paris')).toEqual({
      ok: false,
      problem: 'I could not read “please” as part of a time.',
      suggestions: [],
    });
  });

  it('offers fixes as phrases that read back', () => {
    const parsed = parseWhen('today at 7', paris, 'Europe/Paris');
    expect(parsed).toEqual({
      ok: false,
      problem: 'Sun 22 Nov 07:00 has already passed.',
      suggestions: [
        { title: 'Tomorrow 07:00', payload: 'tomorrow at 07:00' },
        { title: 'In 1 hour', payload: 'in 1 hour' },
      ],
    });
    if (parsed.ok) return;
    for (const { payload } of parsed.suggestions) {
      expect(parseWhen(payload, paris, 'Europe/Paris')).toMatchObject({ ok: true });
    }
    expect(parseWhen('', paris, 'Europe/Paris')).toMatchObject({
      ok: false,
      problem: /^When should I remind you\?/,
      suggestions: [
        { payload: 'tomorrow at 9:00' },
        { payload: 'in 1 hour' },
        { payload: 'every day at 9:00' },
      ],
    });
  });
});

describe('helpExamples', () => {
  const nows = [
    '2026-11-22T09:00:00.000Z',
    '2026-12-31T22:59:00.000Z', // 23:59 on 31 December in Paris
    '2027-01-01T04:59:00.000Z', // 23:59 on 31 December in New York
    '2026-12-31T18:29:00.000Z', // 23:59 on 31 December in Kolkata
    '2028-02-24T12:00:00.000Z', // five days on is 29 February 2028
    '2027-03-28T00:30:00.000Z', // just before the spring-forward gap in Paris
  ];

  it.each(nows.flatMap((now) => ZONES.map((zone) => ({ now, zone }))))(
    'are in the future at $now in $zone',
    ({ now, zone }) => {
      const nowMs = Date.parse(now);
      const examples = helpExamples(nowMs, zone);
      expect(examples).toHaveLength(3);
      for (const example of examples) {
        expect(example).toMatch(/^remind me /);
        const parsed = parseReminder(example.replace(/^remind me /, ''), nowMs, zone);
        expect(parsed).toMatchObject({ ok: true });
        if (parsed.ok) expect(Date.parse(parsed.dueAt)).toBeGreaterThan(nowMs);
      }
    },
  );

  it('dates the rent example five days ahead', () => {
    expect(helpExamples(NOW['Europe/Paris'], 'Europe/Paris')).toEqual([
      'remind me to call mum tomorrow at 9',
      'remind me to pay rent on 27 Nov at 8:30am',
      'remind me to water plants every weekday at 8',
    ]);
  });
});
