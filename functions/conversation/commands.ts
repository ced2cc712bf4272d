/** What a person can type (or tap: quick-reply and postback payloads are command texts too). */
import { canonicalEmail } from '../shared/events/addresses';

export type Command =
  | { readonly kind: 'help' }
  | { readonly kind: 'greeting' }
  | { readonly kind: 'login'; readonly email: string }
  | { readonly kind: 'bad-email'; readonly given: string }
  | { readonly kind: 'code'; readonly code: string }
  | { readonly kind: 'remind'; readonly request: string }
  | { readonly kind: 'list'; readonly page: number }
  | { readonly kind: 'cancel'; readonly target: string }
  | { readonly kind: 'snooze'; readonly target: string; readonly by: SnoozeBy }
  | { readonly kind: 'reschedule'; readonly target: string; readonly when: string }
  | { readonly kind: 'done'; readonly target: string }
  | { readonly kind: 'timezone'; readonly zone?: string }
  | { readonly kind: 'unknown' };

export const DEFAULT_SNOOZE_MINUTES = 10;
/** A number of minutes, or to tomorrow at 09:00 in the person's zone. */
export type SnoozeBy = { readonly minutes: number } | { readonly tomorrow: true };
const MAX_SNOOZE_MINUTES = 10080;

const UNKNOWN: Command = { kind: 'unknown' };
const HELP_WORDS = new Set(['help', '?', 'menu', 'commands']);
const GREETINGS = new Set(['get_started', 'hi', 'hello', 'hey', 'start']);

export function parseCommand(input: string): Command {
  const text = input.trim().replace(/\s+/g, ' ');
  const lower = text.toLowerCase();
  return wholeTextCommand(text, lower) ?? firstWordCommand(text, lower);
}

/** Commands recognised by the whole text (or its start), before its first word is looked at. */
function wholeTextCommand(text: string, lower: string): Command | undefined {
  if (HELP_WORDS.has(lower)) return { kind: 'help' };
  if (GREETINGS.has(lower)) return { kind: 'greeting' };
  if (/^\d{6}$/.test(text)) return { kind: 'code', code: text };
  if (lower.startsWith('remind me'))
    return { kind: 'remind', request: text.slice('remind me'.length).trim() };
  if (lower === 'my reminders') return { kind: 'list', page: 1 };
  return undefined;
}

interface Words {
  /** The text after the first word, as typed. */
  readonly argument: string;
  /** The lower-cased words after the first. */
  readonly rest: readonly string[];
}

function firstWordCommand(text: string, lower: string): Command {
  const [word = '', ...rest] = lower.split(' ');
  const read = BY_FIRST_WORD.get(word);
  return read ? read({ argument: text.slice(word.length).trim(), rest }) : UNKNOWN;
}

function loginCommand({ argument }: Words): Command {
  const given = argument.replace(/^in\s+/i, '').trim();
  const email = canonicalEmail(given);
  return email ? { kind: 'login', email } : { kind: 'bad-email', given };
}

function rescheduleCommand({ argument }: Words): Command {
  const match = /^(\S+)\s+(?:to\s+)?(.+)$/i.exec(argument);
  return match?.[1] && match[2] ? { kind: 'reschedule', target: match[1], when: match[2] } : UNKNOWN;
}

function snoozeCommand({ argument, rest }: Words): Command {
  if (rest.length === 0) return UNKNOWN;
  const [target = '', ...duration] = argument.split(' ');
  const spec = duration.join(' ');
  if (/^(until\s+)?tomorrow$/i.test(spec)) return { kind: 'snooze', target, by: { tomorrow: true } };
  const minutes = snoozeMinutes(spec);
  return minutes === undefined ? UNKNOWN : { kind: 'snooze', target, by: { minutes } };
}

const timezoneCommand = ({ argument }: Words): Command =>
  argument ? { kind: 'timezone', zone: argument } : { kind: 'timezone' };

/** A Map, not an object: a typed word must never find a prototype property. */
const BY_FIRST_WORD = new Map<string, (words: Words) => Command>([
  ['login', loginCommand],
  ['log', loginCommand],
  ['signin', loginCommand],
  [
    'list',
    ({ argument }) =>
      /^(\d{1,2})?$/.test(argument) ? { kind: 'list', page: Number(argument || 1) || 1 } : UNKNOWN,
  ],
  ['done', ({ argument, rest }) => (rest.length === 1 ? { kind: 'done', target: argument } : UNKNOWN)],
  ['reschedule', rescheduleCommand],
  ['move', rescheduleCommand],
  ['cancel', ({ argument, rest }) => (rest.length > 0 ? { kind: 'cancel', target: argument } : UNKNOWN)],
  ['snooze', snoozeCommand],
  ['timezone', timezoneCommand],
  ['tz', timezoneCommand],
]);

/** `""` → default, `30`, `30m`, `for 2 hours`, `1 day`. */
function snoozeMinutes(text: string): number | undefined {
  const spec = text.replace(/^for\s+/i, '').trim();
  if (spec === '') return DEFAULT_SNOOZE_MINUTES;
  const match = /^(\d{1,5})\s*(minutes?|mins?|m|hours?|hrs?|h|days?|d)?$/i.exec(spec);
  if (!match) return undefined;
  const unit = (match[2] ?? 'm').charAt(0).toLowerCase();
  const minutes = Number(match[1]) * (unit === 'h' ? 60 : unit === 'd' ? 1440 : 1);
  return minutes >= 1 && minutes <= MAX_SNOOZE_MINUTES ? minutes : undefined;
}
