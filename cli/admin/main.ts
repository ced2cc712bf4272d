/**
 * `npm run admin -- grant|revoke <email>` and `npm run admin -- list`: who holds the admin role. Talks to the
 * app table with the standard AWS settings, so the same command works on AWS and on the local edge
 * (`AWS_ENDPOINT_URL=http://localhost:4566`). A grant takes effect at the person's next sign-in or refresh.
 */
import { userInfo } from 'node:os';
import { parseArgs } from 'node:util';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, QueryCommand } from '@aws-sdk/lib-dynamodb';
import { ADMIN_GRANTS_LISTING, adminGrantKey } from '../../functions/shared/admin/grants';
import { canonicalEmail } from '../../functions/shared/events/addresses';

const USAGE = `usage: npm run admin -- <grant|revoke> <email> [--table aurora-dev]
       npm run admin -- list [--table aurora-dev]
The table defaults to aurora-$AURORA_STAGE (stage dev); AWS_ENDPOINT_URL points it at the local edge.`;

async function main(): Promise<number> {
  const { positionals, values } = parseArgs({
    allowPositionals: true,
    options: { table: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
  });
  const [command, address] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return values.help ? 0 : 2;
  }
  const TableName = values.table ?? `aurora-${process.env.AURORA_STAGE ?? 'dev'}`;
  const documents = DynamoDBDocumentClient.from(new DynamoDBClient({}));
  if (command === 'list') {
    const page = await documents.send(
      new QueryCommand({
        TableName,
        IndexName: 'GSI2',
        KeyConditionExpression: 'GSI2PK = :listing',
        ExpressionAttributeValues: { ':listing': ADMIN_GRANTS_LISTING },
      }),
    );
    for (const grant of page.Items ?? [])
      console.log(`${grant.email}\tgranted ${grant.grantedAt} by ${grant.grantedBy}`);
    return 0;
  }
  const email = address === undefined ? undefined : canonicalEmail(address);
  if ((command !== 'grant' && command !== 'revoke') || !email) {
    console.error(
      `${command === 'grant' || command === 'revoke' ? 'an email address is needed' : `unknown command ${command}`}\n${USAGE}`,
    );
    return 2;
  }
  if (command === 'grant') {
    await documents.send(
      new PutCommand({
        TableName,
        Item: {
          ...adminGrantKey(email),
          type: 'AdminGrant',
          email,
          grantedAt: new Date().toISOString(),
          grantedBy: userInfo().username,
          GSI2PK: ADMIN_GRANTS_LISTING,
          GSI2SK: email,
        },
      }),
    );
    console.log(`${email} is an admin from their next sign-in (table ${TableName})`);
  } else {
    await documents.send(new DeleteCommand({ TableName, Key: adminGrantKey(email) }));
    console.log(`${email} is no longer an admin from their next sign-in or refresh (table ${TableName})`);
  }
  return 0;
}

main().then(
  (code) => process.exit(code),
  (error: Error) => {
    console.error(`admin: ${error.name}: ${error.message}`);
    process.exit(1);
  },
);
