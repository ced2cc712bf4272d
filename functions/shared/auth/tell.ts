/**
 * Telling the person who asked: every outcome is recorded under the request or submission id (a REST call
 * waits for it), and a Messenger user also gets a message. `sent` is not repeated on Messenger: the
 * conversation already said a code is on its way if the address can receive email.
 */
import type { Outcome } from './otp-session';

export interface ReplyTo {
  /** requestId or submissionId of the event being answered. */
  readonly id: string;
  readonly channel: 'messenger' | 'web';
  readonly psid?: string;
}

export interface TellPorts {
  readonly saveOutcome: (email: string, id: string, outcome: Outcome) => Promise<void>;
  readonly sendMessenger: (psid: string, text: string) => Promise<void>;
}

const clockTime = (iso: string): string => `${iso.slice(11, 16)} UTC`;

export function messageFor(outcome: Outcome, email: string): string {
  switch (outcome.outcome) {
    case 'sent':
      return `I have emailed a 6-digit code to ${email}. It expires at ${clockTime(outcome.expiresAt)}.`;
    case 'throttled':
      return `Please wait ${outcome.retryAfterSeconds} seconds before asking for another code.`;
    case 'locked':
      return `Too many wrong codes: sign-in for ${email} is locked until ${clockTime(outcome.lockedUntil)}.`;
    case 'wrong':
      return `That code is not right. ${outcome.attemptsLeft} ${outcome.attemptsLeft === 1 ? 'attempt' : 'attempts'} left.`;
    case 'verified':
      return `You are signed in as ${email}.`;
    case 'expired':
      return 'Your code expired after 15 minutes. Type login followed by your email to get a new one.';
    case 'no-session':
      return 'No code is waiting for that address. Type login followed by your email to get one.';
  }
}

export async function tell(reply: ReplyTo, email: string, outcome: Outcome, ports: TellPorts): Promise<void> {
  await ports.saveOutcome(email, reply.id, outcome);
  if (reply.channel === 'messenger' && reply.psid && outcome.outcome !== 'sent') {
    await ports.sendMessenger(reply.psid, messageFor(outcome, email));
  }
}
