/**
 * Meta's standard messaging window: a Page may answer (RESPONSE) or update (UPDATE) a person within 24 hours
 * of that person's last message; the HUMAN_AGENT tag stretches this to 7 days; the other message tags
 * (confirmed event, post-purchase, account updates) may be sent at any time.
 */
import type { MessageTag, MessagingType } from './send-validation';

const HOUR_MS = 3_600_000;
export const STANDARD_WINDOW_MS = 24 * HOUR_MS;
export const HUMAN_AGENT_WINDOW_MS = 7 * 24 * HOUR_MS;

export function windowAllows(
  messagingType: MessagingType,
  tag: MessageTag | undefined,
  lastUserMessageAt: number,
  now: number,
): boolean {
  const elapsed = now - lastUserMessageAt;
  if (messagingType !== 'MESSAGE_TAG') return elapsed <= STANDARD_WINDOW_MS;
  if (tag === 'HUMAN_AGENT') return elapsed <= HUMAN_AGENT_WINDOW_MS;
  return true;
}
