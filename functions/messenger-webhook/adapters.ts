/** The production ports of the webhook: the app secret and verify token, one publish per delivery item. */
import { dynamoDbClient, eventBridge, readSecret } from '../shared/clients';
import { publishEvents } from '../shared/events/publish';
import { type Once, once } from '../shared/idempotency';
import { logger } from '../shared/logger';
import type { KeyedEvent } from './delivery';
import type { WebhookPorts } from './webhook';

export interface WebhookSettings {
  readonly tableName: string;
  readonly eventBusName: string;
  readonly appSecretId: string;
  readonly verifyTokenId: string;
}

export function awsWebhookPorts(
  settings: WebhookSettings,
): WebhookPorts & Pick<Once<KeyedEvent>, 'registerContext'> {
  const publish = once(
    (item: KeyedEvent) => publishEvents(eventBridge, settings.eventBusName, [item.event]),
    {
      tableName: settings.tableName,
      functionKey: 'messenger-webhook',
      keyPath: 'dedupeKey',
      client: dynamoDbClient,
    },
  );
  return {
    appSecret: () => readSecret(settings.appSecretId),
    verifyToken: () => readSecret(settings.verifyTokenId),
    publishOnce: async (item) => {
      await publish.run(item);
    },
    registerContext: publish.registerContext,
    log: (message, details) => logger.warn(message, details),
  };
}
