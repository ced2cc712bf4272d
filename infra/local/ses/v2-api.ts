/**
 * SES v2 (restJson1) operations: SendEmail with Simple, Raw or Template content, the email-template
 * operations that Template content refers to, and the account's (./account-api).
 */
import type { SESv2, SendEmailRequest } from '@aws-sdk/client-sesv2';
import { AwsServiceError, type WireInput, type WireOperationsOf } from '../edge/contracts';
import { type JsonRecord, record, text } from '../edge/request-input';
import { SES_V2_ACCOUNT_OPERATIONS, sesV2AccountOperations } from './account-api';
import { envelopeOf, type OutgoingMail, rawMail, sesV2Dialect, simpleMail, templatedMail } from './compose';
import type { TemplateParts } from './library';
import type { MailAttachment } from './mailbox';
import type { SesSender } from './sender';

/** The v2 operations this module answers (the service-model test checks it covers each). */
export const SES_V2_OPERATIONS = [
  'SendEmail',
  'CreateEmailTemplate',
  'GetEmailTemplate',
  'DeleteEmailTemplate',
  ...SES_V2_ACCOUNT_OPERATIONS,
] as const;

type SesV2Operation = (typeof SES_V2_OPERATIONS)[number];

interface V2Route {
  readonly method: string;
  /** A path with at most one `{Member}` segment, which becomes that member of the input. */
  readonly path: string;
  readonly operation: SesV2Operation;
}

const V2_ROUTES: readonly V2Route[] = [
  { method: 'POST', path: '/v2/email/outbound-emails', operation: 'SendEmail' },
  { method: 'POST', path: '/v2/email/templates', operation: 'CreateEmailTemplate' },
  { method: 'GET', path: '/v2/email/templates', operation: 'ListEmailTemplates' },
  { method: 'GET', path: '/v2/email/templates/{TemplateName}', operation: 'GetEmailTemplate' },
  { method: 'DELETE', path: '/v2/email/templates/{TemplateName}', operation: 'DeleteEmailTemplate' },
  // Current SDKs list with POST /v2/email/list-identities; older ones and the model in aws-sdk v2 with GET.
  { method: 'GET', path: '/v2/email/identities', operation: 'ListEmailIdentities' },
  { method: 'POST', path: '/v2/email/list-identities', operation: 'ListEmailIdentities' },
  { method: 'POST', path: '/v2/email/identities', operation: 'CreateEmailIdentity' },
  { method: 'GET', path: '/v2/email/identities/{EmailIdentity}', operation: 'GetEmailIdentity' },
  { method: 'DELETE', path: '/v2/email/identities/{EmailIdentity}', operation: 'DeleteEmailIdentity' },
  { method: 'GET', path: '/v2/email/account', operation: 'GetAccount' },
];

/** The v2 operation at this method and path, with its input (the body and the path's member). */
export function routeV2Request(
  method: string,
  path: string,
  body: unknown,
): { readonly operation: SesV2Operation; readonly input: JsonRecord } | undefined {
  for (const route of V2_ROUTES) {
    const members = route.method === method ? pathMembers(route.path, path) : undefined;
    if (members) return { operation: route.operation, input: { ...record(body), ...members } };
  }
  return undefined;
}

function pathMembers(template: string, path: string): Record<string, string> | undefined {
  const expected = template.split('/');
  const actual = path.split('/');
  if (expected.length !== actual.length) return undefined;
  const members: Record<string, string> = {};
  for (const [index, part] of expected.entries()) {
    const given = actual[index] ?? '';
    const member = /^\{(\w+)\}$/.exec(part)?.[1];
    if (member !== undefined && given !== '') members[member] = decodeURIComponent(given);
    else if (part !== given) return undefined;
  }
  return members;
}

export function sesV2Operations(
  sender: SesSender,
): Required<Pick<WireOperationsOf<SESv2, 'json'>, SesV2Operation>> {
  return {
    SendEmail: async (input, context) => {
      const mail = await decodeSend(input, sender);
      return { MessageId: sender.accept(mail, sesV2Dialect, 'sesv2:SendEmail', context.region) };
    },
    CreateEmailTemplate: (input) => {
      const name = text(input.TemplateName);
      if (!name) throw sesV2Dialect.invalid('Missing required parameter: TemplateName.');
      if (!sender.createTemplate(name, templateParts(record(input.TemplateContent)))) {
        throw new AwsServiceError('AlreadyExistsException', `Template ${name} already exists.`, 400);
      }
      return {};
    },
    GetEmailTemplate: (input) => {
      const name = text(input.TemplateName) ?? '';
      const parts = sender.template(name);
      if (!parts) throw sesV2Dialect.templateNotFound(name);
      return { TemplateName: name, TemplateContent: parts };
    },
    DeleteEmailTemplate: (input) => {
      const name = text(input.TemplateName) ?? '';
      if (!sender.deleteTemplate(name)) throw sesV2Dialect.templateNotFound(name);
      return {};
    },
    ...sesV2AccountOperations(sender),
  };
}

function decodeSend(
  input: WireInput<SendEmailRequest, 'json'>,
  sender: SesSender,
): Promise<OutgoingMail> | OutgoingMail {
  const envelope = envelopeOf(input, { from: 'FromEmailAddress', tags: 'EmailTags' });
  const content = record(input.Content);
  const simple = record(content?.Simple);
  const raw = record(content?.Raw);
  const template = record(content?.Template);
  if (simple) {
    const body = record(simple.Body);
    return simpleMail(
      envelope,
      {
        subject: text(record(simple.Subject)?.Data),
        text: text(record(body?.Text)?.Data),
        html: text(record(body?.Html)?.Data),
        attachments: attachmentsOf(simple.Attachments),
      },
      sesV2Dialect,
    );
  }
  if (raw) {
    const data = Buffer.from(text(raw.Data) ?? '', 'base64');
    if (data.length === 0) throw sesV2Dialect.invalid('Missing required parameter: Content.Raw.Data.');
    // With Raw content the Destination, when given, is the envelope: recipients beyond the headers.
    return rawMail(
      data,
      { ...envelope, to: [...(envelope.to ?? []), ...(envelope.cc ?? []), ...(envelope.bcc ?? [])] },
      sesV2Dialect,
    );
  }
  if (template) {
    return templatedMail(
      envelope,
      resolveTemplate(template, sender),
      text(template.TemplateData),
      sesV2Dialect,
    );
  }
  throw sesV2Dialect.invalid('Content must contain exactly one of Simple, Raw or Template.');
}

const DISPOSITIONS = ['ATTACHMENT', 'INLINE'];

/**
 * `Content.Simple.Attachments`: FileName and RawContent (base64 on the wire) are required; SES derives a
 * missing ContentType from the file name, which here falls back to application/octet-stream.
 */
function attachmentsOf(value: unknown): MailAttachment[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw sesV2Dialect.invalid('Attachments must be a list.');
  return value.map((item, index) => {
    const attachment = record(item);
    const filename = text(attachment?.FileName);
    const raw = text(attachment?.RawContent);
    if (!filename) throw sesV2Dialect.invalid(`Missing required parameter: Attachments[${index}].FileName.`);
    if (raw === undefined)
      throw sesV2Dialect.invalid(`Missing required parameter: Attachments[${index}].RawContent.`);
    const disposition = text(attachment?.ContentDisposition);
    if (disposition !== undefined && !DISPOSITIONS.includes(disposition))
      throw sesV2Dialect.invalid(`Invalid ContentDisposition: ${disposition}.`);
    const content = Buffer.from(raw, 'base64');
    const contentId = text(attachment?.ContentId);
    return {
      filename,
      contentType: text(attachment?.ContentType) ?? contentTypeOf(filename),
      size: content.length,
      content: content.toString('base64'),
      disposition: disposition ?? 'ATTACHMENT',
      ...(contentId !== undefined ? { contentId } : {}),
    };
  });
}

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  pdf: 'application/pdf',
  txt: 'text/plain',
  csv: 'text/csv',
  html: 'text/html',
  ics: 'text/calendar',
  json: 'application/json',
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
};

function contentTypeOf(filename: string): string {
  const extension = filename.slice(filename.lastIndexOf('.') + 1).toLowerCase();
  return (filename.includes('.') && CONTENT_TYPES[extension]) || 'application/octet-stream';
}

function resolveTemplate(template: JsonRecord, sender: SesSender): TemplateParts {
  const reference = text(template.TemplateName) ?? text(template.TemplateArn);
  if (reference !== undefined) {
    const parts = sender.template(reference);
    if (!parts) throw sesV2Dialect.templateNotFound(reference);
    return parts;
  }
  const inline = record(template.TemplateContent);
  if (!inline)
    throw sesV2Dialect.invalid('Template content needs a TemplateName, a TemplateArn or TemplateContent.');
  return templateParts(inline);
}

function templateParts(content: JsonRecord | undefined): TemplateParts {
  return { Subject: text(content?.Subject), Html: text(content?.Html), Text: text(content?.Text) };
}
