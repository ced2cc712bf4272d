/** The one way functions send email: SES v2 SendEmail, text and HTML, from the configured sender. */
import { SendEmailCommand } from '@aws-sdk/client-sesv2';
import { sesV2 } from './clients';

export interface OutgoingEmail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
  /** Extra headers, e.g. List-Unsubscribe. */
  readonly headers?: ReadonlyArray<{ readonly name: string; readonly value: string }>;
}

export function createEmailSender(settings: {
  readonly sender: string;
  /** The SES configuration set; none when absent or empty. */
  readonly configurationSet?: string;
}): (email: OutgoingEmail) => Promise<void> {
  return async (email) => {
    await sesV2.send(
      new SendEmailCommand({
        FromEmailAddress: settings.sender,
        Destination: { ToAddresses: [email.to] },
        ...(settings.configurationSet ? { ConfigurationSetName: settings.configurationSet } : {}),
        Content: {
          Simple: {
            Subject: { Data: email.subject, Charset: 'UTF-8' },
            Body: {
              Text: { Data: email.text, Charset: 'UTF-8' },
              Html: { Data: email.html, Charset: 'UTF-8' },
            },
            ...(email.headers
              ? { Headers: email.headers.map(({ name, value }) => ({ Name: name, Value: value })) }
              : {}),
          },
        },
      }),
    );
  };
}
