/** OTP session step "VerifyCode": invoked by the state machine with each submission it receives. */

import { required } from '../auth-shared/environment';
import { dynamoSessionStore } from '../auth-shared/otp-session';
import { dynamoDb } from '../shared/clients';
import { logger } from '../shared/logger';
import { MAX_ATTEMPTS, type Verdict, type VerifyRequest, verifyCode } from './verify';

const store = dynamoSessionStore(dynamoDb, required('TABLE_NAME'));
const lockMillis = Number(process.env.LOCK_MINUTES ?? '15') * 60_000;

export const handler = async (request: VerifyRequest): Promise<Verdict> => {
  const verdict = await verifyCode(request, store, { maxAttempts: MAX_ATTEMPTS, lockMillis });
  logger.info('code checked', { sessionId: request.sessionId, outcome: verdict.outcome });
  return verdict;
};
