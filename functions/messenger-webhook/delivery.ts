/**
 * Turns one Meta webhook delivery (`{"object":"page","entry":[{"messaging":[...]}]}`) into typed Aurora
 * events, one per messaging item, across every entry of a batch. Each event carries the key that makes a
 * redelivery publish nothing new: the `mid` for messages (and postbacks that have one), the watermark for
 * delivery and read receipts. Echoes (the Page's own messages) are recognised and produce no event. An item
 * that cannot become a valid event (no mid, a timestamp no date has, a text over the schema's limit) is set
 * aside as invalid, so that its valid siblings are still published and Meta is not made to retry forever.
 */
import { PATTERNS } from '../../events-schema/generated/patterns';
import type { Attachment, MessageReceivedDetail } from '../../events-schema/generated/types';
import { EventValidationError, validateDetail } from '../shared/events/contracts';
import type { PublishableEvent } from '../shared/events/publish';

export interface KeyedEvent {
  /** What makes a redelivery of this item a duplicate. */
  readonly dedupeKey: string;
  readonly event: PublishableEvent;
}

export interface DeliveryContents {
  readonly events: KeyedEvent[];
  echoes: number;
  /** Items this bot does not handle (other webhook fields, non-PSID senders), described for the log. */
  readonly ignored: string[];
  /** Items of a kind it handles that cannot become a valid event; never carries the person's text. */
  readonly invalid: InvalidItem[];
}

export interface InvalidItem {
  readonly kind: 'message' | 'postback' | 'delivery' | 'read';
  readonly reason: string;
}

/** Thrown while reading one item; the item is set aside, the rest of the delivery is read. */
class InvalidItemError extends Error {
  constructor(readonly item: InvalidItem) {
    super(item.reason);
  }
}

export class MalformedDeliveryError extends Error {
  constructor(problem: string) {
    super(`Malformed webhook delivery: ${problem}`);
    this.name = 'MalformedDeliveryError';
  }
}

type Json = Record<string, unknown>;
const ATTACHMENT_TYPES = new Set([
  'image',
  'video',
  'audio',
  'file',
  'location',
  'fallback',
  'template',
  'sticker',
  'reel',
  'ig_reel',
]);
const MAX_URL = 4096;

const asObject = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const idOf = (value: unknown): string | undefined => {
  const id = asObject(value)?.id;
  return typeof id === 'number' ? String(id) : text(id);
};
/** A number of epoch milliseconds that no Date holds (beyond ±8.64e15) is no time at all. */
const isoOf = (epochMs: unknown): string | undefined => {
  const date = typeof epochMs === 'number' ? new Date(epochMs) : undefined;
  return date && Number.isFinite(date.getTime()) ? date.toISOString() : undefined;
};

export function readDelivery(body: unknown): DeliveryContents {
  const delivery = asObject(body);
  if (!delivery) throw new MalformedDeliveryError('the body is not a JSON object');
  if (delivery.object !== 'page') {
    throw new MalformedDeliveryError(`object must be "page", got ${JSON.stringify(delivery.object)}`);
  }
  if (!Array.isArray(delivery.entry)) throw new MalformedDeliveryError('entry must be an array');
  const contents: DeliveryContents = { events: [], echoes: 0, ignored: [], invalid: [] };
  for (const entry of delivery.entry) {
    const messaging = asObject(entry)?.messaging;
    if (!Array.isArray(messaging)) {
      contents.ignored.push('an entry without messaging items');
      continue;
    }
    for (const item of messaging) {
      try {
        const event = readItem(asObject(item) ?? {}, asObject(entry) ?? {}, contents);
        if (event) contents.events.push(event);
      } catch (error) {
        if (!(error instanceof InvalidItemError)) throw error;
        contents.invalid.push(error.item);
      }
    }
  }
  return contents;
}

/** The schema check publishing would make, made per item so that one bad item does not sink the batch. */
function validated(kind: InvalidItem['kind'], item: KeyedEvent): KeyedEvent {
  try {
    validateDetail(item.event.detailType, item.event.detail);
    return item;
  } catch (error) {
    if (!(error instanceof EventValidationError)) throw error;
    throw new InvalidItemError({ kind, reason: error.problem });
  }
}

/** The item's own timestamp, else its entry's, else now; one that is there but is no time is refused. */
function sentAtOf(item: Json, entry: Json, kind: InvalidItem['kind']): string {
  for (const epochMs of [item.timestamp, entry.time]) {
    if (epochMs === undefined) continue;
    const iso = isoOf(epochMs);
    if (iso === undefined) throw new InvalidItemError({ kind, reason: 'timestamp is not a time' });
    return iso;
  }
  return new Date().toISOString();
}

type Common = { readonly schemaVersion: 1; readonly psid: string; readonly pageId: string };

/** The item's event, validated; undefined for an echo or an item this bot does not handle (both counted). */
function readItem(item: Json, entry: Json, contents: DeliveryContents): KeyedEvent | undefined {
  const message = asObject(item.message);
  if (message?.is_echo === true) {
    contents.echoes += 1;
    return undefined;
  }
  const common = commonOf(item, entry);
  if (!common) {
    contents.ignored.push('an item whose sender is not a PSID');
    return undefined;
  }
  const event = eventOf(item, entry, common, message);
  if (!event) contents.ignored.push(`a "${unhandledKindOf(item)}" item`);
  return event;
}

/** The sender and page of the item; undefined unless both are PSIDs. */
function commonOf(item: Json, entry: Json): Common | undefined {
  const psid = idOf(item.sender);
  const pageId = idOf(item.recipient) ?? text(entry.id) ?? String(entry.id ?? '');
  if (psid === undefined || !PATTERNS.Psid.test(psid) || !PATTERNS.Psid.test(pageId)) return undefined;
  return { schemaVersion: 1, psid, pageId };
}

function eventOf(item: Json, entry: Json, common: Common, message: Json | undefined): KeyedEvent | undefined {
  if (message) return messageEvent(message, item, entry, common);
  const postback = asObject(item.postback);
  if (postback) return postbackEvent(postback, item, entry, common);
  const receipt = asObject(item.delivery) ?? asObject(item.read);
  if (receipt) return receiptEvent(receipt, item.read === undefined ? 'delivery' : 'read', common);
  return undefined;
}

function unhandledKindOf(item: Json): string {
  return Object.keys(item).find((key) => !['sender', 'recipient', 'timestamp'].includes(key)) ?? 'empty';
}

function messageEvent(message: Json, item: Json, entry: Json, common: Common): KeyedEvent {
  const mid = text(message.mid);
  if (!mid) throw new InvalidItemError({ kind: 'message', reason: 'a message without mid' });
  const messageText = text(message.text);
  const quickReplyPayload = text(asObject(message.quick_reply)?.payload);
  const replyToMid = text(asObject(message.reply_to)?.mid);
  const attachments = Array.isArray(message.attachments) ? message.attachments.map(attachmentOf) : [];
  return validated('message', {
    dedupeKey: mid,
    event: {
      detailType: 'MessageReceived',
      detail: {
        ...common,
        mid,
        sentAt: sentAtOf(item, entry, 'message'),
        ...(messageText === undefined ? {} : { text: messageText }),
        ...(quickReplyPayload === undefined ? {} : { quickReplyPayload }),
        ...(replyToMid === undefined ? {} : { replyToMid }),
        ...(attachments.length === 0
          ? {}
          : { attachments: attachments.slice(0, 20) as MessageReceivedDetail['attachments'] }),
      },
    },
  });
}

function postbackEvent(postback: Json, item: Json, entry: Json, common: Common): KeyedEvent {
  const mid = text(postback.mid);
  const payload = text(postback.payload) ?? '';
  const title = text(postback.title);
  const sentAt = sentAtOf(item, entry, 'postback');
  return validated('postback', {
    dedupeKey: mid ?? `postback:${common.psid}:${sentAt}:${payload}`,
    event: {
      detailType: 'PostbackReceived',
      detail: {
        ...common,
        sentAt,
        payload,
        ...(mid === undefined ? {} : { mid }),
        ...(title === undefined ? {} : { title }),
      },
    },
  });
}

function receiptEvent(receipt: Json, kind: 'delivery' | 'read', common: Common): KeyedEvent {
  const watermark = isoOf(receipt.watermark);
  if (!watermark) throw new InvalidItemError({ kind, reason: `a ${kind} receipt without a valid watermark` });
  if (kind === 'read') {
    return validated(kind, {
      dedupeKey: `read:${common.psid}:${watermark}`,
      event: { detailType: 'MessageRead', detail: { ...common, watermark } },
    });
  }
  const mids = Array.isArray(receipt.mids) ? receipt.mids.filter((mid) => typeof mid === 'string') : [];
  return validated(kind, {
    dedupeKey: `delivery:${common.psid}:${watermark}`,
    event: {
      detailType: 'MessageDelivered',
      detail: { ...common, watermark, ...(mids.length === 0 ? {} : { mids }) },
    },
  });
}

/** Attachment types Meta adds later (or this schema does not know) are kept as `fallback`. */
function attachmentOf(value: unknown): Attachment {
  const attachment = asObject(value) ?? {};
  const payload = asObject(attachment.payload) ?? {};
  const type = text(attachment.type) ?? 'fallback';
  const url = text(payload.url) ?? text(attachment.url);
  const title = text(attachment.title) ?? text(payload.title);
  return {
    type: ATTACHMENT_TYPES.has(type) ? (type as Attachment['type']) : 'fallback',
    ...(url !== undefined && url.length <= MAX_URL ? { url } : {}),
    ...(title === undefined ? {} : { title }),
  };
}
