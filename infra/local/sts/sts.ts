/**
 * STS for the local account: GetCallerIdentity over the query protocol, which is what SDK v3's STS client
 * sends. Every caller is the account's root, since the local cloud has one user.
 */
import type { QueryProtocolService } from '../edge/service';
import type { LocalAccount } from '../shared/ports';

export function stsService(account: LocalAccount): QueryProtocolService {
  return {
    protocol: 'query',
    signingName: 'sts',
    xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
    operations: {
      GetCallerIdentity: () => ({
        Arn: `arn:aws:iam::${account.accountId}:root`,
        UserId: account.accountId,
        Account: account.accountId,
      }),
    },
  };
}
