/**
 * The account side of SES, in both APIs: identities (v2 CreateEmailIdentity / GetEmailIdentity /
 * ListEmailIdentities / DeleteEmailIdentity; v1 VerifyEmailIdentity / ListIdentities /
 * GetIdentityVerificationAttributes), the template list (v2 ListEmailTemplates) and the sending quota (v2
 * GetAccount, v1 GetSendQuota). Locally an identity is verified the moment it is created: there is no
 * mailbox to click a link in. The account is out of the sandbox, with AWS's default production quota.
 */

import { FlattenedList } from '../edge/protocols';
import { AwsServiceError } from '../edge/service';
import { sesV1Dialect, sesV2Dialect } from './compose';
import { type JsonRecord, text } from './json-input';
import { memberList, type QueryParams } from './query-protocol';
import type { SesSender } from './sender';
import type { RestOutcome } from './v2-api';

const SEND_QUOTA = { Max24HourSend: 50_000, MaxSendRate: 14 };

export const SES_V1_ACCOUNT_ACTIONS = [
  'VerifyEmailIdentity',
  'ListIdentities',
  'GetIdentityVerificationAttributes',
  'GetSendQuota',
] as const;

export const SES_V2_ACCOUNT_OPERATIONS = [
  'CreateEmailIdentity',
  'GetEmailIdentity',
  'ListEmailIdentities',
  'DeleteEmailIdentity',
  'ListEmailTemplates',
  'GetAccount',
] as const;

const IDENTITY_PATH = /^\/v2\/email\/identities\/([^/]+)$/;

const identityType = (name: string) => (name.includes('@') ? 'EMAIL_ADDRESS' : 'DOMAIN');

const identityNotFound = (name: string) =>
  new AwsServiceError('NotFoundException', `Email identity ${name} does not exist.`, 404);

/** A v2 account operation, or undefined when none has this method and path. */
export function runV2AccountOperation(
  method: string,
  path: string,
  input: JsonRecord,
  sender: SesSender,
): RestOutcome | undefined {
  // Current SDKs list with POST /v2/email/list-identities; older ones and the model in aws-sdk v2 with GET.
  const listing =
    (method === 'GET' && path === '/v2/email/identities') ||
    (method === 'POST' && path === '/v2/email/list-identities');
  if (listing) {
    const EmailIdentities = sender.identityNames().map((IdentityName) => ({
      IdentityName,
      IdentityType: identityType(IdentityName),
      SendingEnabled: true,
      VerificationStatus: 'SUCCESS',
    }));
    return { status: 200, body: { EmailIdentities } };
  }
  if (method === 'POST' && path === '/v2/email/identities') {
    const name = text(input.EmailIdentity)?.trim().toLowerCase();
    if (!name) throw sesV2Dialect.invalid('Missing required parameter: EmailIdentity.');
    if (sender.identityNames().includes(name)) {
      throw new AwsServiceError('AlreadyExistsException', `Email identity ${name} already exist.`, 400);
    }
    sender.verifyIdentity(name);
    return { status: 200, body: { IdentityType: identityType(name), VerifiedForSendingStatus: true } };
  }
  if (method === 'GET' && path === '/v2/email/templates') {
    const TemplatesMetadata = sender.templateNames().map((TemplateName) => ({ TemplateName }));
    return { status: 200, body: { TemplatesMetadata } };
  }
  if (method === 'GET' && path === '/v2/email/account') {
    return {
      status: 200,
      body: {
        DedicatedIpAutoWarmupEnabled: false,
        EnforcementStatus: 'HEALTHY',
        ProductionAccessEnabled: true,
        SendingEnabled: true,
        SendQuota: { ...SEND_QUOTA, SentLast24Hours: sender.sentInLast24Hours() },
      },
    };
  }
  const identity = IDENTITY_PATH.exec(path)?.[1];
  if (identity === undefined) return undefined;
  const name = decodeURIComponent(identity).trim().toLowerCase();
  if (method === 'GET') {
    if (!sender.identityNames().includes(name)) throw identityNotFound(name);
    return {
      status: 200,
      body: {
        IdentityType: identityType(name),
        FeedbackForwardingStatus: true,
        VerifiedForSendingStatus: true,
        VerificationStatus: 'SUCCESS',
        Policies: {},
        Tags: [],
      },
    };
  }
  if (method === 'DELETE') {
    if (!sender.deleteIdentity(name)) throw identityNotFound(name);
    return { status: 200, body: {} };
  }
  return undefined;
}

/** The result of a v1 account action, or undefined when `action` is not one. */
export function runV1AccountAction(
  action: string,
  params: QueryParams,
  sender: SesSender,
): object | undefined {
  switch (action) {
    case 'VerifyEmailIdentity': {
      const address = params.get('EmailAddress')?.trim();
      if (!address) throw sesV1Dialect.invalid('Missing required parameter: EmailAddress.');
      sender.verifyIdentity(address);
      return {};
    }
    case 'ListIdentities': {
      const type = params.get('IdentityType');
      const wanted = type === 'EmailAddress' ? 'EMAIL_ADDRESS' : type === 'Domain' ? 'DOMAIN' : undefined;
      const names = sender.identityNames().filter((name) => !wanted || identityType(name) === wanted);
      return { Identities: names };
    }
    case 'GetIdentityVerificationAttributes': {
      const known = new Set(sender.identityNames());
      // AWS answers only for the identities it has; unknown ones are left out of the map.
      const entries = memberList(params, 'Identities')
        .filter((name) => known.has(name.trim().toLowerCase()))
        .map((key) => ({ key, value: { VerificationStatus: 'Success' } }));
      return { VerificationAttributes: { entry: new FlattenedList(entries) } };
    }
    case 'GetSendQuota':
      return { ...SEND_QUOTA, SentLast24Hours: sender.sentInLast24Hours() };
    default:
      return undefined;
  }
}
