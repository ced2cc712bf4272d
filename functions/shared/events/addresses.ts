/**
 * The email address rule of the event contracts (events-schema/definitions.json, `Email`), for code that
 * checks an address before it becomes an event or a key: one rule, generated from the schema, not copied.
 */
import { MAX_LENGTHS, PATTERNS } from '../../../events-schema/generated/patterns';

/** The address as events and keys hold it (trimmed, lower-cased), or undefined when it is not one. */
export function canonicalEmail(given: string): string | undefined {
  const email = given.trim().toLowerCase();
  return email.length <= MAX_LENGTHS.Email && PATTERNS.Email.test(email) ? email : undefined;
}
