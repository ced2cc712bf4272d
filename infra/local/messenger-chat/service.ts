/**
 * The Messenger chat page on the edge: a person talks to the bot as a Messenger user (a PSID of their
 * choice). The page plays Meta's part: `POST /_aurora/messenger/chat/messages` builds the webhook delivery
 * Meta would send, tells the Graph stand-in that this person wrote (which opens the 24-hour window, as on
 * Meta's side), signs the raw bytes with the app secret and posts them to the webhook. The page shows the
 * conversation as the Graph stand-in holds it (`GET /_aurora/messenger/conversation?psid=`): both sides,
 * after a reload too.
 *
 * Served paths: exactly `GET /_aurora/messenger` (the page) and `/_aurora/messenger/chat/...`; every other
 * `/_aurora/messenger/...` path is the Graph stand-in's, handed on to it.
 */
import { randomBytes } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { SIGNATURE_HEADER, signDelivery } from '../../../functions/shared/messenger/signature';
import type { HttpService } from '../edge/contracts';
import { sendHttpReply } from '../edge/http-reply';
import { type GraphStandIn, MESSENGER_ADMIN_PATH } from '../messenger/graph';
import { messagesOfDelivery } from '../messenger/inbound';
import { chatPageHtml } from './chat-page';

export interface MessengerChatOptions {
  readonly graph: GraphStandIn;
  /** The deployed secrets; the app secret is the one named `<stage>/aurora/messenger-app-secret`. */
  readonly secrets: { list(): ReadonlyArray<{ readonly name: string; readonly value: string }> };
  readonly fetch?: typeof fetch;
}

/** What the page asks the relay to deliver. */
export interface ChatMessageRequest {
  readonly webhookUrl: string;
  readonly psid: string;
  readonly pageId?: string;
  /** When the person wrote (epoch ms on the local clock). */
  readonly timestamp: number;
  readonly text?: string;
  readonly quickReplyPayload?: string;
  readonly postback?: { readonly title: string; readonly payload: string };
}

const CHAT_PATH = `${MESSENGER_ADMIN_PATH}/chat`;
const DEFAULT_PAGE_ID = '106793054321234';
const PSID = /^[0-9]{1,32}$/;

export class MessengerChat implements HttpService {
  readonly protocol = 'http';
  readonly pathPrefixes = [MESSENGER_ADMIN_PATH];
  private readonly fetch: typeof fetch;
  /** The webhook route on the local API Gateway, once it is known; the page offers it by default. */
  defaultWebhookUrl = '';

  constructor(private readonly options: MessengerChatOptions) {
    this.fetch = options.fetch ?? fetch;
  }

  async handle(request: IncomingMessage, response: ServerResponse, body: Buffer): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://edge').pathname.replace(/\/$/, '');
    const method = request.method ?? 'GET';
    if (path === MESSENGER_ADMIN_PATH && method === 'GET') {
      response.writeHead(200, {
        'content-type': 'text/html; charset=utf-8',
        'cache-control': 'no-store',
        'content-security-policy':
          "default-src 'self'; script-src 'unsafe-inline'; style-src 'unsafe-inline'",
      });
      response.end(chatPageHtml(this.defaultWebhookUrl));
      return;
    }
    if (path === `${CHAT_PATH}/messages` && method === 'POST') {
      const [status, answer] = await this.relay(body);
      sendHttpReply(response, status, answer);
      return;
    }
    if (path.startsWith(CHAT_PATH)) {
      sendHttpReply(response, 404, {
        message: `No such endpoint: ${method} ${path} (see POST ${CHAT_PATH}/messages)`,
      });
      return;
    }
    await this.options.graph.handle(request, response, body);
  }

  /** Delivers one message as Meta would; answers the webhook's status and body. */
  async relay(body: Buffer): Promise<[number, unknown]> {
    const parsed = parseChatRequest(body);
    if (typeof parsed === 'string') return [400, { message: parsed }];
    const appSecret = this.options.secrets
      .list()
      .find((secret) => secret.name.endsWith('/messenger-app-secret'));
    if (!appSecret) return [503, { message: 'The app is not deployed yet: no messenger-app-secret' }];

    const mid = `m_${randomBytes(48).toString('base64url')}`;
    const delivery = metaDelivery(parsed, mid);
    const raw = Buffer.from(JSON.stringify(delivery), 'utf8');
    // Meta has the message before the webhook does: it shows in the conversation even if the webhook fails.
    this.options.graph.recordInbound(messagesOfDelivery(raw.toString('utf8')));
    try {
      const answer = await this.fetch(parsed.webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SIGNATURE_HEADER]: signDelivery(raw, appSecret.value),
        },
        body: raw,
      });
      return [200, { mid, webhookStatus: answer.status, webhookBody: await answer.text() }];
    } catch (error) {
      return [
        502,
        { message: `Could not reach the webhook at ${parsed.webhookUrl}: ${(error as Error).message}` },
      ];
    }
  }
}

function parseChatRequest(body: Buffer): ChatMessageRequest | string {
  let input: Record<string, unknown>;
  try {
    input = JSON.parse(body.toString('utf8') || '{}') as Record<string, unknown>;
  } catch {
    return 'The body must be JSON';
  }
  const { webhookUrl, psid, timestamp, text, quickReplyPayload, postback, pageId } = input;
  if (typeof webhookUrl !== 'string' || !/^https?:\/\//.test(webhookUrl))
    return 'webhookUrl must be an http(s) URL';
  if (typeof psid !== 'string' || !PSID.test(psid)) return 'psid must be 1 to 32 digits';
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp))
    return 'timestamp must be epoch milliseconds';
  const button =
    typeof postback === 'object' && postback !== null ? (postback as Record<string, unknown>) : undefined;
  if (typeof text !== 'string' && !button) return 'Give text, or a postback {title, payload}';
  return {
    webhookUrl,
    psid,
    timestamp,
    ...(typeof pageId === 'string' && PSID.test(pageId) ? { pageId } : {}),
    ...(typeof text === 'string' ? { text } : {}),
    ...(typeof quickReplyPayload === 'string' ? { quickReplyPayload } : {}),
    ...(button
      ? { postback: { title: String(button.title ?? ''), payload: String(button.payload ?? '') } }
      : {}),
  };
}

/** The delivery Meta sends for one message, quick-reply tap or postback. */
function metaDelivery(request: ChatMessageRequest, mid: string): unknown {
  const pageId = request.pageId ?? DEFAULT_PAGE_ID;
  const item = {
    sender: { id: request.psid },
    recipient: { id: pageId },
    timestamp: request.timestamp,
    ...(request.postback
      ? { postback: { mid, title: request.postback.title, payload: request.postback.payload } }
      : {
          message: {
            mid,
            text: request.text,
            ...(request.quickReplyPayload === undefined
              ? {}
              : { quick_reply: { payload: request.quickReplyPayload } }),
          },
        }),
  };
  return { object: 'page', entry: [{ id: pageId, time: request.timestamp, messaging: [item] }] };
}
