/** SES v1 (awsQuery) actions: SendEmail, SendRawEmail, SendTemplatedEmail. */
import { AwsServiceError } from '../edge/service';
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

export interface QueryOutcome {
  readonly action: string;
  readonly result: Record<string, string>;
}

export async function runQueryAction(
  params: QueryParams,
  sender: SesSender,
  region: string,
): Promise<QueryOutcome> {
  const action = params.get('Action');
  if (!action)
    throw new AwsServiceError('MissingAction', 'The request must contain the parameter Action.', 400);
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
