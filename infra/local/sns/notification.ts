/**
 * What a subscriber receives for one published message, per protocol, in SNS's shapes: the JSON notification
 * (SQS unless raw delivery, email-json), the Lambda event record, and the plain-text email.
 */
import type { MessageAttributeValue } from '../sqs/md5';

export interface PublishedMessage {
  readonly messageId: string;
  readonly topicArn: string;
  readonly message: string;
  readonly subject?: string;
  /** ISO-8601 on the shared clock. */
  readonly timestamp: string;
  readonly attributes: Readonly<Record<string, MessageAttributeValue>>;
}

/** Locally nothing is signed; the members are there so that parsers expecting them find them. */
const SIGNATURE = 'bG9jYWwtYXVyb3JhLWNsb3VkLW5vdC1zaWduZWQ=';
export const DEFAULT_EMAIL_SUBJECT = 'AWS Notification Message';
export const SNS_EMAIL_SENDER = 'no-reply@sns.amazonaws.com';

const signingCertUrl = (region: string) =>
  `https://sns.${region}.amazonaws.com/SimpleNotificationService-local.pem`;

/** `{ name: { Type, Value } }`, as notifications carry message attributes. */
function notificationAttributes(attributes: PublishedMessage['attributes']) {
  return Object.fromEntries(
    Object.entries(attributes).map(([name, value]) => [
      name,
      { Type: value.DataType, Value: value.StringValue ?? value.BinaryValue ?? '' },
    ]),
  );
}

/** The JSON document SQS queues (without raw delivery), HTTP and email-json endpoints receive. */
export function notificationJson(message: PublishedMessage, region: string, unsubscribeUrl: string): string {
  const attributes = notificationAttributes(message.attributes);
  return JSON.stringify({
    Type: 'Notification',
    MessageId: message.messageId,
    TopicArn: message.topicArn,
    ...(message.subject !== undefined ? { Subject: message.subject } : {}),
    Message: message.message,
    Timestamp: message.timestamp,
    SignatureVersion: '1',
    Signature: SIGNATURE,
    SigningCertURL: signingCertUrl(region),
    UnsubscribeURL: unsubscribeUrl,
    ...(Object.keys(attributes).length > 0 ? { MessageAttributes: attributes } : {}),
  });
}

/** The event a subscribed Lambda function is invoked with (one record per message). */
export function lambdaEvent(
  message: PublishedMessage,
  region: string,
  subscriptionArn: string,
  unsubscribeUrl: string,
): string {
  return JSON.stringify({
    Records: [
      {
        EventSource: 'aws:sns',
        EventVersion: '1.0',
        EventSubscriptionArn: subscriptionArn,
        Sns: {
          Type: 'Notification',
          MessageId: message.messageId,
          TopicArn: message.topicArn,
          Subject: message.subject ?? null,
          Message: message.message,
          Timestamp: message.timestamp,
          SignatureVersion: '1',
          Signature: SIGNATURE,
          SigningCertUrl: signingCertUrl(region),
          UnsubscribeUrl: unsubscribeUrl,
          MessageAttributes: notificationAttributes(message.attributes),
        },
      },
    ],
  });
}

/** The body of the mail an email subscription receives: the message, then SNS's unsubscribe footer. */
export function emailText(message: PublishedMessage, unsubscribeUrl: string): string {
  return (
    `${message.message}\n\n--\nIf you wish to stop receiving notifications from this topic, please click or ` +
    `visit the link below to unsubscribe:\n${unsubscribeUrl}\n\nPlease do not reply directly to this email.`
  );
}
