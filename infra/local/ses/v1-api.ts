/** SES v1 (awsQuery) actions: SendEmail, SendRawEmail, SendTemplatedEmail, and the account's (./account-api). */
import { AwsServiceError } from '../edge/service';
import { runV1AccountAction, SES_V1_ACCOUNT_ACTIONS } from './account-api';
import {
  type Envelope,
  type OutgoingMail,
  rawMail,
  sesV1Dialect,
  simpleMail,
  templatedMail,
} from './compose';
import { memberList, memberTags, type QueryParams } from './query-protocol';
import type { SesSender } from './sender';

/** The v1 actions this module answers (the service-model test checks it covers each). */
export const SES_V1_ACTIONS = [
  'SendEmail',
  'SendRawEmail',
  'SendTemplatedEmail',
  ...SES_V1_ACCOUNT_ACTIONS,
] as const;

export interface QueryOutcome {
  readonly action: string;
  /** The members of `<ActionResult>`, written as edge/protocols' toXml writes them. */
  readonly result: object;
}

export async function runQueryAction(
  params: QueryParams,
  sender: SesSender,
  region: string,
): Promise<QueryOutcome> {
  const action = params.get('Action');
  if (!action)
    throw new AwsServiceError('MissingAction', 'The request must contain the parameter Action.', 400);
  const accountResult = runV1AccountAction(action, params, sender);
  if (accountResult) return { action, result: accountResult };
  const mail = await decodeSend(action, params, sender);
  const messageId = sender.accept(mail, sesV1Dialect, `ses:${action}`, region);
  return { action, result: { MessageId: messageId } };
}

function decodeSend(
  action: string,
  params: QueryParams,
  sender: SesSender,
): Promise<OutgoingMail> | OutgoingMail {
  switch (action) {
    case 'SendEmail':
      return simpleMail(
        envelopeOf(params),
        {
          subject: params.get('Message.Subject.Data'),
          text: params.get('Message.Body.Text.Data'),
          html: params.get('Message.Body.Html.Data'),
        },
        sesV1Dialect,
      );
    case 'SendRawEmail': {
      const raw = Buffer.from(params.get('RawMessage.Data') ?? '', 'base64');
      if (raw.length === 0) throw sesV1Dialect.invalid('Missing required parameter: RawMessage.Data.');
      return rawMail(raw, { ...envelopeOf(params), to: memberList(params, 'Destinations') }, sesV1Dialect);
    }
    case 'SendTemplatedEmail': {
      const reference = params.get('Template') ?? params.get('TemplateArn') ?? '';
      const parts = sender.template(reference);
      if (!parts) throw sesV1Dialect.templateNotFound(reference);
      return templatedMail(envelopeOf(params), parts, params.get('TemplateData'), sesV1Dialect);
    }
    default:
      throw new AwsServiceError(
        'InvalidAction',
        `Could not find operation ${action} for version 2010-12-01`,
        400,
      );
  }
}

function envelopeOf(params: QueryParams): Envelope {
  return {
    from: params.get('Source'),
    to: memberList(params, 'Destination.ToAddresses'),
    cc: memberList(params, 'Destination.CcAddresses'),
    bcc: memberList(params, 'Destination.BccAddresses'),
    replyTo: memberList(params, 'ReplyToAddresses'),
    configurationSetName: params.get('ConfigurationSetName'),
    tags: memberTags(params, 'Tags'),
  };
}
