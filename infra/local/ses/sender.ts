import type { OutgoingMail, SesDialect } from './compose';
import type { TemplateParts } from './library';

/** What the v1 and v2 wire handlers need from the service: accept a mail, and look up stored templates. */
export interface SesSender {
  /** Runs the account-level checks, records the mail and returns its MessageId. */
  accept(mail: OutgoingMail, dialect: SesDialect, operation: string, region: string): string;
  /** A stored template by name or by `arn:aws:ses:<region>:<account>:template/<name>`. */
  template(nameOrArn: string): TemplateParts | undefined;
  createTemplate(name: string, parts: TemplateParts): boolean;
  deleteTemplate(name: string): boolean;
}
