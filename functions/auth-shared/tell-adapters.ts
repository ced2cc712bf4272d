/** The production ports of `tell`: outcome items in the table, Messenger messages through the Send API. */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { dynamoDb, eventBridge } from '../shared/clients';
import { publishEvents } from '../shared/events/publish';
import { logger } from '../shared/logger';
import { recordingSends } from '../shared/messenger/recorded-sends';
import { cachedSecretReader } from '../shared/messenger/secrets';
import { createSendApi } from '../shared/messenger/send-api';
import { required } from './environment';
import { dynamoSessionStore } from './otp-session';
import type { TellPorts } from './tell';

export function awsTellPorts(): TellPorts {
  const store = dynamoSessionStore(dynamoDb, required('TABLE_NAME'));
  const readSecret = cachedSecretReader(new SecretsManagerClient({}));
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
