/**
 * SES's email events on EventBridge, as a configuration set's event destination sends them: locally a mail
 * to the mailbox simulator's bounce address (`bounce@simulator.amazonses.com`, `bounce+label@…`) bounces,
 * and a configuration set with an EventBridge destination for BOUNCE puts SES's `Email Bounced` event on
 * its bus (the default bus, the only one SES publishes to).
 */
import { randomUUID } from 'node:crypto';
import type { EventEntry } from '../shared/ports';
import { bareAddress, type OutgoingMail } from './compose';

export interface EventBridgeDestination {
  readonly name: string;
  /** SES's names, lower-cased as CloudFormation's MatchingEventTypes spell them (`bounce`, `send`...). */
  readonly eventTypes: readonly string[];
  readonly eventBusArn: string;
}

const SIMULATED_BOUNCE = /^bounce(\+[^@]*)?@simulator\.amazonses\.com$/i;

/** The recipients the mailbox simulator bounces. */
export function bouncedRecipients(mail: OutgoingMail): string[] {
  return [...mail.to, ...mail.cc, ...mail.bcc]
    .map((address) => bareAddress(address))
    .filter((address) => SIMULATED_BOUNCE.test(address));
}

/** SES's `Email Bounced` event (detail as in SES's event publishing: eventType, bounce, mail). */
export function bounceEvent(options: {
  readonly mail: OutgoingMail;
  readonly messageId: string;
  readonly recipients: readonly string[];
  readonly destination: EventBridgeDestination;
  readonly account: string;
  readonly at: string;
}): EventEntry {
  const { mail, messageId, recipients, destination, account, at } = options;
  return {
    EventBusName: destination.eventBusArn,
    Source: 'aws.ses',
    DetailType: 'Email Bounced',
    Resources: [],
    Detail: JSON.stringify({
      eventType: 'Bounce',
      bounce: {
        feedbackId: `${randomUUID()}-000000`,
        bounceType: 'Permanent',
        bounceSubType: 'General',
        bouncedRecipients: recipients.map((emailAddress) => ({
          emailAddress,
          action: 'failed',
          status: '5.1.1',
          diagnosticCode: 'smtp; 550 5.1.1 user unknown',
        })),
        timestamp: at,
        reportingMTA: 'dns; local.amazonses.com',
      },
      mail: {
        timestamp: at,
        source: mail.from,
        sendingAccountId: account,
        messageId,
        destination: [...mail.to, ...mail.cc, ...mail.bcc],
        headersTruncated: false,
        tags: { 'ses:configuration-set': [mail.configurationSetName ?? ''] },
      },
    }),
  };
}
