/** OTP session step "LinkIdentity": after a verified code, the address belongs to one user. */
import type { Context } from 'aws-lambda';
import { dynamoDb } from '../shared/clients';
import { required } from '../shared/config';
import { logger } from '../shared/logger';
import { dynamoIdentityStore, type LinkRequest, linkIdentity } from './link';

const store = dynamoIdentityStore(dynamoDb, required('TABLE_NAME'));

export const handler = async (request: LinkRequest, context: Context): Promise<{ userId: string }> => {
  logger.addContext(context);
  const linked = await linkIdentity(request, store);
  logger.info('identity linked', { userId: linked.userId, messenger: request.psid !== undefined });
  return linked;
};
