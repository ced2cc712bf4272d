/** OTP session step "Tell...": records the outcome for REST callers and tells a Messenger user. */
import type { Context } from 'aws-lambda';
import type { Outcome } from '../shared/auth/otp-session';
import { type ReplyTo, tell } from '../shared/auth/tell';
import { awsTellPorts } from '../shared/auth/tell-adapters';
import { logger } from '../shared/logger';

export interface NotifyRequest {
  readonly email: string;
  /** The workflow passes an empty psid for the web channel. */
  readonly reply: { readonly id: string; readonly channel: ReplyTo['channel']; readonly psid?: string };
  readonly result: Outcome;
}

const ports = awsTellPorts();

export const handler = async (
  { email, reply, result }: NotifyRequest,
  context: Context,
): Promise<{ told: string }> => {
  logger.addContext(context);
  const { psid, ...rest } = reply;
  await tell(psid ? { ...rest, psid } : rest, email, result, ports);
  logger.info('told', { replyTo: reply.id, channel: reply.channel, outcome: result.outcome });
  return { told: result.outcome };
};
