/**
 * The conversation use case: one message (or postback) in, at most one reply out, plus the request events
 * of commands whose work belongs to other features (login → OtpRequested / OtpCodeSubmitted, reminders →
 * ReminderRequested / ReminderChangeRequested).
 */
import type { PublishableEvent } from '../shared/events/publish';
import type { OutgoingMessage, SendApi, SendOutcome } from '../shared/messenger/send-api';
import { type Command, parseCommand } from './commands';
import { canonicalTimeZone, describeLocal } from './local-time';
import { parseReminder } from './reminder-text';

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
}

export interface ConversationPorts {
  /** Finds or creates the user of this PSID and records the time of their message (24-hour window). */
  readonly recordMessage: (psid: string, at: string) => Promise<UserRecord>;
  readonly saveTimeZone: (userId: string, timeZone: string) => Promise<void>;
  readonly savePendingLogin: (userId: string, email: string, at: string) => Promise<void>;
  readonly pendingReminders: (userId: string) => Promise<ReminderSummary[]>;
  readonly publish: (events: PublishableEvent[]) => Promise<void>;
  /** HMAC-SHA256 of a submitted code under the OTP key, hex: the code itself never reaches the bus. */
  readonly hashCode: (code: string) => Promise<string>;
  readonly newId: () => string;
  readonly send: SendApi;
}

export interface ConversationResult {
  readonly command: Command['kind'] | 'attachment';
  readonly outcome: SendOutcome;
}

type Reply = Omit<OutgoingMessage, 'psid'>;
const DEFAULT_TIME_ZONE = 'UTC';
/** The TimeZone pattern of events-schema/definitions.json. */
const SCHEMA_TIME_ZONE = /^(UTC|[A-Z][A-Za-z_]+(\/[A-Za-z0-9_+-]+){1,2})$/;

export async function converse(incoming: Incoming, ports: ConversationPorts): Promise<ConversationResult> {
  const user = await ports.recordMessage(incoming.psid, incoming.sentAt);
  const input = incoming.payload ?? incoming.text ?? '';
  const command = input.trim() === '' ? undefined : parseCommand(input);
  const reply = command
    ? await answer(command, user, incoming, ports)
    : {
        text: 'I can only read text for now. Type help to see what I can do.',
        quickReplies: [{ title: 'Help', payload: 'help' }],
      };
  const outcome = await ports.send({ psid: incoming.psid, ...reply });
  return { command: command?.kind ?? 'attachment', outcome };
}

async function answer(
  command: Command,
  user: UserRecord,
  incoming: Incoming,
  ports: ConversationPorts,
): Promise<Reply> {
  const timeZone = user.timeZone ?? DEFAULT_TIME_ZONE;
  const base = { channel: 'messenger' as const, psid: user.psid, schemaVersion: 1 as const };
  switch (command.kind) {
    case 'help':
      return help(timeZone);
    case 'greeting':
      return { ...help(timeZone), text: `Hi! I'm Aurora: I keep your reminders.\n\n${help(timeZone).text}` };
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
      return list(await ports.pendingReminders(user.userId), timeZone);
    case 'cancel':
    case 'snooze': {
      const reminder = findReminder(await ports.pendingReminders(user.userId), command.target);
      if (!reminder) return { text: `I cannot find reminder ${command.target}. Type list to see yours.` };
      await ports.publish([
        {
          detailType: 'ReminderChangeRequested',
          detail: {
            ...base,
            requestId: ports.newId(),
            reminderId: reminder.reminderId,
            userId: user.userId,
            change: command.kind,
            ...(command.kind === 'snooze' ? { snoozeMinutes: command.minutes } : {}),
          },
        },
      ]);
      return {
        text:
          command.kind === 'cancel'
            ? `Cancelling “${reminder.title}”.`
            : `Snoozing “${reminder.title}” for ${command.minutes} minutes.`,
      };
    }
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

function help(timeZone: string): Reply {
  return {
    text: [
      'Here is what I understand:',
      '• remind me to <what> <when> (e.g. remind me to call mum tomorrow at 9)',
      '• list: your reminders',
      '• cancel <n> or snooze <n> [minutes]',
      '• login <email>: link your email address',
      `• timezone <zone>: your time zone (now ${timeZone})`,
    ].join('\n'),
    quickReplies: [
      { title: 'My reminders', payload: 'list' },
      { title: 'Time zone', payload: 'timezone' },
    ],
  };
}

async function remind(
  request: string,
  user: UserRecord,
  timeZone: string,
  incoming: Incoming,
  ports: ConversationPorts,
): Promise<Reply> {
  const parsed = parseReminder(request, Date.parse(incoming.sentAt), timeZone);
  if (!parsed.ok) return { text: parsed.problem };
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
        dueLocal: parsed.dueLocal,
        timeZone,
        ...(parsed.recurrence ? { recurrence: parsed.recurrence } : {}),
        deliverBy: user.email ? ['messenger', 'email'] : ['messenger'],
      },
    },
  ]);
  const when = describeLocal(Date.parse(`${parsed.dueLocal}:00Z`), 'UTC');
  const repeat = parsed.recurrence ? `, then ${parsed.recurrence.frequency}` : '';
  const tip = user.timeZone ? '' : '\nTip: tell me your time zone, e.g. timezone Europe/Paris.';
  return {
    text: `⏰ Got it: “${parsed.title}” on ${when} (${timeZone})${repeat}. I will confirm once it is scheduled.${tip}`,
  };
}

function list(reminders: readonly ReminderSummary[], timeZone: string): Reply {
  if (reminders.length === 0) {
    return { text: 'You have no pending reminders. Try: remind me to call mum tomorrow at 9' };
  }
  const lines = reminders.map(
    (reminder, index) =>
      `${index + 1}. ${reminder.title}: ${describeLocal(Date.parse(reminder.nextDueAt), timeZone)}`,
  );
  return {
    text: `Your reminders (${timeZone}):\n${lines.join('\n')}`,
    quickReplies: [
      { title: 'Snooze 1', payload: 'snooze 1' },
      { title: 'Cancel 1', payload: 'cancel 1' },
    ],
  };
}

/** `2` is the second reminder of `list`; a reminder id must be one of the person's own. */
function findReminder(reminders: readonly ReminderSummary[], target: string): ReminderSummary | undefined {
  if (/^\d{1,3}$/.test(target)) return reminders[Number(target) - 1];
  return reminders.find((reminder) => reminder.reminderId === target.toUpperCase());
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
  if (!canonical || !SCHEMA_TIME_ZONE.test(canonical)) {
    return {
      text: `I do not know the time zone “${zone}”. Use a name such as Europe/Paris or America/New_York.`,
    };
  }
  await ports.saveTimeZone(user.userId, canonical);
  return {
    text: `Time zone set to ${canonical}. It is ${describeLocal(Date.parse(incoming.sentAt), canonical)} there.`,
  };
}
