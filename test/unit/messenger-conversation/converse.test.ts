import { describe, expect, it } from 'vitest';
import {
  type ConversationPorts,
  converse,
  type ReminderSummary,
  type UserRecord,
} from '../../../functions/conversation/converse';
import { validateDetail } from '../../../functions/shared/events/contracts';
import type { PublishableEvent } from '../../../functions/shared/events/publish';
import type { OutgoingMessage } from '../../../functions/shared/messenger/send-api';

const psid = '1254477777772919';
const sentAt = '2026-11-22T09:00:00.000Z';
const userId = '01KAQ7R7Q8F3M6Y2V9T0C4N5ZB';

function fakePorts(user: Partial<UserRecord> = {}, reminders: ReminderSummary[] = []) {
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

  it('remind me publishes ReminderRequested in the person’s time zone', async () => {
    const { ports, state } = fakePorts({ timeZone: 'Europe/Paris', email: 'ann@example.org' });
    await say('remind me to call mum tomorrow at 9', ports);
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
        deliverBy: ['messenger', 'email'],
      },
    });
    expect(state.sent[0]?.text).toContain('“call mum” on Mon 23 Nov, 09:00 (Europe/Paris)');
  });

  it('list shows pending reminders in the person’s zone; cancel and snooze name one by its number', async () => {
    const reminders = [
      { reminderId: '01KAQ7R7Q8F3M6Y2V9T0C4N5Z1', title: 'call mum', nextDueAt: '2026-11-23T08:00:00.000Z' },
      { reminderId: '01KAQ7R7Q8F3M6Y2V9T0C4N5Z2', title: 'pay rent', nextDueAt: '2026-12-01T07:30:00.000Z' },
    ];
    const { ports, state } = fakePorts({ timeZone: 'Europe/Paris' }, reminders);
    await say('list', ports);
    expect(state.sent[0]?.text).toBe(
      'Your reminders (Europe/Paris):\n1. call mum: Mon 23 Nov, 09:00\n2. pay rent: Tue 1 Dec, 08:30',
    );
    await say('snooze 2 for 1 hour', ports);
    await say('cancel 1', ports);
    await say('cancel 7', ports);
    expect(state.published.map((event) => event.detail)).toMatchObject([
      { reminderId: reminders[1]?.reminderId, change: 'snooze', snoozeMinutes: 60 },
      { reminderId: reminders[0]?.reminderId, change: 'cancel' },
    ]);
    expect(state.sent[3]?.text).toMatch(/cannot find reminder 7/);
  });

  it('timezone validates the zone name and stores its canonical spelling', async () => {
    const { ports, state } = fakePorts();
    await say('timezone europe/paris', ports);
    expect(state.saved.timeZone).toBe('Europe/Paris');
    expect(state.sent[0]?.text).toBe('Time zone set to Europe/Paris. It is Sun 22 Nov, 10:00 there.');
    await say('timezone Mars/Olympus', ports);
    expect(state.sent[1]?.text).toMatch(/do not know the time zone/);
    await say('timezone', ports);
    expect(state.sent[2]?.quickReplies?.map((reply) => reply.payload)).toContain('timezone Europe/Paris');
  });

  it('an attachment without text gets a hint, not silence', async () => {
    const { ports, state } = fakePorts();
    const result = await converse({ psid, sentAt }, ports);
    expect(result.command).toBe('attachment');
    expect(state.sent[0]?.text).toMatch(/only read text/);
  });
});
