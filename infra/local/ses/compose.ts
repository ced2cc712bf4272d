/**
 * Turns what a send request asks for (simple fields, a raw MIME message, or a template and its data) into one
 * API-neutral outgoing mail, checking what SES checks about the message itself. The v1 and v2 APIs report the
 * same problems under different error codes, so each passes its `SesDialect`.
 */

import { AwsServiceError } from '../edge/contracts';
import { nameValuePairs, record, text, texts } from '../edge/request-input';
import { parseMime, renderTemplateParts, type TemplateParts, TemplateRenderError } from './library';
import type { MailAttachment } from './mailbox';

export interface SesDialect {
  /** Prefix of `SentMail.via`: `ses` or `sesv2`. */
  readonly api: 'ses' | 'sesv2';
  invalid(message: string): AwsServiceError;
  configurationSetNotFound(name: string): AwsServiceError;
  templateNotFound(name: string): AwsServiceError;
}

/** The error codes an API reports the problems under, and the status of a missing resource. */
interface DialectCodes {
  readonly invalid: string;
  readonly configurationSetNotFound: string;
  readonly templateNotFound: string;
  readonly notFoundStatus: number;
}

function sesDialect(api: SesDialect['api'], codes: DialectCodes): SesDialect {
  return {
    api,
    invalid: (message) => new AwsServiceError(codes.invalid, message, 400),
    configurationSetNotFound: (name) =>
      new AwsServiceError(
        codes.configurationSetNotFound,
        `Configuration set <${name}> does not exist.`,
        codes.notFoundStatus,
      ),
    templateNotFound: (name) =>
      new AwsServiceError(codes.templateNotFound, `Template ${name} does not exist.`, codes.notFoundStatus),
  };
}

export const sesV1Dialect = sesDialect('ses', {
  invalid: 'InvalidParameterValue',
  configurationSetNotFound: 'ConfigurationSetDoesNotExist',
  templateNotFound: 'TemplateDoesNotExist',
  notFoundStatus: 400,
});

// SES v2 declares no ConfigurationSetDoesNotExist; its SendEmail reports missing resources as NotFound.
export const sesV2Dialect = sesDialect('sesv2', {
  invalid: 'BadRequestException',
  configurationSetNotFound: 'NotFoundException',
  templateNotFound: 'NotFoundException',
  notFoundStatus: 404,
});

/** A message a caller asked SES to send, before the account-level checks (identities, configuration set). */
export interface OutgoingMail {
  readonly from: string;
  readonly to: string[];
  readonly cc: string[];
  readonly bcc: string[];
  readonly replyTo: string[];
  readonly subject: string;
  readonly text?: string;
  readonly html?: string;
  readonly attachments: MailAttachment[];
  readonly configurationSetName?: string;
  readonly tags: Record<string, string>;
  /** Every sender address SES checks against the verified identities (From, and Source when given). */
  readonly senders: string[];
}

export interface Envelope {
  readonly from?: string;
  readonly to?: readonly string[];
  readonly cc?: readonly string[];
  readonly bcc?: readonly string[];
  readonly replyTo?: readonly string[];
  readonly configurationSetName?: string;
  readonly tags?: Readonly<Record<string, string>>;
}

export interface Body {
  readonly subject?: string;
  readonly text?: string;
  readonly html?: string;
  /** SES v2 Simple content may carry attachments. */
  readonly attachments?: readonly MailAttachment[];
}

/** Where the two APIs differ in naming a send request's envelope: v1 `Source`/`Tags`, v2 `FromEmailAddress`/`EmailTags`. */
export interface EnvelopeMembers {
  readonly from: 'Source' | 'FromEmailAddress';
  readonly tags: 'Tags' | 'EmailTags';
}

/** The envelope of a send request as both APIs shape it: Destination's lists, reply-to, configuration set, tags. */
export function envelopeOf(
  input: { readonly [member: string]: unknown },
  members: EnvelopeMembers,
): Envelope {
  const destination = record(input.Destination);
  return {
    from: text(input[members.from]),
    to: texts(destination?.ToAddresses),
    cc: texts(destination?.CcAddresses),
    bcc: texts(destination?.BccAddresses),
    replyTo: texts(input.ReplyToAddresses),
    configurationSetName: text(input.ConfigurationSetName),
    tags: nameValuePairs(input[members.tags]),
  };
}

const MAX_RECIPIENTS = 50;

export function simpleMail(envelope: Envelope, body: Body, dialect: SesDialect): OutgoingMail {
  if (!envelope.from)
    throw dialect.invalid('Missing required parameter: the sender (Source / FromEmailAddress).');
  if (body.subject === undefined) throw dialect.invalid('Missing required header: Subject.');
  if (body.text === undefined && body.html === undefined) {
    throw dialect.invalid('Missing required parameter: the message body (Text or Html).');
  }
  return finish(
    {
      from: envelope.from,
      to: [...(envelope.to ?? [])],
      cc: [...(envelope.cc ?? [])],
      bcc: [...(envelope.bcc ?? [])],
      replyTo: [...(envelope.replyTo ?? [])],
      subject: body.subject,
      text: body.text,
      html: body.html,
      attachments: [...(body.attachments ?? [])],
      configurationSetName: envelope.configurationSetName,
      tags: { ...envelope.tags },
      senders: [envelope.from],
    },
    dialect,
  );
}

/** `templateData` is the JSON text the API carries; `parts` come from a stored or inline template. */
export function templatedMail(
  envelope: Envelope,
  parts: TemplateParts,
  templateData: string | undefined,
  dialect: SesDialect,
): OutgoingMail {
  let data: unknown = {};
  try {
    data = templateData ? JSON.parse(templateData) : {};
  } catch {
    throw dialect.invalid('Invalid Template Data: it must be a JSON object.');
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw dialect.invalid('Invalid Template Data: it must be a JSON object.');
  }
  try {
    const rendered = renderTemplateParts(parts, data as Record<string, unknown>);
    return simpleMail(
      envelope,
      {
        subject: rendered.subject,
        text: parts.Text === undefined ? undefined : rendered.text,
        html: parts.Html === undefined ? undefined : rendered.html,
      },
      dialect,
    );
  } catch (error) {
    if (error instanceof TemplateRenderError)
      throw dialect.invalid(`Template rendering failed: ${error.message}`);
    throw error;
  }
}

/**
 * A raw MIME message: headers give From/To/Cc/Subject; the envelope (v1 `Source` and `Destinations`) adds
 * the sender SES checks and recipients not named in the headers, who are in effect Bcc.
 */
export async function rawMail(raw: Buffer, envelope: Envelope, dialect: SesDialect): Promise<OutgoingMail> {
  let parsed: Awaited<ReturnType<typeof parseMime>>;
  try {
    parsed = await parseMime(raw);
  } catch (error) {
    throw dialect.invalid(`Could not parse the raw message: ${(error as Error).message}`);
  }
  const headerFrom = parsed.from?.text;
  const from = headerFrom || envelope.from;
  if (!from) throw dialect.invalid('Missing required header: From.');
  const to = addressesOf(parsed.to);
  const cc = addressesOf(parsed.cc);
  const named = new Set([...to, ...cc].map((address) => bareAddress(address).toLowerCase()));
  const bcc = [
    ...addressesOf(parsed.bcc),
    ...(envelope.to ?? []).filter((address) => !named.has(bareAddress(address).toLowerCase())),
  ];
  return finish(
    {
      from,
      to,
      cc,
      bcc,
      replyTo: addressesOf(parsed.replyTo),
      subject: parsed.subject ?? '',
      text: parsed.text,
      html: parsed.html || undefined,
      attachments: parsed.attachments.map((attachment) => ({
        filename: attachment.filename ?? 'attachment',
        contentType: attachment.contentType,
        size: attachment.size,
        content: attachment.content.toString('base64'),
      })),
      configurationSetName: envelope.configurationSetName,
      tags: { ...envelope.tags },
      senders: [...new Set([from, ...(envelope.from ? [envelope.from] : [])])],
    },
    dialect,
  );
}

/** `Jane <jane@example.com>` → `jane@example.com`. */
export function bareAddress(address: string): string {
  const angled = /<([^<>]*)>\s*$/.exec(address);
  return (angled?.[1] ?? address).trim();
}

export function domainOf(address: string): string {
  return bareAddress(address).split('@').pop()?.toLowerCase() ?? '';
}

function finish(mail: OutgoingMail, dialect: SesDialect): OutgoingMail {
  const recipients = [...mail.to, ...mail.cc, ...mail.bcc];
  if (recipients.length === 0) throw dialect.invalid('Missing required parameter: at least one recipient.');
  if (recipients.length > MAX_RECIPIENTS) throw dialect.invalid(`Recipient count exceeds ${MAX_RECIPIENTS}.`);
  for (const address of [...mail.senders, ...recipients, ...mail.replyTo]) {
    if (!/^[^@\s]+@[^@\s]+$/.test(bareAddress(address))) throw dialect.invalid("Missing final '@domain'");
  }
  return mail;
}

type AddressHeader = { value: { address?: string; name: string; group?: { address?: string }[] }[] };

function addressesOf(header: AddressHeader | AddressHeader[] | undefined): string[] {
  const headers = header === undefined ? [] : Array.isArray(header) ? header : [header];
  return headers.flatMap((one) =>
    one.value.flatMap((entry) => (entry.group ?? [entry]).flatMap((member) => member.address ?? [])),
  );
}
