/**
 * OtpCodeSubmitted → the waiting OTP session, through SendTaskSuccess with the token the session stored.
 * Submissions reach the execution one at a time: when a parallel submission has just used the token, this
 * one waits for the session's next token. When no session waits, the submitter is told so directly.
 */
import type { OtpCodeSubmittedDetail } from '../../events-schema/generated/types';
import type { OtpSession, Outcome, SessionStore } from '../shared/auth/otp-session';
import type { ReplyTo } from '../shared/auth/tell';

export interface Submission {
  readonly submissionId: string;
  readonly codeHmac: string;
  readonly channel: ReplyTo['channel'];
  readonly psid?: string;
}

export interface ResumePorts {
  readonly store: Pick<SessionStore, 'read' | 'readOutcome'>;
  /** False when the token was already used or timed out. */
  readonly sendTaskSuccess: (token: string, output: Submission) => Promise<boolean>;
  readonly tell: (reply: ReplyTo, email: string, outcome: Outcome) => Promise<void>;
  readonly sleep: (ms: number) => Promise<void>;
  readonly now: () => number;
}

export type ResumeResult = 'delivered' | 'answered' | 'duplicate';

const POLL_MS = 40;

export async function resumeSession(
  detail: OtpCodeSubmittedDetail,
  /** Epoch ms the bus received the event (the lock is compared with it). */
  receivedAt: number,
  ports: ResumePorts,
  patienceMs = 20_000,
): Promise<ResumeResult> {
  const reply: ReplyTo = {
    id: detail.submissionId,
    channel: detail.channel,
    ...(detail.psid ? { psid: detail.psid } : {}),
  };
  // A redelivered event whose submission was already answered must not count as a second attempt.
  if (await ports.store.readOutcome(detail.email, detail.submissionId)) return 'duplicate';
  const giveUpAt = ports.now() + patienceMs;
  let usedToken: string | undefined;
  for (;;) {
    const session = await ports.store.read(detail.email);
    if (session?.state !== 'waiting') {
      await ports.tell(reply, detail.email, closedOutcome(session, receivedAt));
      return 'answered';
    }
    const token = session.taskToken;
    if (token && token !== usedToken) {
      usedToken = token;
      const submission: Submission = {
        submissionId: detail.submissionId,
        codeHmac: detail.codeHmac,
        channel: detail.channel,
        ...(detail.psid ? { psid: detail.psid } : {}),
      };
      if (await ports.sendTaskSuccess(token, submission)) return 'delivered';
    }
    if (ports.now() > giveUpAt) throw new Error('The OTP session did not take the submission in time');
    await ports.sleep(POLL_MS);
  }
}

/** What to tell someone whose code arrives when no session waits for one. */
function closedOutcome(session: OtpSession | undefined, receivedAt: number): Outcome {
  if (session?.state === 'locked' && session.lockedUntil !== undefined && session.lockedUntil > receivedAt) {
    return { outcome: 'locked', lockedUntil: new Date(session.lockedUntil).toISOString() };
  }
  return { outcome: 'no-session' };
}
