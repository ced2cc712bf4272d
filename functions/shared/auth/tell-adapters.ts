/** The production ports of `tell`: outcome items in the table, Messenger messages through the Send API. */
import { dynamoDb, eventBridge, readSecret } from '../clients';
import { required } from '../config';
import { publishEvents } from '../events/publish';
import { logger } from '../logger';
import { recordingSends } from '../messenger/recorded-sends';
import { createSendApi } from '../messenger/send-api';
import { dynamoSessionStore } from './otp-session';
import type { TellPorts } from './tell';

export function awsTellPorts(): TellPorts {
  const store = dynamoSessionStore(dynamoDb, required('TABLE_NAME'));
  const pageTokenId = required('PAGE_TOKEN_ID');
  const busName = required('EVENT_BUS_NAME');
  const send = recordingSends(
    createSendApi({
      baseUrl: required('GRAPH_API_BASE_URL'),
      pageAccessToken: () => readSecret(pageTokenId),
    }),
    { purpose: 'sign-in', publish: (events) => publishEvents(eventBridge, busName, events) },
  );
  return {
    saveOutcome: (email, id, outcome) => store.saveOutcome(email, id, outcome, Date.now()),
    sendMessenger: async (psid, text) => {
      const result = await send({ psid, text });
      // The outcome is recorded either way; a message Meta refuses is not worth failing the session for.
      if (result.status !== 'sent') logger.warn('Messenger reply not delivered', { outcome: result });
    },
  };
}
