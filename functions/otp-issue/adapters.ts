/** The production ports of `issueCode`: the OTP key secret, the session item, SES v2. */
import { dynamoSessionStore } from '../shared/auth/otp-session';
import { dynamoDb, readSecret } from '../shared/clients';
import { optional, required } from '../shared/config';
import { createEmailSender } from '../shared/email';
import type { IssuePorts } from './issue';

export function awsIssuePorts(): IssuePorts {
  const store = dynamoSessionStore(dynamoDb, required('TABLE_NAME'));
  const otpKeyId = required('OTP_KEY_ID');
  return {
    otpKey: () => readSecret(otpKeyId),
    storeCode: (email, sessionId, codeHmac) => store.storeCode(email, sessionId, codeHmac),
    sendEmail: createEmailSender({
      sender: required('SENDER_EMAIL'),
      configurationSet: optional('SES_CONFIGURATION_SET', ''),
    }),
  };
}
