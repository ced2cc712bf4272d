/** OTP session step "VerifyCode": invoked by the state machine with each submission it receives. */
import type { Context } from 'aws-lambda';

import { required } from '../auth-shared/environment';
import { dynamoSessionStore } from '../auth-shared/otp-session';
import { dynamoDb } from '../shared/clients';
import { logger } from '../shared/logger';
import { MAX_ATTEMPTS, type Verdict, type VerifyRequest, verifyCode } from './verify';

const store = dynamoSessionStore(dynamoDb, required('TABLE_NAME'));
const lockMinutes = Number(required('LOCK_MINUTES'));
if (!Number.isInteger(lockMinutes) || lockMinutes < 1)
  throw new Error('LOCK_MINUTES must be a whole number of minutes');
const lockMillis = lockMinutes * 60_000;

export const handler = async (request: VerifyRequest, context: Context): Promise<Verdict> => {
  logger.addContext(context);
  const verdict = await verifyCode(request, store, { maxAttempts: MAX_ATTEMPTS, lockMillis });
  logger.info('code checked', { sessionId: request.sessionId, outcome: verdict.outcome });
  return verdict;
};
