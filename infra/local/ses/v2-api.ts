/**
 * SES v2 (restJson1) operations: SendEmail with Simple, Raw or Template content, the email-template
 * operations that Template content refers to, and the account's (./account-api).
 */
import { AwsServiceError } from '../edge/service';
import { runV2AccountOperation, SES_V2_ACCOUNT_OPERATIONS } from './account-api';
import {
  type Envelope,
  type OutgoingMail,
  rawMail,
  sesV2Dialect,
  simpleMail,
  templatedMail,
} from './compose';
import { type JsonRecord, nameValuePairs, record, text, texts } from './json-input';
import type { TemplateParts } from './library';
import type { MailAttachment } from './mailbox';
import type { SesSender } from './sender';

export interface RestOutcome {
  readonly status: number;
  readonly body: unknown;
}

/** The v2 operations this module answers (the service-model test checks it covers each). */
export const SES_V2_OPERATIONS = [
  'SendEmail',
  'CreateEmailTemplate',
  'GetEmailTemplate',
  'DeleteEmailTemplate',
  ...SES_V2_ACCOUNT_OPERATIONS,
] as const;

const TEMPLATE_PATH = /^\/v2\/email\/templates\/([^/]+)$/;

/** Undefined when no v2 operation has this method and path. */
export async function runV2Operation(
  method: string,
  path: string,
  body: unknown,
  sender: SesSender,
  region: string,
): Promise<RestOutcome | undefined> {
  const input = record(body) ?? {};
  if (method === 'POST' && path === '/v2/email/outbound-emails') {
    const mail = await decodeSend(input, sender);
    return { status: 200, body: { MessageId: sender.accept(mail, sesV2Dialect, 'sesv2:SendEmail', region) } };
  }
  if (method === 'POST' && path === '/v2/email/templates') {
    const name = text(input.TemplateName);
    if (!name) throw sesV2Dialect.invalid('Missing required parameter: TemplateName.');
    if (!sender.createTemplate(name, templateParts(record(input.TemplateContent)))) {
      throw new AwsServiceError('AlreadyExistsException', `Template ${name} already exists.`, 400);
    }
    return { status: 200, body: {} };
  }
  const accountOutcome = runV2AccountOperation(method, path, input, sender);
  if (accountOutcome) return accountOutcome;
  const templateName = TEMPLATE_PATH.exec(path)?.[1];
  if (templateName === undefined) return undefined;
  const name = decodeURIComponent(templateName);
  if (method === 'GET') {
    const parts = sender.template(name);
    if (!parts) throw sesV2Dialect.templateNotFound(name);
    return { status: 200, body: { TemplateName: name, TemplateContent: parts } };
  }
  if (method === 'DELETE') {
    if (!sender.deleteTemplate(name)) throw sesV2Dialect.templateNotFound(name);
    return { status: 200, body: {} };
  }
  return undefined;
}

function decodeSend(input: JsonRecord, sender: SesSender): Promise<OutgoingMail> | OutgoingMail {
  const destination = record(input.Destination);
  const envelope: Envelope = {
    from: text(input.FromEmailAddress),
    to: texts(destination?.ToAddresses),
    cc: texts(destination?.CcAddresses),
    bcc: texts(destination?.BccAddresses),
    replyTo: texts(input.ReplyToAddresses),
    configurationSetName: text(input.ConfigurationSetName),
    tags: nameValuePairs(input.EmailTags),
  };
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
