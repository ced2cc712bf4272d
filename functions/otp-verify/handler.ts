/** OTP session step "VerifyCode": invoked by the state machine with each submission it receives. */
import type { Context } from 'aws-lambda';
import { dynamoSessionStore } from '../shared/auth/otp-session';
import { dynamoDb } from '../shared/clients';
import { required, requiredWholeNumber } from '../shared/config';
import { logger } from '../shared/logger';
import { MAX_ATTEMPTS, type Verdict, type VerifyRequest, verifyCode } from './verify';

const store = dynamoSessionStore(dynamoDb, required('TABLE_NAME'));
const lockMillis = requiredWholeNumber('LOCK_MINUTES', 1) * 60_000;

export const handler = async (request: VerifyRequest, context: Context): Promise<Verdict> => {
  logger.addContext(context);
  const verdict = await verifyCode(request, store, { maxAttempts: MAX_ATTEMPTS, lockMillis });
  logger.info('code checked', { sessionId: request.sessionId, outcome: verdict.outcome });
  return verdict;
};
