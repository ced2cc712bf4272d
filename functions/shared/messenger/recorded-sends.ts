/**
 * Every message the Page sends becomes a MessageSent event (the "messages out" of the analytics). The event
 * follows the send: a failure to publish it is logged and the send stands, because failing the invocation
 * would make its retry send the person the message again.
 */
import type { PublishableEvent } from '../events/publish';
import { logger } from '../logger';
import type { SendApi } from './send-api';

export type SendPurpose = 'reply' | 'reminder' | 'sign-in';

export function recordingSends(
  send: SendApi,
  options: {
    readonly purpose: SendPurpose;
    readonly publish: (events: PublishableEvent[]) => Promise<void>;
    readonly now?: () => number;
  },
): SendApi {
  const now = options.now ?? Date.now;
  return async (message) => {
    const outcome = await send(message);
    if (outcome.status !== 'sent') return outcome;
    try {
      await options.publish([
        {
          detailType: 'MessageSent',
          detail: {
            schemaVersion: 1,
            psid: message.psid,
            messageId: outcome.messageId,
            purpose: options.purpose,
            sentAt: new Date(now()).toISOString(),
          },
        },
      ]);
    } catch (error) {
      logger.warn('MessageSent not published; the message itself was sent', { error });
    }
    return outcome;
  };
}
