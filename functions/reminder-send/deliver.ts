/**
 * Delivering one occurrence of a reminder, once. Primary course: claim the occurrence's delivery record,
 * send on every channel the person can be reached on now (Messenger inside the 24-hour window, email when an
 * address is linked), recording each channel as it succeeds, then mark the record delivered.
 *
 * A retry of the same execution resumes the claim and skips the channels already sent; another execution
 * for the same occurrence (a duplicated firing) finds the claim taken and sends nothing. With no channel
 * open the reminder is held for the person's next message (docs/messenger-policy.md).
 *
 * Inside the person's quiet hours (judged at the delivery's now, in the profile's zone) Messenger sends
 * with SILENT_PUSH: the reminder still shows, without a sound. Email is sent the same either way.
 *
 * An occurrence fired long after it was due (the system was down) is held instead, and `sendDigest` sends
 * everything held for the person as one message: a restart after a day away is one digest, not a flood.
 */
import {
  allowedDelivery,
  type NotificationType,
  type OutgoingMessage,
  type QuickReply,
  type SendOutcome,
} from '../shared/messenger/send-api';
import { type HeldOccurrence, takeAllHeld } from '../shared/reminders/held-store';
import { describeSpan } from '../shared/reminders/lead-time';
import type { DeliveryChannel, Reminder } from '../shared/reminders/model';
import { insideQuietHours, type QuietHours } from '../shared/reminders/quiet-hours';
import { describeInZone, describeStart } from '../shared/reminders/zoned';

export type Claim =
  | { readonly state: 'claimed'; readonly sent: readonly DeliveryChannel[] }
  | { readonly state: 'taken' };

export interface Email {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

/** What the profile and PSID link say about reaching the person. */
export interface Contact {
  readonly email?: string;
  /** When the person last wrote on Messenger (epoch ms). */
  readonly lastMessageAt?: number;
  readonly quietHours?: QuietHours;
  /** The profile's zone, which quiet hours are wall times in (UTC when never set). */
  readonly timeZone: string;
  /** An admin disabled the person: nothing is delivered (occurrences are held, and digests wait). */
  readonly disabled?: boolean;
}

export interface DeliveryPorts {
  /** Conditional put of `DELIVERY#<occurrence>`; the same execution gets its own claim back. */
  readonly claim: (reminder: Reminder, occurrence: string, executionId: string) => Promise<Claim>;
  readonly markSent: (reminder: Reminder, occurrence: string, channel: DeliveryChannel) => Promise<void>;
  readonly complete: (reminder: Reminder, occurrence: string, outcome: 'delivered' | 'held') => Promise<void>;
  readonly contact: (reminder: Reminder) => Promise<Contact>;
  readonly sendMessenger: (message: OutgoingMessage) => Promise<SendOutcome>;
  readonly sendEmail: (email: Email) => Promise<void>;
  /** Keeps the occurrence for the person's next message (or the next digest). */
  readonly hold: (reminder: Reminder, occurrence: string) => Promise<void>;
  /** What is held for the person, oldest first. */
  readonly heldFor: (userId: string) => Promise<HeldOccurrence[]>;
  /** Removes one held occurrence; false when another digest took it first. */
  readonly takeHeld: (userId: string, held: HeldOccurrence) => Promise<boolean>;
  readonly now: () => number;
}

export type DeliveryResult =
  | {
      readonly outcome: 'delivered';
      readonly deliveredVia: readonly DeliveryChannel[];
      readonly deliveredAt: string;
    }
  | { readonly outcome: 'held' | 'duplicate' };

export async function deliver(
  reminder: Reminder,
  occurrence: string,
  executionId: string,
  ports: DeliveryPorts,
  options: { readonly late?: boolean } = {},
): Promise<DeliveryResult> {
  const claim = await ports.claim(reminder, occurrence, executionId);
  if (claim.state === 'taken') return { outcome: 'duplicate' };
  if (options.late && claim.sent.length === 0) return hold(reminder, occurrence, ports);
  const contact = await ports.contact(reminder);
  if (contact.disabled) return hold(reminder, occurrence, ports);
  const sent = new Set(claim.sent);
  const now = new Date(ports.now()).toISOString();
  const wording = reminderWording(reminder, occurrence, now);

  if (reminder.deliverBy.includes('messenger') && reminder.psid && !sent.has('messenger')) {
    const outcome = await ports.sendMessenger({
      psid: reminder.psid,
      text: `⏰ Reminder: ${wording.headline} (${wording.when})`,
      quickReplies: reminderQuickReplies(reminder.reminderId, occurrence),
      ...(contact.lastMessageAt === undefined ? {} : { lastUserMessageAt: contact.lastMessageAt }),
      ...quietly(contact, now),
    });
    if (outcome.status === 'failed') {
      throw new Error(`Messenger refused the reminder: ${outcome.error.status} ${outcome.error.message}`);
    }
    if (outcome.status === 'sent') {
      await ports.markSent(reminder, occurrence, 'messenger');
      sent.add('messenger');
    }
  }
  if (reminder.deliverBy.includes('email') && contact.email && !sent.has('email')) {
    await ports.sendEmail(reminderEmail(contact.email, wording));
    await ports.markSent(reminder, occurrence, 'email');
    sent.add('email');
  }
  if (sent.size === 0) return hold(reminder, occurrence, ports);
  await ports.complete(reminder, occurrence, 'delivered');
  return { outcome: 'delivered', deliveredVia: [...sent], deliveredAt: new Date(ports.now()).toISOString() };
}

/** SILENT_PUSH inside quiet hours; outside them nothing, so Graph's default (REGULAR) rings as before. */
function quietly(contact: Contact, now: string): { notificationType?: NotificationType } {
  return insideQuietHours(contact.quietHours, contact.timeZone, now)
    ? { notificationType: 'SILENT_PUSH' }
    : {};
}

async function hold(reminder: Reminder, occurrence: string, ports: DeliveryPorts): Promise<DeliveryResult> {
  await ports.hold(reminder, occurrence);
  await ports.complete(reminder, occurrence, 'held');
  return { outcome: 'held' };
}

/**
 * One message with everything held for the person, on the channels open now. Each held occurrence is taken
 * (deleted conditionally) before it is sent, so of several digests running at once each sends its own share;
 * with no channel open they stay held for the person's next message.
 */
export async function sendDigest(
  reminder: Reminder,
  ports: DeliveryPorts,
): Promise<{ readonly sent: number; readonly deliveredVia: readonly DeliveryChannel[] }> {
  const contact = await ports.contact(reminder);
  const via: DeliveryChannel[] = [];
  // The Send API's own rule decides whether Messenger is open; an unknown last message is not "just now" here.
  const messengerOpen =
    reminder.psid !== undefined &&
    contact.lastMessageAt !== undefined &&
    allowedDelivery(
      { psid: reminder.psid, text: '', lastUserMessageAt: contact.lastMessageAt },
      ports.now(),
    ) !== undefined;
  if (reminder.deliverBy.includes('messenger') && messengerOpen) via.push('messenger');
  if (reminder.deliverBy.includes('email') && contact.email) via.push('email');
  if (via.length === 0 || contact.disabled) return { sent: 0, deliveredVia: [] };
  const taken = await takeAllHeld(
    { hold: ports.hold, list: ports.heldFor, take: ports.takeHeld },
    reminder.userId,
  );
  if (taken.length === 0) return { sent: 0, deliveredVia: [] };
  const lines = taken.map(
    (held) => `• ${held.title} (${describeInZone(held.occurrence, reminder.timeZone)})`,
  );
  const heading = `While you were away, ${taken.length === 1 ? 'a reminder' : `${taken.length} reminders`} came due:`;
  const deliveredVia: DeliveryChannel[] = [];
  if (via.includes('messenger') && reminder.psid) {
    const outcome = await ports.sendMessenger({
      psid: reminder.psid,
      text: `${heading}\n${lines.join('\n')}`,
      quickReplies: [{ title: 'My reminders', payload: 'list' }],
      ...(contact.lastMessageAt === undefined ? {} : { lastUserMessageAt: contact.lastMessageAt }),
      ...quietly(contact, new Date(ports.now()).toISOString()),
    });
    if (outcome.status === 'sent') deliveredVia.push('messenger');
  }
  if (via.includes('email') && contact.email) {
    await ports.sendEmail({
      to: contact.email,
      subject: heading.replace(/:$/, ''),
      text: `${heading}\n${lines.join('\n')}\n`,
      html: `<p style="font-family:sans-serif">${escapeHtml(heading)}</p><ul style="font-family:sans-serif">${taken
        .map(
          (held) =>
            `<li>${escapeHtml(held.title)} (${escapeHtml(describeInZone(held.occurrence, reminder.timeZone))})</li>`,
        )
        .join('')}</ul>`,
    });
    deliveredVia.push('email');
  }
  return { sent: taken.length, deliveredVia };
}

/** Payloads are commands the conversation reads: the occurrence makes a snooze repeat this one. */
export function reminderQuickReplies(reminderId: string, occurrence: string): QuickReply[] {
  const target = `${reminderId}@${occurrence}`;
  return [
    { title: 'Snooze 10 min', payload: `snooze ${target} 10m` },
    { title: 'Snooze 1 h', payload: `snooze ${target} 1h` },
    { title: 'Tomorrow 9:00', payload: `snooze ${target} tomorrow` },
    { title: 'Done', payload: `done ${reminderId}` },
  ];
}

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (text: string): string =>
  text.replace(/[&<>"']/g, (character) => HTML_ESCAPES[character] ?? character);

/** What both channels say about one firing. */
export interface ReminderWording {
  /** `call mum`, or for an event `Team sync starts at 10:00`. */
  readonly headline: string;
  /** The Messenger text's parenthesis: `Sat 5 Dec 09:00 Europe/Paris`, or for an event `in 15 minutes`. */
  readonly when: string;
  /** The email's detail line: `Due Sat 5 Dec 09:00 Europe/Paris.`, or `Starts Thu 3 Dec 10:00 Europe/Paris (in 15 minutes).` */
  readonly detail: string;
}

/**
 * A reminder says when it was due; an event's reminder says when the event starts (`occurrenceAt`, on the
 * zone's wall clock) and how long that is from now, which is what a "15 minutes before" is for.
 */
export function reminderWording(reminder: Reminder, occurrence: string, now: string): ReminderWording {
  const zone = reminder.timeZone;
  if (reminder.eventId === undefined) {
    const due = `${describeInZone(occurrence, zone)} ${zone}`;
    return { headline: reminder.title, when: due, detail: `Due ${due}.` };
  }
  const start = reminder.occurrenceAt;
  const span = describeSpan(now, start, zone);
  // Under half a minute either side is "now"; a late delivery (or a snooze past the start) says "ago".
  const started = span !== 'now' && Date.parse(start) < Date.parse(now);
  const when = span === 'now' ? 'now' : started ? `${span} ago` : `in ${span}`;
  return {
    headline: `${reminder.title} ${started ? 'started' : 'starts'} ${describeStart(start, zone, now)}`,
    when,
    detail: `${started ? 'Started' : 'Starts'} ${describeInZone(start, zone, now)} ${zone} (${when}).`,
  };
}

/** Plain and link-free: the title is the person's own text, escaped; snoozing happens in the chat. */
export function reminderEmail(to: string, wording: ReminderWording): Email {
  const { headline, detail } = wording;
  return {
    to,
    subject: `Reminder: ${headline}`,
    text: `Reminder: ${headline}\n${detail}\n\nReply to Aurora on Messenger to snooze or cancel it.\n`,
    html:
      `<p style="font-family:sans-serif;font-size:16px"><strong>Reminder:</strong> ${escapeHtml(headline)}</p>` +
      `<p style="font-family:sans-serif;color:#555">${escapeHtml(detail)}</p>` +
      '<p style="font-family:sans-serif;color:#555">Reply to Aurora on Messenger to snooze or cancel it.</p>',
  };
}
