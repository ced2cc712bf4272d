import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { eventBridge } from '../shared/clients';
import { publishEvents } from '../shared/events/publish';
import { logger } from '../shared/logger';
import { type Once, once } from '../shared/messenger/idempotency';
import { cachedSecretReader } from '../shared/messenger/secrets';
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
  const readSecret = cachedSecretReader(new SecretsManagerClient({}));
  const publish = once(
    (item: KeyedEvent) => publishEvents(eventBridge, settings.eventBusName, [item.event]),
    {
      tableName: settings.tableName,
      functionKey: 'messenger-webhook',
      keyPath: 'dedupeKey',
      client: new DynamoDBClient({}),
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
