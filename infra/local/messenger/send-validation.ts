/**
 * What the Send API (`POST /me/messages`) checks about a request body before it looks at the recipient:
 * recipient shape, message xor sender_action, messaging_type and tag, text and quick-reply limits, and the
 * attachment shapes. Throws the GraphError Meta answers with; returns the request narrowed.
 */
import {
  invalidParameter,
  lengthExceeded,
  notOneOf,
  requiredParameter,
  tooFewElements,
  tooManyElements,
} from './graph-errors';

export const MESSAGING_TYPES = ['RESPONSE', 'UPDATE', 'MESSAGE_TAG'] as const;
export const MESSAGE_TAGS = [
  'CONFIRMED_EVENT_UPDATE',
  'POST_PURCHASE_UPDATE',
  'ACCOUNT_UPDATE',
  'HUMAN_AGENT',
] as const;
export const SENDER_ACTIONS = ['typing_on', 'typing_off', 'mark_seen'] as const;

export type MessagingType = (typeof MESSAGING_TYPES)[number];
export type MessageTag = (typeof MESSAGE_TAGS)[number];
export type SenderAction = (typeof SENDER_ACTIONS)[number];

export type Recipient = { readonly id: string } | { readonly user_ref: string };

export interface SendRequest {
  readonly recipient: Recipient;
  readonly messagingType: MessagingType;
  readonly tag?: MessageTag;
  /** Exactly one of `message` and `senderAction` is set. */
  readonly message?: Readonly<Record<string, unknown>>;
  readonly senderAction?: SenderAction;
}

export const LIMITS = {
  text: 2000,
  quickReplies: 13,
  quickReplyTitle: 20,
  quickReplyPayload: 1000,
  buttonTemplateText: 640,
  buttons: 3,
  genericElements: 10,
} as const;

const ATTACHMENT_TYPES = ['image', 'audio', 'video', 'file', 'template'] as const;
const TEMPLATE_TYPES = ['generic', 'button', 'media', 'receipt', 'customer_feedback', 'product'] as const;
const QUICK_REPLY_TYPES = ['text', 'user_phone_number', 'user_email'] as const;

type Json = Readonly<Record<string, unknown>>;

export function validateSendRequest(body: unknown): SendRequest {
  const request = asObject(body) ?? {};
  const recipient = parseRecipient(request.recipient);
  const message = request.message;
  const senderAction = request.sender_action;
  if (message !== undefined && senderAction !== undefined) {
    throw invalidParameter('Cannot send both message and state at the same time.', 2018014);
  }
  if (message === undefined && senderAction === undefined) {
    throw invalidParameter('Must send either message or state', 2018015);
  }
  if (senderAction !== undefined) {
    const action = oneOf(String(senderAction).toLowerCase(), SENDER_ACTIONS);
    if (!action) throw notOneOf('sender_action', upper(SENDER_ACTIONS), senderAction);
    // A sender action is a reply to the person: it needs no messaging_type and follows the RESPONSE window.
    return { recipient, messagingType: 'RESPONSE', senderAction: action };
  }
  const messagingType = oneOf(request.messaging_type, MESSAGING_TYPES);
  if (!messagingType) throw notOneOf('messaging_type', MESSAGING_TYPES, request.messaging_type);
  let tag: MessageTag | undefined;
  if (messagingType === 'MESSAGE_TAG') {
    tag = oneOf(request.tag, MESSAGE_TAGS);
    if (!tag) throw notOneOf('tag', MESSAGE_TAGS, request.tag);
  }
  return { recipient, messagingType, tag, message: validateMessage(message) };
}

function parseRecipient(value: unknown): Recipient {
  const recipient = asObject(value);
  const id = idText(recipient?.id);
  if (id !== undefined) return { id };
  const userRef = idText(recipient?.user_ref);
  if (userRef !== undefined) return { user_ref: userRef };
  throw requiredParameter('recipient');
}

function validateMessage(value: unknown): Json {
  const message = asObject(value);
  if (!message) throw requiredParameter('message');
  const { text, attachment } = message;
  const hasText = typeof text === 'string' && text.length > 0;
  if (!hasText && attachment === undefined) {
    throw invalidParameter('Message cannot be empty, must provide valid attachment or text', 2018034);
  }
  if (hasText && attachment !== undefined) {
    throw invalidParameter('Only one of message[text] and message[attachment] can be set');
  }
  if (hasText && characters(text) > LIMITS.text) throw lengthExceeded('message[text]', LIMITS.text);
  if (attachment !== undefined) validateAttachment(attachment);
  if (message.quick_replies !== undefined) validateQuickReplies(message.quick_replies);
  return message;
}

function validateQuickReplies(value: unknown): void {
  const name = 'message[quick_replies]';
  if (!Array.isArray(value) || value.length === 0) throw tooFewElements(name);
  if (value.length > LIMITS.quickReplies) throw tooManyElements(name, LIMITS.quickReplies);
  value.forEach((item: unknown, index) => {
    const reply = asObject(item) ?? {};
    const at = `${name}[${index}]`;
    if (reply.content_type === undefined) throw requiredParameter(`${at}[content_type]`);
    const contentType = oneOf(reply.content_type, QUICK_REPLY_TYPES);
    if (!contentType) throw notOneOf(`${at}[content_type]`, QUICK_REPLY_TYPES, reply.content_type);
    if (contentType !== 'text') return;
    if (typeof reply.title !== 'string' || reply.title === '') {
      throw invalidParameter('Title is required for this quick reply content type', 2018098);
    }
    if (reply.payload === undefined || reply.payload === '') {
      throw invalidParameter('Payload is required for this quick reply content type', 2018099);
    }
    if (characters(reply.title) > LIMITS.quickReplyTitle)
      throw lengthExceeded(`${at}[title]`, LIMITS.quickReplyTitle);
    if (characters(String(reply.payload)) > LIMITS.quickReplyPayload) {
      throw lengthExceeded(`${at}[payload]`, LIMITS.quickReplyPayload);
    }
  });
}

function validateAttachment(value: unknown): void {
  const attachment = asObject(value) ?? {};
  if (attachment.type === undefined) throw requiredParameter('message[attachment][type]');
  const type = oneOf(attachment.type, ATTACHMENT_TYPES);
  if (!type) throw notOneOf('message[attachment][type]', upper(ATTACHMENT_TYPES), attachment.type);
  const payload = asObject(attachment.payload);
  if (!payload) throw requiredParameter('message[attachment][payload]');
  if (type !== 'template') {
    if (idText(payload.url) === undefined && idText(payload.attachment_id) === undefined) {
      throw invalidParameter('Message cannot be empty, must provide valid attachment or text', 2018034);
    }
    return;
  }
  const templateType = oneOf(payload.template_type, TEMPLATE_TYPES);
  if (!templateType) throw invalidParameter('Invalid template type');
  if (templateType === 'button') validateButtonTemplate(payload);
  if (templateType === 'generic') validateGenericTemplate(payload);
}

function validateButtonTemplate(payload: Json): void {
  const name = 'message[attachment][payload]';
  if (typeof payload.text !== 'string' || payload.text === '') throw requiredParameter(`${name}[text]`);
  if (characters(payload.text) > LIMITS.buttonTemplateText) {
    throw lengthExceeded(`${name}[text]`, LIMITS.buttonTemplateText);
  }
  checkCount(payload.buttons, `${name}[buttons]`, LIMITS.buttons);
}

function validateGenericTemplate(payload: Json): void {
  const name = 'message[attachment][payload][elements]';
  const elements = checkCount(payload.elements, name, LIMITS.genericElements);
  elements.forEach((element: unknown, index) => {
    const title = asObject(element)?.title;
    if (typeof title !== 'string' || title === '') {
      throw invalidParameter(`Param ${name}[${index}][title] must be a non-empty UTF-8 encoded string`);
    }
  });
}

function checkCount(value: unknown, name: string, limit: number): unknown[] {
  if (!Array.isArray(value) || value.length === 0) throw tooFewElements(name);
  if (value.length > limit) throw tooManyElements(name, limit);
  return value;
}

/** Graph accepts enum values in any letter case. */
function oneOf<T extends string>(value: unknown, allowed: readonly T[]): T | undefined {
  if (typeof value !== 'string') return undefined;
  return allowed.find((option) => option.toLowerCase() === value.toLowerCase());
}

/** Ids may arrive as JSON numbers (PSIDs are numeric strings). */
function idText(value: unknown): string | undefined {
  if (typeof value === 'string' && value !== '') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

function asObject(value: unknown): Json | undefined {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
}

/** Limits count characters (code points), not UTF-16 units: an emoji is one character. */
function characters(text: string): number {
  return [...text].length;
}

function upper(values: readonly string[]): string[] {
  return values.map((value) => value.toUpperCase());
}
