/** SES v1 (awsQuery) actions: SendEmail, SendRawEmail, SendTemplatedEmail, and the account's (./account-api). */
import type { SES } from '@aws-sdk/client-ses';
import type { RequestContext, WireOperationsOf } from '../edge/contracts';
import { record, text, texts } from '../edge/request-input';
import { SES_V1_ACCOUNT_ACTIONS, sesV1AccountOperations } from './account-api';
import {
  type EnvelopeMembers,
  envelopeOf,
  type OutgoingMail,
  rawMail,
  sesV1Dialect,
  simpleMail,
  templatedMail,
} from './compose';
import type { SesSender } from './sender';

/** The v1 actions this module answers (the service-model test checks it covers each). */
export const SES_V1_ACTIONS = [
  'SendEmail',
  'SendRawEmail',
  'SendTemplatedEmail',
  ...SES_V1_ACCOUNT_ACTIONS,
] as const;

type SesV1Operations = Required<Pick<WireOperationsOf<SES, 'query'>, (typeof SES_V1_ACTIONS)[number]>>;

/** Each answers the members of `<ActionResult>`, written as edge/protocols' toXml writes them. */
export function sesV1Operations(sender: SesSender): SesV1Operations {
  const accept = (mail: OutgoingMail, action: string, context: RequestContext) => ({
    MessageId: sender.accept(mail, sesV1Dialect, `ses:${action}`, context.region),
  });
  return {
    SendEmail: (input, context) => {
      const message = record(input.Message);
      const body = record(message?.Body);
      const content = {
        subject: text(record(message?.Subject)?.Data),
        text: text(record(body?.Text)?.Data),
        html: text(record(body?.Html)?.Data),
      };
      return accept(simpleMail(envelopeOf(input, V1_ENVELOPE), content, sesV1Dialect), 'SendEmail', context);
    },
    SendRawEmail: async (input, context) => {
      const raw = Buffer.from(text(record(input.RawMessage)?.Data) ?? '', 'base64');
      if (raw.length === 0) throw sesV1Dialect.invalid('Missing required parameter: RawMessage.Data.');
      const envelope = { ...envelopeOf(input, V1_ENVELOPE), to: texts(input.Destinations) };
      return accept(await rawMail(raw, envelope, sesV1Dialect), 'SendRawEmail', context);
    },
    SendTemplatedEmail: (input, context) => {
      const reference = text(input.Template) ?? text(input.TemplateArn) ?? '';
      const parts = sender.template(reference);
      if (!parts) throw sesV1Dialect.templateNotFound(reference);
      const mail = templatedMail(
        envelopeOf(input, V1_ENVELOPE),
        parts,
        text(input.TemplateData),
        sesV1Dialect,
      );
      return accept(mail, 'SendTemplatedEmail', context);
    },
    ...sesV1AccountOperations(sender),
  };
}

const V1_ENVELOPE: EnvelopeMembers = { from: 'Source', tags: 'Tags' };
