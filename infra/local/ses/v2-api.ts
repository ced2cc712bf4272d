/**
 * SES v2 (restJson1) operations: SendEmail with Simple, Raw or Template content, and the email-template
 * operations that Template content refers to.
 */
import { AwsServiceError } from '../edge/service';
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
import type { SesSender } from './sender';

export interface RestOutcome {
  readonly status: number;
  readonly body: unknown;
}

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
