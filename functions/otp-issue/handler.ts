/** OTP session step "IssueCode": invoked by the state machine after it claimed the session. */
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import { required } from '../auth-shared/environment';
import { dynamoSessionStore } from '../auth-shared/otp-session';
import { dynamoDb } from '../shared/clients';
import { logger } from '../shared/logger';
import { cachedSecretReader } from '../shared/messenger/secrets';
import { type IssueRequest, type IssueResult, issueCode } from './issue';

const store = dynamoSessionStore(dynamoDb, required('TABLE_NAME'));
const readSecret = cachedSecretReader(new SecretsManagerClient({}));
const ses = new SESv2Client({});
const otpKeyId = required('OTP_KEY_ID');
const sender = required('SENDER_EMAIL');
const configurationSet = process.env.SES_CONFIGURATION_SET;

export const handler = async (request: IssueRequest): Promise<IssueResult> => {
  const result = await issueCode(request, {
    otpKey: () => readSecret(otpKeyId),
    storeCode: (email, sessionId, codeHmac) => store.storeCode(email, sessionId, codeHmac),
    sendEmail: async (email) => {
      await ses.send(
        new SendEmailCommand({
          FromEmailAddress: sender,
          Destination: { ToAddresses: [email.to] },
          ...(configurationSet ? { ConfigurationSetName: configurationSet } : {}),
          Content: {
            Simple: {
              Subject: { Data: email.subject, Charset: 'UTF-8' },
              Body: {
                Text: { Data: email.text, Charset: 'UTF-8' },
                Html: { Data: email.html, Charset: 'UTF-8' },
              },
            },
          },
        }),
      );
    },
  });
  // Never the code, never the address' HMAC: only what an operator needs to follow the session.
  logger.info(result.issued ? 'code sent' : 'session superseded, no code sent', {
    sessionId: request.sessionId,
  });
  return result;
};
