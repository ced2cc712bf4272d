import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../functions/conversation/commands';
import { parseReminder } from '../../../functions/conversation/reminder-text';

// Sunday 22 November 2026, 09:00 UTC = 10:00 in Paris.
const now = Date.parse('2026-11-22T09:00:00.000Z');

describe('parseReminder', () => {
  it.each([
    ['to call mum tomorrow at 9 ☎️', 'UTC', 'call mum ☎️', '2026-11-23T09:00'],
    ['to stretch in 20 minutes', 'Europe/Paris', 'stretch', '2026-11-22T10:20'],
    ['to pay rent on 2026-12-01 at 8:30am', 'UTC', 'pay rent', '2026-12-01T08:30'],
    ['to call dad on sunday at 6pm', 'America/New_York', 'call dad', '2026-11-22T18:00'],
    ['to water plants at 8', 'Europe/Paris', 'water plants', '2026-11-23T08:00'],
    ['to take the bins out tomorrow', 'UTC', 'take the bins out', '2026-11-23T09:00'],
    ['to check the oven in 2 hours', 'Asia/Tokyo', 'check the oven', '2026-11-22T20:00'],
  ])('reads "remind me %s" in %s', (request, zone, title, dueLocal) => {
    expect(parseReminder(request, now, zone)).toEqual({ ok: true, title, dueLocal });
  });

  it('reads a recurrence', () => {
    expect(parseReminder('stand-up every day at 9:15', now, 'UTC')).toEqual({
      ok: true,
      title: 'stand-up',
      dueLocal: '2026-11-22T09:15',
      recurrence: { frequency: 'daily', interval: 1 },
    });
  });

  it('explains what is missing or impossible', () => {
    expect(parseReminder('to call mum', now, 'UTC')).toMatchObject({ ok: false, problem: /When should I/ });
    expect(parseReminder('tomorrow at 9', now, 'UTC')).toMatchObject({ ok: false, problem: /What should I/ });
    expect(parseReminder('to x on 2026-02-30 at 9', now, 'UTC')).toMatchObject({
      ok: false,
      problem: /no such date/,
    });
    expect(parseReminder('to x today at 8', now, 'UTC')).toMatchObject({
      ok: false,
      problem: /already passed/,
    });
    expect(parseReminder('to x at 25', now, 'UTC')).toMatchObject({ ok: false });
  });
});

describe('parseCommand', () => {
  it.each([
    ['help', { kind: 'help' }],
    ['  HELP ', { kind: 'help' }],
    ['GET_STARTED', { kind: 'greeting' }],
    ['login Ann@Example.org', { kind: 'login', email: 'ann@example.org' }],
    ['login not-an-email', { kind: 'bad-email', given: 'not-an-email' }],
    ['123456', { kind: 'code', code: '123456' }],
    ['1234567', { kind: 'unknown' }],
    ['Remind me to call mum tomorrow at 9', { kind: 'remind', request: 'to call mum tomorrow at 9' }],
    ['list', { kind: 'list' }],
    ['cancel 2', { kind: 'cancel', target: '2' }],
    ['snooze 1', { kind: 'snooze', target: '1', minutes: 10 }],
    ['snooze 1 for 2 hours', { kind: 'snooze', target: '1', minutes: 120 }],
    ['snooze 1 30m', { kind: 'snooze', target: '1', minutes: 30 }],
    ['timezone Europe/Paris', { kind: 'timezone', zone: 'Europe/Paris' }],
    ['timezone', { kind: 'timezone' }],
    ['what is the weather', { kind: 'unknown' }],
  ])('reads %j', (text, command) => {
    expect(parseCommand(text)).toEqual(command);
  });
});
