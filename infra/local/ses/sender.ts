import type { OutgoingMail, SesDialect } from './compose';
import type { TemplateParts } from './library';

/**
 * What the v1 and v2 wire handlers need from the service: accept a mail, the stored templates and the
 * account's identities.
 */
export interface SesSender {
  /** Runs the account-level checks, records the mail and returns its MessageId. */
  accept(mail: OutgoingMail, dialect: SesDialect, operation: string, region: string): string;
  /** A stored template by name or by `arn:aws:ses:<region>:<account>:template/<name>`. */
  template(nameOrArn: string): TemplateParts | undefined;
  templateNames(): string[];
  createTemplate(name: string, parts: TemplateParts): boolean;
  deleteTemplate(name: string): boolean;
  /** Verified email addresses and domains, sorted; locally an identity is verified once created. */
  identityNames(): string[];
  verifyIdentity(emailOrDomain: string): void;
  /** False when there was no such identity. */
  deleteIdentity(emailOrDomain: string): boolean;
  /** Mails accepted in the 24 hours before the local clock's now (GetSendQuota, GetAccount). */
  sentInLast24Hours(): number;
}
