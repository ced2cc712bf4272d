/**
 * The account side of SES, in both APIs: identities (v2 CreateEmailIdentity / GetEmailIdentity /
 * ListEmailIdentities / DeleteEmailIdentity; v1 VerifyEmailIdentity / ListIdentities /
 * GetIdentityVerificationAttributes), the template list (v2 ListEmailTemplates) and the sending quota (v2
 * GetAccount, v1 GetSendQuota). Locally an identity is verified the moment it is created: there is no
 * mailbox to click a link in. The account is out of the sandbox, with AWS's default production quota.
 */
import type { SES } from '@aws-sdk/client-ses';
import type { SESv2 } from '@aws-sdk/client-sesv2';
import { AwsServiceError, type WireOperationsOf } from '../edge/contracts';
import { FlattenedList } from '../edge/protocols';
import { text, texts } from '../edge/request-input';
import { sesV1Dialect, sesV2Dialect } from './compose';
import type { SesSender } from './sender';

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

type SesV1AccountOperations = Required<
  Pick<WireOperationsOf<SES, 'query'>, (typeof SES_V1_ACCOUNT_ACTIONS)[number]>
>;
type SesV2AccountOperations = Required<
  Pick<WireOperationsOf<SESv2, 'json'>, (typeof SES_V2_ACCOUNT_OPERATIONS)[number]>
>;

/** v1 ListIdentities' IdentityType and the type v2 reports. */
const IDENTITY_TYPES: ReadonlyMap<string, string> = new Map([
  ['EmailAddress', 'EMAIL_ADDRESS'],
  ['Domain', 'DOMAIN'],
]);

const identityType = (name: string) => (name.includes('@') ? 'EMAIL_ADDRESS' : 'DOMAIN');

const identityNotFound = (name: string) =>
  new AwsServiceError('NotFoundException', `Email identity ${name} does not exist.`, 404);

/** Identities are kept trimmed and in lower case. */
const identityName = (value: unknown) => text(value)?.trim().toLowerCase();

export function sesV2AccountOperations(sender: SesSender): SesV2AccountOperations {
  const known = (value: unknown): string => {
    const name = identityName(value) ?? '';
    if (!sender.identityNames().includes(name)) throw identityNotFound(name);
    return name;
  };
  return {
    ListEmailIdentities: () => ({
      EmailIdentities: sender.identityNames().map((IdentityName) => ({
        IdentityName,
        IdentityType: identityType(IdentityName),
        SendingEnabled: true,
        VerificationStatus: 'SUCCESS',
      })),
    }),
    CreateEmailIdentity: (input) => {
      const name = identityName(input.EmailIdentity);
      if (!name) throw sesV2Dialect.invalid('Missing required parameter: EmailIdentity.');
      if (sender.identityNames().includes(name)) {
        throw new AwsServiceError('AlreadyExistsException', `Email identity ${name} already exist.`, 400);
      }
      sender.verifyIdentity(name);
      return { IdentityType: identityType(name), VerifiedForSendingStatus: true };
    },
    GetEmailIdentity: (input) => ({
      IdentityType: identityType(known(input.EmailIdentity)),
      FeedbackForwardingStatus: true,
      VerifiedForSendingStatus: true,
      VerificationStatus: 'SUCCESS',
      Policies: {},
      Tags: [],
    }),
    DeleteEmailIdentity: (input) => {
      const name = identityName(input.EmailIdentity) ?? '';
      if (!sender.deleteIdentity(name)) throw identityNotFound(name);
      return {};
    },
    ListEmailTemplates: () => ({
      TemplatesMetadata: sender.templateNames().map((TemplateName) => ({ TemplateName })),
    }),
    GetAccount: () => ({
      DedicatedIpAutoWarmupEnabled: false,
      EnforcementStatus: 'HEALTHY',
      ProductionAccessEnabled: true,
      SendingEnabled: true,
      SendQuota: { ...SEND_QUOTA, SentLast24Hours: sender.sentInLast24Hours() },
    }),
  };
}

export function sesV1AccountOperations(sender: SesSender): SesV1AccountOperations {
  return {
    VerifyEmailIdentity: (input) => {
      const address = text(input.EmailAddress)?.trim();
      if (!address) throw sesV1Dialect.invalid('Missing required parameter: EmailAddress.');
      sender.verifyIdentity(address);
      return {};
    },
    ListIdentities: (input) => {
      const wanted = IDENTITY_TYPES.get(text(input.IdentityType) ?? '');
      return {
        Identities: sender.identityNames().filter((name) => !wanted || identityType(name) === wanted),
      };
    },
    GetIdentityVerificationAttributes: (input) => {
      const known = new Set(sender.identityNames());
      // AWS answers only for the identities it has; unknown ones are left out of the map.
      const entries = texts(input.Identities)
        .filter((name) => known.has(name.trim().toLowerCase()))
        .map((key) => ({ key, value: { VerificationStatus: 'Success' } }));
      return { VerificationAttributes: { entry: new FlattenedList(entries) } };
    },
    GetSendQuota: () => ({ ...SEND_QUOTA, SentLast24Hours: sender.sentInLast24Hours() }),
  };
}
