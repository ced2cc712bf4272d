import { describe, expect, it } from 'vitest';
import { parseCommand } from '../../../../functions/conversation/commands';

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
    ['list', { kind: 'list', page: 1 }],
    ['list 3', { kind: 'list', page: 3 }],
    ['My reminders', { kind: 'list', page: 1 }],
    ['cancel 2', { kind: 'cancel', target: '2' }],
    ['snooze 1', { kind: 'snooze', target: '1', by: { minutes: 10 } }],
    ['snooze 1 for 2 hours', { kind: 'snooze', target: '1', by: { minutes: 120 } }],
    ['snooze 1 30m', { kind: 'snooze', target: '1', by: { minutes: 30 } }],
    ['snooze 1 1h', { kind: 'snooze', target: '1', by: { minutes: 60 } }],
    ['snooze 2 tomorrow', { kind: 'snooze', target: '2', by: { tomorrow: true } }],
    [
      'snooze 01KAQ7R7Q8F3M6Y2V9T0C4N5Z1@2026-11-22T08:59:00.000Z 10m',
      { kind: 'snooze', target: '01KAQ7R7Q8F3M6Y2V9T0C4N5Z1@2026-11-22T08:59:00.000Z', by: { minutes: 10 } },
    ],
    ['snooze 1 forever', { kind: 'unknown' }],
    ['reschedule 2 to friday at 18:00', { kind: 'reschedule', target: '2', when: 'friday at 18:00' }],
    ['move 1 tomorrow at 9', { kind: 'reschedule', target: '1', when: 'tomorrow at 9' }],
    ['done 01KAQ7R7Q8F3M6Y2V9T0C4N5Z1', { kind: 'done', target: '01KAQ7R7Q8F3M6Y2V9T0C4N5Z1' }],
    ['timezone Europe/Paris', { kind: 'timezone', zone: 'Europe/Paris' }],
    ['timezone', { kind: 'timezone' }],
    ['what is the weather', { kind: 'unknown' }],
  ])('reads %j', (text, command) => {
    expect(parseCommand(text)).toEqual(command);
  });
});
