/** OTP session step "IssueCode": invoked by the state machine after it claimed the session. */

import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { Context } from 'aws-lambda';
import { required } from '../auth-shared/environment';
import { dynamoSessionStore } from '../auth-shared/otp-session';
import { dynamoDb } from '../shared/clients';
import { createEmailSender } from '../shared/email';
import { logger } from '../shared/logger';
import { cachedSecretReader } from '../shared/messenger/secrets';
import { type IssueRequest, type IssueResult, issueCode } from './issue';

const store = dynamoSessionStore(dynamoDb, required('TABLE_NAME'));
const readSecret = cachedSecretReader(new SecretsManagerClient({}));
const otpKeyId = required('OTP_KEY_ID');
const configurationSet = process.env.SES_CONFIGURATION_SET;
const sendEmail = createEmailSender({
  sender: required('SENDER_EMAIL'),
  ...(configurationSet ? { configurationSet } : {}),
});

export const handler = async (request: IssueRequest, context: Context): Promise<IssueResult> => {
  logger.addContext(context);
  const result = await issueCode(request, {
    otpKey: () => readSecret(otpKeyId),
    storeCode: (email, sessionId, codeHmac) => store.storeCode(email, sessionId, codeHmac),
    sendEmail: (email) =>
      sendEmail({ to: email.to, subject: email.subject, text: email.text, html: email.html }),
  });
  // Never the code, never the address' HMAC: only what an operator needs to follow the session.
  logger.info(result.issued ? 'code sent' : 'session superseded, no code sent', {
    sessionId: request.sessionId,
  });
  return result;
};
