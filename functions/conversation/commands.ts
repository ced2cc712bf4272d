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

export function parseCommand(input: string): Command {
  const text = input.trim().replace(/\s+/g, ' ');
  const lower = text.toLowerCase();
  const [word = '', ...rest] = lower.split(' ');
  const argument = text.slice(word.length).trim();

  if (['help', '?', 'menu', 'commands'].includes(lower)) return { kind: 'help' };
  if (['get_started', 'hi', 'hello', 'hey', 'start'].includes(lower)) return { kind: 'greeting' };
  if (/^\d{6}$/.test(text)) return { kind: 'code', code: text };
  if (word === 'login' || word === 'log' || word === 'signin') {
    const given = argument.replace(/^in\s+/i, '').trim();
    const email = canonicalEmail(given);
    return email ? { kind: 'login', email } : { kind: 'bad-email', given };
  }
  if (lower.startsWith('remind me'))
    return { kind: 'remind', request: text.slice('remind me'.length).trim() };
  if (lower === 'my reminders') return { kind: 'list', page: 1 };
  if (word === 'list' && /^(\d{1,2})?$/.test(argument))
    return { kind: 'list', page: Number(argument || 1) || 1 };
  if (word === 'done' && rest.length === 1) return { kind: 'done', target: argument };
  if (word === 'reschedule' || word === 'move') {
    const match = /^(\S+)\s+(?:to\s+)?(.+)$/i.exec(argument);
    return match?.[1] && match[2]
      ? { kind: 'reschedule', target: match[1], when: match[2] }
      : { kind: 'unknown' };
  }
  if (word === 'cancel' && rest.length > 0) return { kind: 'cancel', target: argument };
  if (word === 'snooze' && rest.length > 0) {
    const [target = '', ...duration] = argument.split(' ');
    const spec = duration.join(' ');
    if (/^(until\s+)?tomorrow$/i.test(spec)) return { kind: 'snooze', target, by: { tomorrow: true } };
    const minutes = snoozeMinutes(spec);
    return minutes === undefined ? { kind: 'unknown' } : { kind: 'snooze', target, by: { minutes } };
  }
  if (word === 'timezone' || word === 'tz')
    return argument ? { kind: 'timezone', zone: argument } : { kind: 'timezone' };
  return { kind: 'unknown' };
}

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
