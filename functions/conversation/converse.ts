/**
 * The conversation use case: one message (or postback) in, at most one reply out, plus the request events
 * of commands whose work belongs to other features (login → OtpRequested / OtpCodeSubmitted, reminders →
 * ReminderRequested / ReminderChangeRequested).
 */
import { PATTERNS } from '../../events-schema/generated/patterns';
import type { PublishableEvent } from '../shared/events/publish';
import type { OutgoingMessage, SendApi, SendOutcome } from '../shared/messenger/send-api';
import { helpExamples, parseReminder, parseWhen, type Suggestion } from '../shared/reminders/parse';
import { canonicalTimeZone, describeInZone } from '../shared/reminders/zoned';
import { type Command, parseCommand, type SnoozeBy } from './commands';

export interface Incoming {
  readonly psid: string;
  /** ISO-8601: when the person wrote; "now" for reading relative times such as "in 20 minutes". */
  readonly sentAt: string;
  /** Typed text, or the payload of a tapped quick reply or postback button (which wins). */
  readonly text?: string;
  readonly payload?: string;
}

export interface UserRecord {
  readonly userId: string;
  readonly psid: string;
  readonly timeZone?: string;
  readonly email?: string;
  readonly pendingLoginEmail?: string;
}

export interface ReminderSummary {
  readonly reminderId: string;
  readonly title: string;
  /** ISO-8601 UTC */
  readonly nextDueAt: string;
  readonly anchor: 'wall' | 'instant';
  readonly rrule?: string;
  /** The calendar event it reminds of: it keeps the event's zone, whatever the person's. */
  readonly eventId?: string;
}

/** An occurrence that found no open channel when it was due (docs/messenger-policy.md). */
export interface HeldReminder {
  readonly title: string;
  readonly occurrence: string;
}

export interface ConversationPorts {
  /** Finds or creates the user of this PSID and records the time of their message (24-hour window). */
  readonly recordMessage: (psid: string, at: string) => Promise<UserRecord>;
  readonly saveTimeZone: (userId: string, timeZone: string) => Promise<void>;
  readonly savePendingLogin: (userId: string, email: string, at: string) => Promise<void>;
  /** Every pending reminder of the person (at most 500), in due order. */
  readonly pendingReminders: (userId: string) => Promise<ReminderSummary[]>;
  /** Occurrences held for this person's next message; taking them removes them. */
  readonly takeHeld: (userId: string) => Promise<HeldReminder[]>;
  readonly publish: (events: PublishableEvent[]) => Promise<void>;
  /** HMAC-SHA256 of a submitted code under the OTP key, hex: the code itself never reaches the bus. */
  readonly hashCode: (code: string) => Promise<string>;
  readonly newId: () => string;
  readonly send: SendApi;
}

export interface ConversationResult {
  readonly command: Command['kind'] | 'attachment';
  /** Undefined when the answer comes from a workflow instead (a reminder request is confirmed once scheduled). */
  readonly outcome?: SendOutcome;
}

type Reply = Omit<OutgoingMessage, 'psid'>;
const DEFAULT_TIME_ZONE = 'UTC';
const LIST_PAGE_SIZE = 10;

export async function converse(incoming: Incoming, ports: ConversationPorts): Promise<ConversationResult> {
  const user = await ports.recordMessage(incoming.psid, incoming.sentAt);
  const input = incoming.payload ?? incoming.text ?? '';
  const command = input.trim() === '' ? undefined : parseCommand(input);
  const answered = command
    ? await answer(command, user, incoming, ports)
    : {
        text: 'I can only read text for now. Type help to see what I can do.',
        quickReplies: [{ title: 'Help', payload: 'help' }],
      };
  const reply = withHeld(
    answered,
    await ports.takeHeld(user.userId),
    user.timeZone ?? DEFAULT_TIME_ZONE,
    incoming.sentAt,
  );
  const outcome = reply ? await ports.send({ psid: incoming.psid, ...reply }) : undefined;
  return { command: command?.kind ?? 'attachment', ...(outcome ? { outcome } : {}) };
}

/** Held reminders come first: the person's message reopened the 24-hour window they were waiting for. */
function withHeld(
  reply: Reply | undefined,
  held: readonly HeldReminder[],
  timeZone: string,
  now: string,
): Reply | undefined {
  if (held.length === 0) return reply;
  const lines = held.map((item) => `• ${item.title} (${describeInZone(item.occurrence, timeZone, now)})`);
  const away = `While you were away:\n${lines.join('\n')}`;
  return reply ? { ...reply, text: `${away}\n\n${reply.text}` } : { text: away };
}

async function answer(
  command: Command,
  user: UserRecord,
  incoming: Incoming,
  ports: ConversationPorts,
): Promise<Reply | undefined> {
  const timeZone = user.timeZone ?? DEFAULT_TIME_ZONE;
  const base = { channel: 'messenger' as const, psid: user.psid, schemaVersion: 1 as const };
  switch (command.kind) {
    case 'help':
      return help(timeZone, incoming.sentAt);
    case 'greeting': {
      const menu = help(timeZone, incoming.sentAt);
      return { ...menu, text: `Hi! I'm Aurora: I keep your reminders.\n\n${menu.text}` };
    }
    case 'bad-email':
      return { text: 'That does not look like an email address. Try: login ann@example.com' };
    case 'login': {
      if (user.email === command.email) return { text: `You are already signed in as ${command.email}.` };
      await ports.publish([
        {
          detailType: 'OtpRequested',
          detail: { ...base, requestId: ports.newId(), email: command.email, requestedAt: incoming.sentAt },
        },
      ]);
      await ports.savePendingLogin(user.userId, command.email, incoming.sentAt);
      // Said before the workflow decides, so it promises nothing and reads the same for every address; the
      // workflow itself tells the person when they must wait or are locked out.
      return {
        text: `If ${command.email} can receive email, a 6-digit code is on its way. Type it here to link your account; it is valid for 15 minutes.`,
      };
    }
    case 'code': {
      if (!user.pendingLoginEmail) {
        return { text: 'I was not expecting a code. Type login followed by your email address first.' };
      }
      await ports.publish([
        {
          detailType: 'OtpCodeSubmitted',
          detail: {
            ...base,
            submissionId: ports.newId(),
            email: user.pendingLoginEmail,
            codeHmac: await ports.hashCode(command.code),
            submittedAt: incoming.sentAt,
          },
        },
      ]);
      return { text: 'Thanks, checking that code…' };
    }
    case 'remind':
      return remind(command.request, user, timeZone, incoming, ports);
    case 'list':
      return list(await ports.pendingReminders(user.userId), timeZone, command.page, incoming.sentAt);
    case 'cancel':
    case 'snooze':
    case 'reschedule':
      return change(command, user, timeZone, incoming, ports);
    case 'done':
      return { text: '👍 Done.' };
    case 'timezone':
      return changeTimeZone(command.zone, user, timeZone, incoming, ports);
    case 'unknown':
      return {
        text: 'Sorry, I did not get that. Type help to see what I can do.',
        quickReplies: [
          { title: 'Help', payload: 'help' },
          { title: 'My reminders', payload: 'list' },
        ],
      };
  }
}

function help(timeZone: string, now: string): Reply {
  const examples = helpExamples(Date.parse(now), timeZone);
  return {
    text: [
      'Here is what I understand:',
      ...examples.map((example) => `• ${example}`),
      '• list: your reminders, numbered',
      '• cancel <n>, snooze <n> 10m|1h|tomorrow, reschedule <n> to <when>',
      '• login <email>: link your email address',
      `• timezone <zone>: your time zone (now ${timeZone})`,
    ].join('\n'),
    quickReplies: [
      { title: 'My reminders', payload: 'list' },
      { title: 'Time zone', payload: 'timezone' },
    ],
  };
}

const refusal = (problem: string, suggestions: readonly Suggestion[]): Reply => ({
  text: problem,
  ...(suggestions.length > 0
    ? { quickReplies: suggestions.map(({ title, payload }) => ({ title, payload })) }
    : {}),
});

/** Published, not answered: the lifecycle workflow says "Scheduled: …" once the schedule exists. */
async function remind(
  request: string,
  user: UserRecord,
  timeZone: string,
  incoming: Incoming,
  ports: ConversationPorts,
): Promise<Reply | undefined> {
  const parsed = parseReminder(request, Date.parse(incoming.sentAt), timeZone);
  if (!parsed.ok) return refusal(parsed.problem, parsed.suggestions);
  await ports.publish([
    {
      detailType: 'ReminderRequested',
      detail: {
        schemaVersion: 1,
        requestId: ports.newId(),
        userId: user.userId,
        channel: 'messenger',
        psid: user.psid,
        title: parsed.title,
        // An instant keeps its seconds ("in 20 minutes" is 20 minutes from now, not from the minute).
        dueLocal:
          parsed.anchor === 'instant' ? `${parsed.dueLocal}:${parsed.dueAt.slice(17, 19)}` : parsed.dueLocal,
        timeZone,
        anchor: parsed.anchor,
        ...(parsed.rrule ? { rrule: parsed.rrule } : {}),
        deliverBy: user.email ? ['messenger', 'email'] : ['messenger'],
      },
    },
  ]);
  return user.timeZone
    ? undefined
    : { text: 'Tip: tell me your time zone, e.g. timezone Europe/Paris (I am using UTC).' };
}

function list(reminders: readonly ReminderSummary[], timeZone: string, page: number, now: string): Reply {
  if (reminders.length === 0) {
    return { text: 'You have no pending reminders. Try: remind me to call mum tomorrow at 9' };
  }
  const pages = Math.ceil(reminders.length / LIST_PAGE_SIZE);
  const shown = Math.min(Math.max(page, 1), pages);
  const first = (shown - 1) * LIST_PAGE_SIZE;
  const lines = reminders
    .slice(first, first + LIST_PAGE_SIZE)
    .map(
      (reminder, index) =>
        `${first + index + 1}. ${reminder.title}: ${describeInZone(reminder.nextDueAt, timeZone, now)}${reminder.rrule ? ' (repeats)' : ''}`,
    );
  const heading =
    pages > 1 ? `Your reminders (${timeZone}), page ${shown} of ${pages}:` : `Your reminders (${timeZone}):`;
  return {
    text: `${heading}\n${lines.join('\n')}`,
    quickReplies: [
      { title: `Snooze ${first + 1}`, payload: `snooze ${first + 1}` },
      { title: `Cancel ${first + 1}`, payload: `cancel ${first + 1}` },
      ...(shown < pages ? [{ title: 'More', payload: `list ${shown + 1}` }] : []),
    ],
  };
}

/** A target is a list number, a reminder id, or `<id>@<occurrence>` (a quick reply on a delivered reminder). */
async function change(
  command: Extract<Command, { kind: 'cancel' | 'snooze' | 'reschedule' }>,
  user: UserRecord,
  timeZone: string,
  incoming: Incoming,
  ports: ConversationPorts,
): Promise<Reply> {
  const [target = '', occurrence] = command.target.split('@');
  const reminderId = /^\d{1,3}$/.test(target)
    ? findReminder(await ports.pendingReminders(user.userId), target)?.reminderId
    : target.toUpperCase();
  if (!reminderId || !PATTERNS.ReminderId.test(reminderId)) {
    return { text: `I cannot find reminder ${command.target}. Type list to see yours.` };
  }
  const now = Date.parse(incoming.sentAt);
  let when: Record<string, unknown> = {};
  if (command.kind === 'snooze') {
    when = snoozeDetail(command.by, now, timeZone);
  } else if (command.kind === 'reschedule') {
    const parsed = parseWhen(command.when, now, timeZone);
    if (!parsed.ok) return refusal(parsed.problem, []);
    when = { dueLocal: parsed.dueLocal, timeZone };
  }
  await ports.publish([
    {
      detailType: 'ReminderChangeRequested',
      detail: {
        schemaVersion: 1,
        requestId: ports.newId(),
        reminderId,
        userId: user.userId,
        channel: 'messenger',
        psid: user.psid,
        change: command.kind,
        requestedAt: incoming.sentAt,
        ...(occurrence && /^\d{4}-\d{2}-\d{2}T[\d:.]+Z$/.test(occurrence) ? { occurrence } : {}),
        ...when,
      },
    },
  ]);
  return {
    text:
      command.kind === 'cancel' ? 'Cancelling…' : command.kind === 'snooze' ? 'Snoozing…' : 'Rescheduling…',
  };
}

function snoozeDetail(by: SnoozeBy, now: number, timeZone: string): Record<string, unknown> {
  if ('minutes' in by) return { snoozeMinutes: by.minutes };
  const tomorrow = parseWhen('tomorrow at 9:00', now, timeZone);
  return tomorrow.ok ? { dueLocal: tomorrow.dueLocal } : { snoozeMinutes: 24 * 60 };
}

/** `2` is the second reminder of `list`. */
function findReminder(reminders: readonly ReminderSummary[], target: string): ReminderSummary | undefined {
  return reminders[Number(target) - 1];
}

async function changeTimeZone(
  zone: string | undefined,
  user: UserRecord,
  current: string,
  incoming: Incoming,
  ports: ConversationPorts,
): Promise<Reply> {
  if (zone === undefined) {
    return {
      text: `Your time zone is ${current}. Type timezone and a zone name, e.g. timezone Europe/Paris.`,
      quickReplies: ['Europe/London', 'Europe/Paris', 'America/New_York', 'Asia/Tokyo', 'UTC'].map(
        (name) => ({
          title: name,
          payload: `timezone ${name}`,
        }),
      ),
    };
  }
  const canonical = canonicalTimeZone(zone);
  if (!canonical) {
    return {
      text: `I do not know the time zone “${zone}”. Use a name such as Europe/Paris or America/New_York.`,
    };
  }
  await ports.saveTimeZone(user.userId, canonical);
  const pending = (await ports.pendingReminders(user.userId)).filter(
    (reminder) => reminder.eventId === undefined,
  );
  const base = {
    schemaVersion: 1 as const,
    userId: user.userId,
    channel: 'messenger' as const,
    psid: user.psid,
  };
  if (canonical !== current && pending.length > 0) {
    await ports.publish(
      pending.map((reminder) => ({
        detailType: 'ReminderChangeRequested' as const,
        detail: {
          ...base,
          requestId: ports.newId(),
          reminderId: reminder.reminderId,
          change: 'timezone' as const,
          timeZone: canonical,
          requestedAt: incoming.sentAt,
        },
      })),
    );
  }
  const wall = pending.filter((reminder) => reminder.anchor === 'wall').length;
  const follows =
    canonical !== current && wall > 0
      ? ` Your ${wall === 1 ? 'reminder set for a time of day keeps that time' : `${wall} reminders set for a time of day keep their times`} in ${canonical}.`
      : '';
  return {
    text: `Time zone set to ${canonical}. It is ${describeInZone(incoming.sentAt, canonical, incoming.sentAt)} there.${follows}`,
  };
}
