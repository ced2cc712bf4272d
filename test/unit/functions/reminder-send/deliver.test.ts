import { describe, expect, it } from 'vitest';
import {
  type DeliveryPorts,
  deliver,
  type Email,
  sendDigest,
} from '../../../../functions/reminder-send/deliver';
import type { OutgoingMessage, SendOutcome } from '../../../../functions/shared/messenger/send-api';
import type { DeliveryChannel, Reminder } from '../../../../functions/shared/reminders/model';
import type { QuietHours } from '../../../../functions/shared/reminders/quiet-hours';

const occurrence = '2026-12-05T08:00:00.000Z';
const now = Date.parse('2026-12-05T08:00:01.500Z');

const reminder: Reminder = {
  PK: 'REMINDER#01KAQ7R7Q8F3M6Y2V9T0C4N5ZB',
  SK: 'REMINDER',
  type: 'Reminder',
  reminderId: '01KAQ7R7Q8F3M6Y2V9T0C4N5ZB',
  userId: '01KAQ7R7Q8F3M6Y2V9T0C4N5ZC',
  psid: '1254477777772919',
  requestId: 'r-1',
  title: 'call <mum> & dad',
  timeZone: 'Europe/Paris',
  anchor: 'wall',
  startLocal: '2026-12-05T09:00',
  occurrenceAt: occurrence,
  nextDueAt: occurrence,
  version: 1,
  status: 'pending',
  deliverBy: ['messenger', 'email'],
  createdAt: '2026-12-01T08:00:00.000Z',
  updatedAt: '2026-12-01T08:00:00.000Z',
};

/**
 * An in-memory delivery table and recording senders; `messenger` decides what the Send API answers, `at`
 * when the delivery runs (the workflow's time).
 */
function fakeDelivery(
  options: {
    email?: string;
    lastMessageAt?: number;
    messenger?: () => SendOutcome;
    quietHours?: QuietHours;
    timeZone?: string;
    at?: number;
  } = {},
) {
  const records = new Map<string, { executionId: string; sent: DeliveryChannel[]; status: string }>();
  const messages: OutgoingMessage[] = [];
  const emails: Email[] = [];
  const held: string[] = [];
  const heldItems = new Map<string, string>();
  const ports: DeliveryPorts = {
    now: () => options.at ?? now,
    claim: async (item, at, executionId) => {
      const key = `${item.reminderId}#${at}`;
      const record = records.get(key);
      if (!record) {
        records.set(key, { executionId, sent: [], status: 'sending' });
        return { state: 'claimed', sent: [] };
      }
      return record.executionId === executionId
        ? { state: 'claimed', sent: [...record.sent] }
        : { state: 'taken' };
    },
    markSent: async (item, at, channel) => {
      records.get(`${item.reminderId}#${at}`)?.sent.push(channel);
    },
    complete: async (item, at, outcome) => {
      const record = records.get(`${item.reminderId}#${at}`);
      if (record) record.status = outcome;
    },
    contact: async () => ({
      ...(options.email ? { email: options.email } : {}),
      ...(options.lastMessageAt === undefined ? {} : { lastMessageAt: options.lastMessageAt }),
      ...(options.quietHours ? { quietHours: options.quietHours } : {}),
      timeZone: options.timeZone ?? 'UTC',
    }),
    sendMessenger: async (message) => {
      messages.push(message);
      return options.messenger?.() ?? { status: 'sent', messageId: 'm_1', messagingType: 'RESPONSE' };
    },
    sendEmail: async (email) => {
      emails.push(email);
    },
    hold: async (item, at) => {
      held.push(at);
      heldItems.set(`HELD#${at}#${item.reminderId}`, item.title);
    },
    heldFor: async () =>
      [...heldItems].map(([sortKey, title]) => ({ sortKey, title, occurrence: sortKey.split('#')[1] ?? '' })),
    takeHeld: async (_, item) => heldItems.delete(item.sortKey),
  };
  return { ports, records, messages, emails, held };
}

const inWindow = now - 3_600_000;

describe('deliver', () => {
  it('sends on Messenger with the snooze and done quick replies, and by email when an address is linked', async () => {
    const fake = fakeDelivery({ email: 'ann@example.com', lastMessageAt: inWindow });
    const result = await deliver(reminder, occurrence, 'exec-1', fake.ports);
    expect(result).toEqual({
      outcome: 'delivered',
      deliveredVia: ['messenger', 'email'],
      deliveredAt: '2026-12-05T08:00:01.500Z',
    });
    expect(fake.messages).toHaveLength(1);
    expect(fake.messages[0]?.text).toBe('⏰ Reminder: call <mum> & dad (Sat 5 Dec 09:00 Europe/Paris)');
    expect(fake.messages[0]?.quickReplies?.map((reply) => reply.title)).toEqual([
      'Snooze 10 min',
      'Snooze 1 h',
      'Tomorrow 9:00',
      'Done',
    ]);
    expect(fake.messages[0]?.quickReplies?.[0]?.payload).toBe(
      `snooze ${reminder.reminderId}@${occurrence} 10m`,
    );
    expect(fake.messages[0]?.lastUserMessageAt).toBe(inWindow);
    expect(fake.emails).toHaveLength(1);
    expect(fake.emails[0]?.subject).toBe('Reminder: call <mum> & dad');
    expect(fake.emails[0]?.html).toContain('call &lt;mum&gt; &amp; dad');
    expect(fake.emails[0]?.html).not.toMatch(/<a |href=|<img/);
    expect(fake.records.get(`${reminder.reminderId}#${occurrence}`)?.status).toBe('delivered');
  });

  it('sends nothing for a second firing of the same occurrence (another execution)', async () => {
    const fake = fakeDelivery({ email: 'ann@example.com', lastMessageAt: inWindow });
    await deliver(reminder, occurrence, 'exec-1', fake.ports);
    expect(await deliver(reminder, occurrence, 'exec-2', fake.ports)).toEqual({ outcome: 'duplicate' });
    expect(fake.messages).toHaveLength(1);
    expect(fake.emails).toHaveLength(1);
  });

  it('a retry of the same execution resumes: the channel already sent is not sent again', async () => {
    let refuse = false;
    const fake = fakeDelivery({ email: 'ann@example.com', lastMessageAt: inWindow });
    const failingEmail = {
      ...fake.ports,
      sendEmail: async () => {
        refuse = true;
        throw new Error('SES is down');
      },
    };
    await expect(deliver(reminder, occurrence, 'exec-1', failingEmail)).rejects.toThrow('SES is down');
    expect(refuse).toBe(true);
    const result = await deliver(reminder, occurrence, 'exec-1', fake.ports);
    expect(result).toMatchObject({ outcome: 'delivered', deliveredVia: ['messenger', 'email'] });
    expect(fake.messages).toHaveLength(1);
    expect(fake.emails).toHaveLength(1);
  });

  it('outside the 24-hour window it emails, and with no address holds the reminder for the next message', async () => {
    const outside = { status: 'outside-window' } as const;
    const emailed = fakeDelivery({
      email: 'ann@example.com',
      lastMessageAt: now - 25 * 3_600_000,
      messenger: () => outside,
    });
    expect(await deliver(reminder, occurrence, 'exec-1', emailed.ports)).toMatchObject({
      deliveredVia: ['email'],
    });

    const held = fakeDelivery({ lastMessageAt: now - 25 * 3_600_000, messenger: () => outside });
    expect(await deliver(reminder, occurrence, 'exec-1', held.ports)).toEqual({ outcome: 'held' });
    expect(held.held).toEqual([occurrence]);
    expect(held.records.get(`${reminder.reminderId}#${occurrence}`)?.status).toBe('held');
  });

  it('a Send API failure throws, so that the workflow retries with backoff', async () => {
    const fake = fakeDelivery({
      lastMessageAt: inWindow,
      messenger: () => ({ status: 'failed', error: { status: 500, message: 'boom' } }),
    });
    await expect(deliver(reminder, occurrence, 'exec-1', fake.ports)).rejects.toThrow(
      /Messenger refused the reminder: 500 boom/,
    );
    expect(fake.held).toEqual([]);
  });

  it('late firings are held, then one digest carries them all, once', async () => {
    const fake = fakeDelivery({ email: 'ann@example.com', lastMessageAt: inWindow });
    const second = { ...reminder, reminderId: '01KAQ7R7Q8F3M6Y2V9T0C4N5ZD', title: 'pay rent' };
    const earlier = '2026-12-04T08:00:00.000Z';
    expect(await deliver(reminder, occurrence, 'exec-1', fake.ports, { late: true })).toEqual({
      outcome: 'held',
    });
    expect(await deliver(second, earlier, 'exec-2', fake.ports, { late: true })).toEqual({ outcome: 'held' });
    expect(fake.messages).toEqual([]);

    expect(await sendDigest(reminder, fake.ports)).toEqual({ sent: 2, deliveredVia: ['messenger', 'email'] });
    expect(fake.messages).toHaveLength(1);
    expect(fake.messages[0]?.text).toBe(
      'While you were away, 2 reminders came due:\n• call <mum> & dad (Sat 5 Dec 09:00)\n• pay rent (Fri 4 Dec 09:00)',
    );
    expect(fake.emails[0]?.subject).toBe('While you were away, 2 reminders came due');
    expect(fake.emails[0]?.html).toContain('call &lt;mum&gt; &amp; dad');
    expect(await sendDigest(second, fake.ports)).toEqual({ sent: 0, deliveredVia: [] });
    expect(fake.messages).toHaveLength(1);
  });

  it('an event’s reminder says when the event starts, on both channels', async () => {
    // Fired at 09:00 Paris for an event at 09:15 (PT15M), delivered 1.5 s later.
    const sync: Reminder = {
      ...reminder,
      title: 'Team <sync>',
      eventId: '01KAQ7R7Q8F3M6Y2V9T0C4N5ZE',
      leadTime: 'PT15M',
      occurrenceAt: '2026-12-05T08:15:00.000Z',
    };
    const fake = fakeDelivery({ email: 'ann@example.com', lastMessageAt: inWindow });
    await deliver(sync, occurrence, 'exec-1', fake.ports);
    expect(fake.messages[0]?.text).toBe('⏰ Reminder: Team <sync> starts at 09:15 (in 15 minutes)');
    expect(fake.messages[0]?.quickReplies?.[0]?.payload).toBe(`snooze ${sync.reminderId}@${occurrence} 10m`);
    expect(fake.emails[0]?.subject).toBe('Reminder: Team <sync> starts at 09:15');
    expect(fake.emails[0]?.text).toContain('Starts Sat 5 Dec 09:15 Europe/Paris (in 15 minutes).\n');
    expect(fake.emails[0]?.html).toContain('Team &lt;sync&gt; starts at 09:15');

    // A day ahead names the day; a firing snoozed past the start says how long ago it began.
    const tomorrow = fakeDelivery({ lastMessageAt: inWindow });
    await deliver(
      { ...sync, occurrenceAt: '2026-12-06T08:00:00.000Z' },
      occurrence,
      'exec-1',
      tomorrow.ports,
    );
    expect(tomorrow.messages[0]?.text).toBe(
      '⏰ Reminder: Team <sync> starts on Sun 6 Dec at 09:00 (in 1 day)',
    );
    const begun = fakeDelivery({ lastMessageAt: inWindow });
    await deliver({ ...sync, occurrenceAt: '2026-12-05T07:50:00.000Z' }, occurrence, 'exec-1', begun.ports);
    expect(begun.messages[0]?.text).toBe('⏰ Reminder: Team <sync> started at 08:50 (10 minutes ago)');
  });

  it('inside quiet hours Messenger arrives without a sound and the email as usual; outside, as before', async () => {
    const quiet = { quietHours: { start: '22:00', end: '07:00' }, timeZone: 'Europe/Paris' };
    const late = '2026-12-05T22:30:00.000Z'; // 23:30 in Paris
    const night = fakeDelivery({
      ...quiet,
      email: 'ann@example.com',
      lastMessageAt: Date.parse(late) - 3_600_000,
      at: Date.parse(late),
    });
    expect(await deliver(reminder, late, 'exec-1', night.ports)).toMatchObject({
      deliveredVia: ['messenger', 'email'],
    });
    expect(night.messages[0]?.notificationType).toBe('SILENT_PUSH');
    expect(night.emails).toHaveLength(1);

    // The 08:00 Paris firing (07:00Z), delivered 1.5 s later.
    const morning = fakeDelivery({ ...quiet, email: 'ann@example.com', lastMessageAt: inWindow });
    expect(await deliver(reminder, occurrence, 'exec-1', morning.ports)).toMatchObject({
      deliveredVia: ['messenger', 'email'],
    });
    expect(morning.messages[0]).not.toHaveProperty('notificationType');
    expect(morning.emails).toHaveLength(1);
  });

  it('quiet hours are judged at the delivery’s time in the profile’s zone, for digests too', async () => {
    const quietHours = { start: '22:00', end: '07:00' };
    // A firing due at 09:00 Paris, retried until 23:30 Paris: the send is at night, so it is silent.
    const retried = fakeDelivery({
      quietHours,
      timeZone: 'Europe/Paris',
      lastMessageAt: inWindow,
      at: Date.parse('2026-12-05T22:30:00.000Z'),
    });
    await deliver(reminder, occurrence, 'exec-1', retried.ports);
    expect(retried.messages[0]?.notificationType).toBe('SILENT_PUSH');

    // 09:00 Paris is 17:00 in Tokyo: quiet for a profile there (17:00–08:00), whatever the reminder's zone.
    const tokyo = fakeDelivery({
      quietHours: { start: '17:00', end: '08:00' },
      timeZone: 'Asia/Tokyo',
      lastMessageAt: inWindow,
    });
    await deliver(reminder, occurrence, 'exec-1', tokyo.ports);
    expect(tokyo.messages[0]?.notificationType).toBe('SILENT_PUSH');

    const digest = fakeDelivery({
      quietHours,
      timeZone: 'Europe/Paris',
      lastMessageAt: Date.parse('2026-12-05T21:30:00.000Z'),
      at: Date.parse('2026-12-05T22:30:00.000Z'),
    });
    await deliver(reminder, occurrence, 'exec-1', digest.ports, { late: true });
    expect(await sendDigest(reminder, digest.ports)).toMatchObject({ sent: 1 });
    expect(digest.messages[0]?.notificationType).toBe('SILENT_PUSH');
  });

  it('a digest with no open channel leaves everything held for the next message', async () => {
    const fake = fakeDelivery({ lastMessageAt: now - 25 * 3_600_000 });
    await deliver(reminder, occurrence, 'exec-1', fake.ports, { late: true });
    expect(await sendDigest(reminder, fake.ports)).toEqual({ sent: 0, deliveredVia: [] });
    expect(await fake.ports.heldFor(reminder.userId)).toHaveLength(1);
  });
});
