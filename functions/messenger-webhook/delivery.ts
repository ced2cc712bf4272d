/**
 * Turns one Meta webhook delivery (`{"object":"page","entry":[{"messaging":[...]}]}`) into typed Aurora
 * events, one per messaging item, across every entry of a batch. Each event carries the key that makes a
 * redelivery publish nothing new: the `mid` for messages (and postbacks that have one), the watermark for
 * delivery and read receipts. Echoes (the Page's own messages) are recognised and produce no event.
 */
import type { Attachment, MessageReceivedDetail } from '../../events-schema/generated/types';
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
const PSID = /^[0-9]{1,32}$/;
const MAX_URL = 4096;

const asObject = (value: unknown): Json | undefined =>
  typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Json) : undefined;
const text = (value: unknown): string | undefined => (typeof value === 'string' ? value : undefined);
const idOf = (value: unknown): string | undefined => {
  const id = asObject(value)?.id;
  return typeof id === 'number' ? String(id) : text(id);
};
const isoOf = (epochMs: unknown): string | undefined =>
  typeof epochMs === 'number' && Number.isFinite(epochMs) ? new Date(epochMs).toISOString() : undefined;

export function readDelivery(body: unknown): DeliveryContents {
  const delivery = asObject(body);
  if (!delivery) throw new MalformedDeliveryError('the body is not a JSON object');
  if (delivery.object !== 'page') {
    throw new MalformedDeliveryError(`object must be "page", got ${JSON.stringify(delivery.object)}`);
  }
  if (!Array.isArray(delivery.entry)) throw new MalformedDeliveryError('entry must be an array');
  const contents: DeliveryContents = { events: [], echoes: 0, ignored: [] };
  for (const entry of delivery.entry) {
    const messaging = asObject(entry)?.messaging;
    if (!Array.isArray(messaging)) {
      contents.ignored.push('an entry without messaging items');
      continue;
    }
    for (const item of messaging) readItem(asObject(item) ?? {}, asObject(entry) ?? {}, contents);
  }
  return contents;
}

function readItem(item: Json, entry: Json, contents: DeliveryContents): void {
  const message = asObject(item.message);
  if (message?.is_echo === true) {
    contents.echoes += 1;
    return;
  }
  const psid = idOf(item.sender);
  const pageId = idOf(item.recipient) ?? text(entry.id) ?? String(entry.id ?? '');
  if (psid === undefined || !PSID.test(psid) || !PSID.test(pageId)) {
    contents.ignored.push('an item whose sender is not a PSID');
    return;
  }
  const sentAt = isoOf(item.timestamp) ?? isoOf(entry.time) ?? new Date().toISOString();
  const common = { schemaVersion: 1 as const, psid, pageId };
  const postback = asObject(item.postback);
  const receipt = asObject(item.delivery) ?? asObject(item.read);

  if (message) {
    const mid = text(message.mid);
    if (!mid) throw new MalformedDeliveryError('a message without mid');
    const messageText = text(message.text);
    const quickReplyPayload = text(asObject(message.quick_reply)?.payload);
    const replyToMid = text(asObject(message.reply_to)?.mid);
    const attachments = Array.isArray(message.attachments) ? message.attachments.map(attachmentOf) : [];
    contents.events.push({
      dedupeKey: mid,
      event: {
        detailType: 'MessageReceived',
        detail: {
          ...common,
          mid,
          sentAt,
          ...(messageText === undefined ? {} : { text: messageText }),
          ...(quickReplyPayload === undefined ? {} : { quickReplyPayload }),
          ...(replyToMid === undefined ? {} : { replyToMid }),
          ...(attachments.length === 0
            ? {}
            : { attachments: attachments.slice(0, 20) as MessageReceivedDetail['attachments'] }),
        },
      },
    });
  } else if (postback) {
    const mid = text(postback.mid);
    const payload = text(postback.payload) ?? '';
    const title = text(postback.title);
    contents.events.push({
      dedupeKey: mid ?? `postback:${psid}:${sentAt}:${payload}`,
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
  } else if (receipt) {
    const watermark = isoOf(receipt.watermark);
    if (!watermark) throw new MalformedDeliveryError('a delivery or read receipt without watermark');
    const isRead = item.read !== undefined;
    const mids = Array.isArray(receipt.mids) ? receipt.mids.filter((mid) => typeof mid === 'string') : [];
    contents.events.push(
      isRead
        ? {
            dedupeKey: `read:${psid}:${watermark}`,
            event: { detailType: 'MessageRead', detail: { ...common, watermark } },
          }
        : {
            dedupeKey: `delivery:${psid}:${watermark}`,
            event: {
              detailType: 'MessageDelivered',
              detail: { ...common, watermark, ...(mids.length === 0 ? {} : { mids }) },
            },
          },
    );
  } else {
    const kind = Object.keys(item).find((key) => !['sender', 'recipient', 'timestamp'].includes(key));
    contents.ignored.push(`a "${kind ?? 'empty'}" item`);
  }
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
