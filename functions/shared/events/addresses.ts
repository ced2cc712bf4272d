/**
 * The email address rule of the event contracts (events-schema/definitions.json, `Email`), for code that
 * checks an address before it becomes an event or a key: one rule, read from the schema, not copied.
 */
import contracts from '../../../events-schema/definitions.json';

const { pattern, maxLength } = contracts.definitions.Email;
const EMAIL = new RegExp(pattern);

/** The address as events and keys hold it (trimmed, lower-cased), or undefined when it is not one. */
export function canonicalEmail(given: string): string | undefined {
  const email = given.trim().toLowerCase();
  return email.length <= maxLength && EMAIL.test(email) ? email : undefined;
}
