/** MessageSent follows every accepted send, and never turns a sent message into a failure. */
import { describe, expect, it } from 'vitest';
import type { PublishableEvent } from '../../../../../functions/shared/events/publish';
import { recordingSends } from '../../../../../functions/shared/messenger/recorded-sends';
import type { SendApi, SendOutcome } from '../../../../../functions/shared/messenger/send-api';

const AT = Date.parse('2026-11-22T09:00:00.000Z');
const answering =
  (outcome: SendOutcome): SendApi =>
  async () =>
    outcome;

describe('recordingSends', () => {
  it('publishes MessageSent with the Send API message id once the message is sent', async () => {
    const published: PublishableEvent[] = [];
    const send = recordingSends(answering({ status: 'sent', messageId: 'm_1', messagingType: 'RESPONSE' }), {
      purpose: 'reminder',
      publish: async (events) => {
        published.push(...events);
      },
      now: () => AT,
    });
    expect(await send({ psid: '42', text: 'hi' })).toMatchObject({ status: 'sent' });
    expect(published).toEqual([
      {
        detailType: 'MessageSent',
        detail: {
          schemaVersion: 1,
          psid: '42',
          messageId: 'm_1',
          purpose: 'reminder',
          sentAt: '2026-11-22T09:00:00.000Z',
        },
      },
    ]);
  });

  it('publishes nothing for a message that was not sent', async () => {
    const published: PublishableEvent[] = [];
    const send = recordingSends(answering({ status: 'outside-window' }), {
      purpose: 'reply',
      publish: async (events) => {
        published.push(...events);
      },
    });
    expect(await send({ psid: '42', text: 'hi' })).toEqual({ status: 'outside-window' });
    expect(published).toEqual([]);
  });

  it('keeps the send when the event cannot be published, so a retry does not message the person twice', async () => {
    const send = recordingSends(answering({ status: 'sent', messageId: 'm_2', messagingType: 'RESPONSE' }), {
      purpose: 'reply',
      publish: async () => {
        throw new Error('bus unavailable');
      },
    });
    expect(await send({ psid: '42', text: 'hi' })).toMatchObject({ status: 'sent', messageId: 'm_2' });
  });
});
