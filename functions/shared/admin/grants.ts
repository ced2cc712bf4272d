import { type DynamoDBDocumentClient, GetCommand } from '@aws-sdk/lib-dynamodb';
import { type Environment, optional } from '../config';
import { problem } from '../http/answers';

/**
 * The admin role is a grant on an address (`EMAIL#<email> / ADMIN`), so it can be given before the person
 * first signs in; the auth function reads it at every token issue and puts `admin: true` in the session.
 */
export const adminGrantKey = (email: string): { PK: string; SK: string } => ({
  PK: `EMAIL#${email.trim().toLowerCase()}`,
  SK: 'ADMIN',
});

/** Sparse GSI2 listing of every grant, so `npm run admin -- list` is a Query, not a scan. */
export const ADMIN_GRANTS_LISTING = 'ADMINS';

/**
 * The admins named by the deployment (CDK context `admins`), which the functions get as ADMIN_EMAILS:
 * comma-separated, lower-cased by the config reader.
 */
export function configuredAdmins(environment?: Environment): readonly string[] {
  return optional('ADMIN_EMAILS', '', environment)
    .split(',')
    .filter((email) => email !== '');
}

/**
 * Whether the address is an admin by configuration or still holds the grant: every admin operation asks, so a revoke takes effect at once
 * instead of when the admin's token expires.
 */
export async function adminGrantStands(
  client: DynamoDBDocumentClient,
  tableName: string,
  email: string,
  configuredAdmins: readonly string[],
): Promise<boolean> {
  if (configuredAdmins.includes(email.trim().toLowerCase())) return true;
  const { Item } = await client.send(
    new GetCommand({ TableName: tableName, Key: adminGrantKey(email), ConsistentRead: true }),
  );
  return Item !== undefined;
}

export const GRANT_REVOKED = problem(
  403,
  'forbidden',
  'The admin grant of this address was revoked: sign in again.',
);
