import { describe, expect, it } from 'vitest';
import {
  type ConversationPorts,
  converse,
  type HeldReminder,
  type ReminderSummary,
  type UserRecord,
} from '../../../../functions/conversation/converse';
import { validateDetail } from '../../../../functions/shared/events/contracts';
import type { PublishableEvent } from '../../../../functions/shared/events/publish';
import type { OutgoingMessage } from '../../../../functions/shared/messenger/send-api';

const psid = '1254477777772919';
const sentAt = '2026-11-22T09:00:00.000Z';
const userId = '01KAQ7R7Q8F3M6Y2V9T0C4N5ZB';

function fakePorts(
  user: Partial<UserRecord> = {},
  reminders: ReminderSummary[] = [],
  held: HeldReminder[] = [],
) {
  const state = {
    user: { userId, psid, ...user } as UserRecord,
    published: [] as PublishableEvent[],
    sent: [] as OutgoingMessage[],
    saved: {} as Record<string, string>,
  };
  let ids = 0;
  const ports: ConversationPorts = {
    recordMessage: async () => state.user,
    saveTimeZone: async (_, timeZone) => {
      state.saved.timeZone = timeZone;
    },
    savePendingLogin: async (_, email) => {
      state.saved.pendingLoginEmail = email;
    },
    pendingReminders: async () => reminders,
    takeHeld: async () => held.splice(0),
    publish: async (events) => {
      for (const event of events) validateDetail(event.detailType, event.detail);
      state.published.push(...events);
    },
    hashCode: async (code) => `${code}`.padStart(64, 'a'),
    newId: () => `req-${++ids}`,
    send: async (message) => {
      state.sent.push(message);
      return { status: 'sent', messageId: 'm_reply', messagingType: 'RESPONSE' };
    },
  };
  return { ports, state };
}

const say = (text: string, ports: ConversationPorts) => converse({ psid, sentAt, text }, ports);

describe('converse', () => {
  it('answers help with the commands and quick replies that save typing', async () => {
    const { ports, state } = fakePorts();
    await say('help', ports);
    expect(state.sent).toHaveLength(1);
    expect(state.sent[0]?.text).toContain('remind me to');
    expect(state.sent[0]?.quickReplies?.map((reply) => reply.payload)).toEqual(['list', 'timezone']);
    expect(state.published).toEqual([]);
  });

  it('answers anything else with a short help', async () => {
    const { ports, state } = fakePorts();
    await say('what is the meaning of life?', ports);
    expect(state.sent[0]?.text).toMatch(/did not get that.*help/);
  });

  it('treats a quick-reply payload as the command, whatever the title', async () => {
    const { ports, state } = fakePorts();
    await converse({ psid, sentAt, text: 'My reminders', payload: 'list' }, ports);
    expect(state.sent[0]?.text).toMatch(/no pending reminders/);
  });

  it('login publishes OtpRequested and remembers which address waits for a code', async () => {
    const { ports, state } = fakePorts();
    await say('login Ann@Example.org', ports);
    expect(state.published).toEqual([
      {
        detailType: 'OtpRequested',
        detail: {
          schemaVersion: 1,
          requestId: 'req-1',
          email: 'ann@example.org',
          channel: 'messenger',
          psid,
          requestedAt: sentAt,
        },
      },
    ]);
    expect(state.saved.pendingLoginEmail).toBe('ann@example.org');
    expect(state.sent[0]?.text).toMatch(
      /^If ann@example\.org can receive email, a 6-digit code is on its way/,
    );
  });

  it('answers login the same way for every address, before anything is known about it', async () => {
    const replies = await Promise.all(
      ['ann@example.org', 'nobody@example.net'].map(async (email) => {
        const { ports, state } = fakePorts();
        await say(`login ${email}`, ports);
        return state.sent[0]?.text?.replace(email, '<email>');
      }),
    );
    expect(replies[0]).toBe(replies[1]);
    expect(replies[0]).not.toMatch(/I have (e)?mailed|sent/i);
  });

  it('a 6-digit code publishes only its keyed hash, for the address waiting for one', async () => {
    const { ports, state } = fakePorts({ pendingLoginEmail: 'ann@example.org' });
    await say('123456', ports);
    const [event] = state.published;
    expect(event?.detailType).toBe('OtpCodeSubmitted');
    expect(event?.detail).toMatchObject({
      email: 'ann@example.org',
      codeHmac: expect.stringMatching(/^a+123456$/),
    });
    expect(JSON.stringify(event?.detail)).not.toContain('"123456"');

    const idle = fakePorts();
    await say('123456', idle.ports);
    expect(idle.state.published).toEqual([]);
    expect(idle.state.sent[0]?.text).toMatch(/not expecting a code/);
  });

  it('remind me publishes ReminderRequested in the person’s time zone and leaves the confirmation to the workflow', async () => {
    const { ports, state } = fakePorts({ timeZone: 'Europe/Paris', email: 'ann@example.org' });
    const result = await say('remind me to call mum tomorrow at 9', ports);
    expect(state.published[0]).toEqual({
      detailType: 'ReminderRequested',
      detail: {
        schemaVersion: 1,
        requestId: 'req-1',
        userId,
        channel: 'messenger',
        psid,
        title: 'call mum',
        dueLocal: '2026-11-23T09:00',
        timeZone: 'Europe/Paris',
        anchor: 'wall',
        deliverBy: ['messenger', 'email'],
      },
    });
    expect(result.outcome).toBeUndefined();
    expect(state.sent).toEqual([]);
  });

  it('a relative time keeps its seconds; a recurrence travels as an RRULE', async () => {
    const { ports, state } = fakePorts({ timeZone: 'Europe/Paris' });
    await converse(
      { psid, sentAt: '2026-11-22T09:00:27.000Z', text: 'remind me to stretch in 20 minutes' },
      ports,
    );
    await say('remind me to water the plants every weekday at 8', ports);
    expect(state.published.map((event) => event.detail)).toMatchObject([
      { title: 'stretch', dueLocal: '2026-11-22T10:20:27', anchor: 'instant' },
      {
        title: 'water the plants',
        dueLocal: '2026-11-23T08:00',
        anchor: 'wall',
        rrule: expect.stringMatching(/^FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR/),
      },
    ]);
  });

  it('an impossible date is refused with the problem named and fixes offered as quick replies', async () => {
    const { ports, state } = fakePorts({ timeZone: 'Europe/Paris' });
    await say('remind me to pay rent on 31 February at 9', ports);
    expect(state.published).toEqual([]);
    expect(state.sent[0]?.text).toMatch(/31 February/);
    expect(state.sent[0]?.quickReplies?.length).toBeGreaterThan(0);
    for (const reply of state.sent[0]?.quickReplies ?? [])
      expect(reply.payload).toMatch(/^remind me to pay rent /);
  });

  it('list numbers pending reminders in the person’s zone, ten a page; cancel, snooze and reschedule name one by its number', async () => {
    const reminders: ReminderSummary[] = Array.from({ length: 12 }, (_, index) => ({
      reminderId: `01KAQ7R7Q8F3M6Y2V9T0C4N5${String(index).padStart(2, '0')}`,
      title: `task ${index + 1}`,
      nextDueAt: `2026-11-${String(23 + Math.floor(index / 4)).padStart(2, '0')}T08:00:00.000Z`,
      anchor: 'wall',
    }));
    const { ports, state } = fakePorts({ timeZone: 'Europe/Paris' }, reminders);
    await say('list', ports);
    expect(state.sent[0]?.text?.split('\n')).toEqual([
      'Your reminders (Europe/Paris), page 1 of 2:',
      ...reminders
        .slice(0, 10)
        .map((_, index) =>
          expect.stringMatching(new RegExp(`^${index + 1}\\. task ${index + 1}: \\w{3} \\d+ Nov 09:00$`)),
        ),
    ]);
    expect(state.sent[0]?.quickReplies?.map((reply) => reply.payload)).toEqual([
      'snooze 1',
      'cancel 1',
      'list 2',
    ]);
    await say('list 2', ports);
    expect(state.sent[1]?.text).toMatch(/page 2 of 2:\n11\. task 11: .*\n12\. task 12: /);
    await say('snooze 2 for 1 hour', ports);
    await say('snooze 3 tomorrow', ports);
    await say('cancel 1', ports);
    await say('reschedule 12 to friday at 18:00', ports);
    await say('cancel 70', ports);
    expect(state.published.map((event) => event.detail)).toMatchObject([
      { reminderId: reminders[1]?.reminderId, change: 'snooze', snoozeMinutes: 60, requestedAt: sentAt },
      { reminderId: reminders[2]?.reminderId, change: 'snooze', dueLocal: '2026-11-23T09:00' },
      { reminderId: reminders[0]?.reminderId, change: 'cancel' },
      {
        reminderId: reminders[11]?.reminderId,
        change: 'reschedule',
        dueLocal: '2026-11-27T18:00',
        timeZone: 'Europe/Paris',
      },
    ]);
    expect(state.sent.at(-1)?.text).toMatch(/cannot find reminder 70/);
  });

  it('a snooze quick reply on a delivered reminder names the occurrence it repeats', async () => {
    const { ports, state } = fakePorts({ timeZone: 'Europe/Paris' });
    await converse(
      {
        psid,
        sentAt,
        text: 'Snooze 10 min',
        payload: 'snooze 01KAQ7R7Q8F3M6Y2V9T0C4N5Z1@2026-11-22T08:59:00.000Z 10m',
      },
      ports,
    );
    expect(state.published[0]?.detail).toMatchObject({
      reminderId: '01KAQ7R7Q8F3M6Y2V9T0C4N5Z1',
      change: 'snooze',
      snoozeMinutes: 10,
      occurrence: '2026-11-22T08:59:00.000Z',
    });
  });

  it('timezone stores the canonical spelling and moves every pending reminder to the new zone', async () => {
    const reminders: ReminderSummary[] = [
      {
        reminderId: '01KAQ7R7Q8F3M6Y2V9T0C4N5Z1',
        title: 'call mum',
        nextDueAt: '2026-11-23T08:00:00.000Z',
        anchor: 'wall',
      },
      {
        reminderId: '01KAQ7R7Q8F3M6Y2V9T0C4N5Z2',
        title: 'stretch',
        nextDueAt: '2026-11-22T09:20:00.000Z',
        anchor: 'instant',
      },
    ];
    const { ports, state } = fakePorts({}, reminders);
    await say('timezone europe/paris', ports);
    expect(state.saved.timeZone).toBe('Europe/Paris');
    expect(state.sent[0]?.text).toBe(
      'Time zone set to Europe/Paris. It is Sun 22 Nov 10:00 there. Your reminder set for a time of day keeps that time in Europe/Paris.',
    );
    expect(state.published.map((event) => event.detail)).toMatchObject([
      { reminderId: reminders[0]?.reminderId, change: 'timezone', timeZone: 'Europe/Paris' },
      { reminderId: reminders[1]?.reminderId, change: 'timezone', timeZone: 'Europe/Paris' },
    ]);
    await say('timezone Mars/Olympus', ports);
    expect(state.sent[1]?.text).toMatch(/do not know the time zone/);
    await say('timezone', ports);
    expect(state.sent[2]?.quickReplies?.map((reply) => reply.payload)).toContain('timezone Europe/Paris');
  });

  it('reminders held while the person was away come first in the next answer, once', async () => {
    const { ports, state } = fakePorts(
      { timeZone: 'Europe/Paris' },
      [],
      [{ title: 'call mum', occurrence: '2026-11-21T08:00:00.000Z' }],
    );
    await say('help', ports);
    await say('help', ports);
    expect(state.sent[0]?.text).toMatch(
      /^While you were away:\n• call mum \(Sat 21 Nov 09:00\)\n\nHere is what I understand/,
    );
    expect(state.sent[1]?.text).toMatch(/^Here is what I understand/);
  });

  it('an attachment without text gets a hint, not silence', async () => {
    const { ports, state } = fakePorts();
    const result = await converse({ psid, sentAt }, ports);
    expect(result.command).toBe('attachment');
    expect(state.sent[0]?.text).toMatch(/only read text/);
  });
});
