/**
 * STS for the local account over the query protocol, which is what SDK v3's STS client sends:
 * GetCallerIdentity (every caller is the account's root, since the local cloud has one user), and
 * AssumeRole / GetSessionToken, which hand out local credentials that expire by the local clock. The edge
 * verifies no signature, so these credentials work like any others.
 */
import { randomBytes } from 'node:crypto';
import type { STS } from '@aws-sdk/client-sts';
import { AwsServiceError, type QueryProtocolService, type WireOperationsOf } from '../edge/contracts';
import { decodedQueryOperations } from '../edge/query-input';
import type { LocalAccount } from '../shared/ports';
import { constraint, validationMessage } from '../shared/validation';

const ROLE_ARN = /^arn:aws[\w-]*:iam::(\d{12}):role\/(?:[\w+=,.@-]+\/)*([\w+=,.@-]{1,64})$/;
const SESSION_NAME = /^[\w+=,.@-]{2,64}$/;
const ALPHANUMERIC = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

const validation = (message: string) => new AwsServiceError('ValidationError', message, 400);

function randomText(length: number, alphabet = ALPHANUMERIC): string {
  return [...randomBytes(length)].map((byte) => alphabet[byte % alphabet.length]).join('');
}

/** The DurationSeconds parameter, in AWS's bounds for the action. */
function durationSeconds(
  given: string | undefined,
  bounds: { min: number; max: number; default: number },
): number {
  if (given === undefined) return bounds.default;
  const seconds = Number(given);
  if (!Number.isInteger(seconds) || seconds < bounds.min || seconds > bounds.max) {
    throw validation(
      validationMessage([
        {
          value: given,
          member: 'durationSeconds',
          constraint:
            seconds < bounds.min ? constraint.minValue(bounds.min) : constraint.maxValue(bounds.max),
        },
      ]),
    );
  }
  return seconds;
}

/** Temporary credentials as STS writes them; the key id starts `ASIA` as AWS's temporary ones do. */
function credentials(now: number, seconds: number) {
  return {
    AccessKeyId: `ASIA${randomText(16)}`,
    SecretAccessKey: randomBytes(30).toString('base64'),
    SessionToken: randomBytes(96).toString('base64'),
    Expiration: new Date(now + seconds * 1000).toISOString(),
  };
}

export function stsService(account: LocalAccount, now: () => number): QueryProtocolService {
  const operations: WireOperationsOf<STS, 'query'> = {
    GetCallerIdentity: () => ({
      Arn: `arn:aws:iam::${account.accountId}:root`,
      UserId: account.accountId,
      Account: account.accountId,
    }),
    AssumeRole: (input) => {
      const roleArn = input.RoleArn ?? '';
      const role = ROLE_ARN.exec(roleArn);
      if (!role) throw validation(`${roleArn} is invalid`);
      const sessionName = input.RoleSessionName ?? '';
      if (!SESSION_NAME.test(sessionName)) {
        throw validation(
          validationMessage([
            {
              value: sessionName,
              member: 'roleSessionName',
              constraint: constraint.pattern('[\\w+=,.@-]*'),
            },
          ]),
        );
      }
      const seconds = durationSeconds(input.DurationSeconds, { min: 900, max: 43_200, default: 3600 });
      return {
        Credentials: credentials(now(), seconds),
        AssumedRoleUser: {
          AssumedRoleId: `AROA${randomText(17)}:${sessionName}`,
          Arn: `arn:aws:sts::${role[1]}:assumed-role/${role[2]}/${sessionName}`,
        },
      };
    },
    GetSessionToken: (input) => ({
      Credentials: credentials(
        now(),
        durationSeconds(input.DurationSeconds, { min: 900, max: 129_600, default: 43_200 }),
      ),
    }),
  };
  return {
    protocol: 'query',
    signingName: 'sts',
    xmlNamespace: 'https://sts.amazonaws.com/doc/2011-06-15/',
    operations: decodedQueryOperations(operations),
  };
}
