/** The admin role: a grant item in the table, or an address the deployment names (CDK context `admins`). */
import type { DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { adminGrantStands, configuredAdmins } from '../../../../../functions/shared/admin/grants';

/** A table holding the grants of `granted`; counts its reads. */
function table(granted: readonly string[]) {
  const reads: unknown[] = [];
  const client = {
    send: async (command: { input: { Key: { PK: string } } }) => {
      reads.push(command.input.Key);
      return granted.includes(command.input.Key.PK.slice('EMAIL#'.length)) ? { Item: {} } : {};
    },
  } as unknown as DynamoDBDocumentClient;
  return { client, reads };
}

describe('admin grants', () => {
  it('reads the configured admins from ADMIN_EMAILS', () => {
    expect(configuredAdmins({ ADMIN_EMAILS: 'boss@example.com,chief@example.com' })).toEqual([
      'boss@example.com',
      'chief@example.com',
    ]);
    expect(configuredAdmins({})).toEqual([]);
  });

  it('admits a configured address without a table read, and a granted one by its grant', async () => {
    const { client, reads } = table(['granted@example.com']);
    expect(await adminGrantStands(client, 'aurora', 'Boss@Example.com', ['boss@example.com'])).toBe(true);
    expect(reads).toEqual([]);
    expect(await adminGrantStands(client, 'aurora', 'granted@example.com', ['boss@example.com'])).toBe(true);
    expect(await adminGrantStands(client, 'aurora', 'someone@example.com', ['boss@example.com'])).toBe(false);
    expect(reads).toHaveLength(2);
  });
});
