/**
 * The one way functions talk to a person on Messenger: the Graph API Send endpoint (`POST /me/messages`).
 *
 * - Picks the messaging type Meta's 24-hour rule allows: RESPONSE within 24 hours of the person's last
 *   message; outside it, MESSAGE_TAG only when the caller names a tag that legitimately applies; otherwise it
 *   does not call Graph and answers `outside-window`, so the caller can fall back to email.
 * - A refusal for the window (code 10, subcode 2018278) falls back the same way.
 * - Rate limits (codes 4, 17, 32, 613), transient errors (1, 2), HTTP 5xx and network errors are retried
 *   with exponential backoff and full jitter; any other Graph error is returned as `failed`.
 */
import { backoffDelayMs, type RetryTiming, realSleep } from '../backoff';

export type MessageTag = 'CONFIRMED_EVENT_UPDATE' | 'POST_PURCHASE_UPDATE' | 'ACCOUNT_UPDATE' | 'HUMAN_AGENT';

/** How the person's phone announces the message: REGULAR (Graph's default) rings, SILENT_PUSH only shows it. */
export type NotificationType = 'REGULAR' | 'SILENT_PUSH' | 'NO_PUSH';

export interface QuickReply {
  readonly title: string;
  readonly payload: string;
}

export interface OutgoingMessage {
  readonly psid: string;
  readonly text: string;
  readonly quickReplies?: readonly QuickReply[];
  /** When the person last wrote to the Page (epoch ms); unknown means "just now" (a reply). */
  readonly lastUserMessageAt?: number;
  /** A message tag that legitimately applies to this message, used only outside the 24-hour window. */
  readonly tag?: MessageTag;
  /** Left out of the request when absent, so Graph applies REGULAR. */
  readonly notificationType?: NotificationType;
}

export interface GraphErrorDetails {
  readonly status: number;
  readonly code?: number;
  readonly subcode?: number;
  readonly message: string;
}

export type SendOutcome =
  | { readonly status: 'sent'; readonly messageId: string; readonly messagingType: string }
  | { readonly status: 'outside-window' }
  | { readonly status: 'failed'; readonly error: GraphErrorDetails };

export interface SendApiOptions extends RetryTiming {
  /** e.g. `https://graph.facebook.com/v21.0` */
  readonly baseUrl: string;
  readonly pageAccessToken: () => Promise<string>;
  readonly fetch?: typeof fetch;
  readonly now?: () => number;
}

export const MESSAGING_WINDOW_MS = 24 * 3_600_000;
const RATE_LIMIT_CODES = new Set([4, 17, 32, 613]);
const TRANSIENT_CODES = new Set([1, 2]);
const OUTSIDE_WINDOW = { code: 10, subcode: 2018278 };

type Delivery = { messaging_type: 'RESPONSE' } | { messaging_type: 'MESSAGE_TAG'; tag: MessageTag };

/** The messaging type the 24-hour rule allows for this message now, or undefined when none does. */
export function allowedDelivery(message: OutgoingMessage, now: number): Delivery | undefined {
  const last = message.lastUserMessageAt ?? now;
  if (now - last <= MESSAGING_WINDOW_MS) return { messaging_type: 'RESPONSE' };
  return message.tag ? { messaging_type: 'MESSAGE_TAG', tag: message.tag } : undefined;
}

export type SendApi = (message: OutgoingMessage) => Promise<SendOutcome>;

export function createSendApi(options: SendApiOptions): SendApi {
  const {
    baseUrl,
    pageAccessToken,
    fetch: fetchFn = fetch,
    now = Date.now,
    sleep = realSleep,
    random = Math.random,
    maxAttempts = 4,
    baseDelayMs = 200,
  } = options;
  const endpoint = `${baseUrl.replace(/\/$/, '')}/me/messages`;

  /** One POST: the message id, or the Graph error (status 0 when the request did not get an answer). */
  const postOnce = async (body: Record<string, unknown>): Promise<GraphErrorDetails | string> => {
    const token = await pageAccessToken();
    let response: Response;
    try {
      response = await fetchFn(`${endpoint}?access_token=${encodeURIComponent(token)}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
    } catch (error) {
      return networkErrorOf(error as Error);
    }
    const answer = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (response.ok && typeof answer.message_id === 'string') return answer.message_id;
    return graphErrorOf(response.status, answer);
  };

  const post = async (body: Record<string, unknown>): Promise<GraphErrorDetails | string> => {
    let last: GraphErrorDetails = { status: 0, message: 'not attempted' };
    for (let attempt = 1; attempt <= maxAttempts; attempt++) {
      if (attempt > 1) await sleep(backoffDelayMs(attempt, baseDelayMs, random));
      const result = await postOnce(body);
      if (typeof result === 'string') return result;
      last = result;
      if (!isRetryable(last)) return last;
    }
    return last;
  };

  return async (message) => {
    let delivery = allowedDelivery(message, now());
    if (!delivery) return { status: 'outside-window' };
    for (;;) {
      const result = await post(requestBody(message, delivery));
      if (typeof result === 'string') {
        return { status: 'sent', messageId: result, messagingType: delivery.messaging_type };
      }
      if (!isOutsideWindow(result)) return { status: 'failed', error: result };
      // Graph knows better than our record of the last message: retry once with the tag, if one applies.
      if (delivery.messaging_type === 'MESSAGE_TAG' || !message.tag) return { status: 'outside-window' };
      delivery = { messaging_type: 'MESSAGE_TAG', tag: message.tag };
    }
  };
}

/** The Send API body of the message, sent as `delivery` allows. */
function requestBody(message: OutgoingMessage, delivery: Delivery): Record<string, unknown> {
  return {
    recipient: { id: message.psid },
    ...delivery,
    ...(message.notificationType ? { notification_type: message.notificationType } : {}),
    message: {
      text: message.text,
      ...(message.quickReplies && message.quickReplies.length > 0
        ? {
            quick_replies: message.quickReplies.map((reply) => ({
              content_type: 'text',
              title: reply.title,
              payload: reply.payload,
            })),
          }
        : {}),
    },
  };
}

function networkErrorOf(error: Error): GraphErrorDetails {
  const { cause } = error;
  return {
    status: 0,
    message: `network error: ${error.message}${cause instanceof Error ? ` (${cause.message})` : ''}`,
  };
}

function graphErrorOf(status: number, answer: Record<string, unknown>): GraphErrorDetails {
  const error = (typeof answer.error === 'object' && answer.error !== null ? answer.error : {}) as Record<
    string,
    unknown
  >;
  return {
    status,
    ...(typeof error.code === 'number' ? { code: error.code } : {}),
    ...(typeof error.error_subcode === 'number' ? { subcode: error.error_subcode } : {}),
    message: typeof error.message === 'string' ? error.message : `HTTP ${status}`,
  };
}

function isRetryable(error: GraphErrorDetails): boolean {
  if (error.status === 0 || error.status >= 500) return true;
  return error.code !== undefined && (RATE_LIMIT_CODES.has(error.code) || TRANSIENT_CODES.has(error.code));
}

function isOutsideWindow(error: GraphErrorDetails): boolean {
  return error.code === OUTSIDE_WINDOW.code && error.subcode === OUTSIDE_WINDOW.subcode;
}
