/**
 * A local stand-in for Meta's Graph API Send endpoint (`POST /graph/<version>/me/messages`), answering like the
 * real one: page access token check, payload validation, the 24-hour messaging window on the shared clock,
 * unknown recipients. Accepted sends are recorded for tests and the chat page (`GET /_aurora/messenger/sent`).
 *
 * What people wrote reaches it as the webhook deliveries the webhook accepted (inbound.ts): they open the
 * window and are the person's half of `GET /_aurora/messenger/conversation?psid=`. `/_aurora/messenger/inbound`
 * opens the window without a message, and `/_aurora/messenger/faults` makes the next sends fail with a chosen
 * Graph error, to exercise a bot's backoff.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { join } from 'node:path';
import type { Clock } from '../clock';
import type { HttpService } from '../edge/contracts';
import { sendHttpReply } from '../edge/http-reply';
import { appendJsonLine, readJsonLines, readJsonOr, writeJsonAtomic } from '../shared/persistence';
import {
  GraphError,
  type GraphErrorBody,
  graphError,
  invalidAccessToken,
  missingAccessToken,
  newTraceId,
  noMatchingUser,
  outsideAllowedWindow,
} from './graph-errors';
import type { ReceivedMessage } from './inbound';
import { windowAllows } from './messaging-window';
import { type SendRequest, validateSendRequest } from './send-validation';

export interface GraphStandInOptions {
  readonly clock: Clock;
  /** The local cloud's state directory; the stand-in keeps its files under `${stateDir}/messenger/`. */
  readonly stateDir: string;
  readonly pageAccessToken: string;
}

/** One send the stand-in accepted, as `GET /_aurora/messenger/sent` lists it. */
export interface RecordedSend {
  /** Absent for sender actions, which the Send API answers without a message id. */
  readonly message_id?: string;
  /** The PSID, or the `user_ref` for a send addressed by user_ref. */
  readonly recipient: string;
  readonly recipient_kind: 'id' | 'user_ref';
  readonly messaging_type: string;
  readonly tag?: string;
  readonly message?: Readonly<Record<string, unknown>>;
  readonly sender_action?: string;
  /** ISO-8601 on the shared clock. */
  readonly at: string;
}

/** Both sides of a conversation in time order, as the chat page shows it. */
export type ConversationEntry =
  | ({ readonly from: 'person' } & ReceivedMessage)
  | ({ readonly from: 'page' } & RecordedSend);

/** A person's message and where it came among the sends: the conversation's order, whatever the clocks say. */
interface StoredMessage extends ReceivedMessage {
  readonly afterSends: number;
}

interface Fault {
  remaining: number;
  readonly error: GraphErrorBody;
  readonly status: number;
}

export const MESSENGER_ADMIN_PATH = '/_aurora/messenger';
const SEND_PATH = /^\/graph(?:\/v\d+(?:\.\d+)?)?\/[^/]+\/messages\/?$/;

export class GraphStandIn implements HttpService {
  readonly protocol = 'http';
  readonly pathPrefixes = ['/graph/', MESSENGER_ADMIN_PATH];

  private readonly clock: Clock;
  private readonly pageAccessToken: string;
  private readonly sentPath: string;
  private readonly conversationsPath: string;
  private readonly sends: RecordedSend[];
  private readonly receivedPath: string;
  private readonly received: StoredMessage[];
  private readonly receivedMids: Set<string>;
  /** PSID → when that person last messaged the Page (epoch ms on the shared clock). */
  private readonly lastUserMessageAt: Map<string, number>;
  private fault: Fault | undefined;

  constructor(options: GraphStandInOptions) {
    const directory = join(options.stateDir, 'messenger');
    this.clock = options.clock;
    this.pageAccessToken = options.pageAccessToken;
    this.sentPath = join(directory, 'sent.jsonl');
    this.conversationsPath = join(directory, 'conversations.json');
    this.sends = readJsonLines<RecordedSend>(this.sentPath);
    this.receivedPath = join(directory, 'received.jsonl');
    this.received = readJsonLines<StoredMessage>(this.receivedPath);
    this.receivedMids = new Set(this.received.map((message) => message.mid));
    this.lastUserMessageAt = new Map(
      Object.entries(readJsonOr<Record<string, number>>(this.conversationsPath, {})),
    );
  }

  /** Called when the webhook receives a message from `psid`: it (re)opens the messaging window. */
  recordUserMessage(psid: string, at: number = this.clock.now()): void {
    const previous = this.lastUserMessageAt.get(psid) ?? Number.NEGATIVE_INFINITY;
    if (at <= previous) return;
    this.lastUserMessageAt.set(psid, at);
    writeJsonAtomic(this.conversationsPath, Object.fromEntries(this.lastUserMessageAt));
  }

  /** What people wrote (each message once, however often it was delivered): each opens its window. */
  recordInbound(messages: readonly ReceivedMessage[]): void {
    for (const message of messages) {
      this.recordUserMessage(message.psid, Date.parse(message.at));
      if (this.receivedMids.has(message.mid)) continue;
      this.receivedMids.add(message.mid);
      const stored: StoredMessage = { ...message, afterSends: this.sends.length };
      appendJsonLine(this.receivedPath, stored);
      this.received.push(stored);
    }
  }

  /** The person's messages and the Page's sends to them, in the order the stand-in saw them. */
  conversation(psid: string): ConversationEntry[] {
    const person = this.received.filter((message) => message.psid === psid);
    const entries: ConversationEntry[] = [];
    let next = 0;
    const takePersonUpTo = (sends: number) => {
      for (; next < person.length && (person[next]?.afterSends ?? 0) <= sends; next++) {
        const { afterSends: _, ...message } = person[next] as StoredMessage;
        entries.push({ from: 'person', ...message });
      }
    };
    this.sends.forEach((send, index) => {
      takePersonUpTo(index);
      if (send.recipient === psid) entries.push({ from: 'page', ...send });
    });
    takePersonUpTo(this.sends.length);
    return entries;
  }

  /** Accepted sends in the order they were made, optionally only those to one recipient. */
  sent(psid?: string): RecordedSend[] {
    return psid === undefined ? [...this.sends] : this.sends.filter((send) => send.recipient === psid);
  }

  /** Forgets every conversation: what the Page sent and what people wrote. */
  clearSent(): void {
    rmSync(this.sentPath, { force: true });
    rmSync(this.receivedPath, { force: true });
    this.sends.length = 0;
    this.received.length = 0;
    this.receivedMids.clear();
  }

  /** The next `count` sends fail with `error` (type and fbtrace_id filled in when missing). */
  failNextSends(count: number, error: Partial<GraphErrorBody>, status = 400): void {
    const fallback = graphError(
      2,
      '(#2) An unexpected error has occurred. Please retry your request later.',
    ).body;
    this.fault =
      count > 0
        ? { remaining: count, status, error: { ...fallback, fbtrace_id: newTraceId(), ...error } }
        : undefined;
  }

  /** Validates and records one Send API call; returns the Graph response body or throws GraphError. */
  send(token: string | undefined, body: unknown): Record<string, string> {
    if (!token) throw missingAccessToken();
    if (token !== this.pageAccessToken) throw invalidAccessToken();
    this.takeFault();
    const request = validateSendRequest(body);
    if ('id' in request.recipient) this.checkWindow(request.recipient.id, request);
    const messageId = request.message ? `m_${randomBytes(64).toString('base64url')}` : undefined;
    const recipient = 'id' in request.recipient ? request.recipient.id : request.recipient.user_ref;
    const record: RecordedSend = {
      ...(messageId === undefined ? {} : { message_id: messageId }),
      recipient,
      recipient_kind: 'id' in request.recipient ? 'id' : 'user_ref',
      messaging_type: request.messagingType,
      ...(request.tag === undefined ? {} : { tag: request.tag }),
      ...(request.message === undefined ? {} : { message: request.message }),
      ...(request.senderAction === undefined ? {} : { sender_action: request.senderAction }),
      at: this.clock.nowIso(),
    };
    appendJsonLine(this.sentPath, record);
    this.sends.push(record);
    // A send addressed by user_ref is answered without recipient_id: the PSID is not yet known to the Page.
    return {
      ...('id' in request.recipient ? { recipient_id: recipient } : {}),
      ...(messageId === undefined ? {} : { message_id: messageId }),
    };
  }

  async handle(request: IncomingMessage, response: ServerResponse, body: Buffer): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    const method = request.method ?? 'GET';
    if (url.pathname.startsWith(MESSENGER_ADMIN_PATH)) {
      this.handleAdmin(method, url, parseBody(request, body), response);
      return;
    }
    if (method !== 'POST' || !SEND_PATH.test(url.pathname)) {
      const error = graphError(2500, `Unknown path components: ${url.pathname.replace(/^\/graph/, '')}`);
      sendHttpReply(response, error.status, { error: error.body });
      return;
    }
    try {
      const payload = parseBody(request, body);
      sendHttpReply(response, 200, this.send(accessTokenOf(request, url, payload), payload));
    } catch (error) {
      if (!(error instanceof GraphError)) throw error;
      sendHttpReply(
        response,
        error.status,
        { error: error.body },
        { 'www-authenticate': wwwAuthenticate(error) },
      );
    }
  }

  private handleAdmin(method: string, url: URL, body: unknown, response: ServerResponse): void {
    const path = url.pathname.slice(MESSENGER_ADMIN_PATH.length);
    const input = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const answer = this.adminEndpoints().get(`${method} ${path}`)?.(url, input);
    if (answer) sendHttpReply(response, answer.status, answer.body);
    else {
      sendHttpReply(response, 404, {
        message: `No such endpoint: ${method} ${url.pathname} (see GET /sent, GET /conversation?psid=, DELETE /sent, POST /inbound {psid, at?}, POST /faults {next, error, status?})`,
      });
    }
  }

  /** By `METHOD /path`; each answers, or undefined when its input does not fit (a 404, as for no endpoint). */
  private adminEndpoints(): ReadonlyMap<string, AdminEndpoint> {
    return new Map<string, AdminEndpoint>([
      ['GET /sent', (url) => ({ status: 200, body: this.sent(url.searchParams.get('psid') ?? undefined) })],
      [
        'GET /conversation',
        (url) => {
          const psid = url.searchParams.get('psid');
          return psid
            ? { status: 200, body: this.conversation(psid) }
            : { status: 400, body: { message: 'Name the person: /conversation?psid=<PSID>' } };
        },
      ],
      [
        'DELETE /sent',
        () => {
          this.clearSent();
          return { status: 204, body: undefined };
        },
      ],
      ['POST /inbound', (_, input) => this.adminInbound(input)],
      [
        'POST /faults',
        (_, input) => {
          if (typeof input.next !== 'number') return undefined;
          const error = typeof input.error === 'object' && input.error !== null ? input.error : {};
          this.failNextSends(input.next, error, typeof input.status === 'number' ? input.status : 400);
          return { status: 204, body: undefined };
        },
      ],
    ]);
  }

  /** The person wrote to the Page (at `at`, else now), which opens the messaging window. */
  private adminInbound(input: Record<string, unknown>): AdminAnswer | undefined {
    if (typeof input.psid !== 'string' || input.psid === '') return undefined;
    const at = input.at === undefined ? this.clock.now() : new Date(input.at as string | number).getTime();
    if (Number.isNaN(at)) {
      return { status: 400, body: { message: '`at` must be epoch milliseconds or an ISO-8601 time' } };
    }
    this.recordUserMessage(input.psid, at);
    return { status: 204, body: undefined };
  }

  private takeFault(): void {
    const fault = this.fault;
    if (!fault) return;
    fault.remaining -= 1;
    if (fault.remaining <= 0) this.fault = undefined;
    throw new GraphError({ ...fault.error, fbtrace_id: newTraceId() }, fault.status);
  }

  private checkWindow(psid: string, request: SendRequest): void {
    const last = this.lastUserMessageAt.get(psid);
    if (last === undefined) throw noMatchingUser();
    if (!windowAllows(request.messagingType, request.tag, last, this.clock.now()))
      throw outsideAllowedWindow();
  }
}

interface AdminAnswer {
  readonly status: number;
  readonly body: unknown;
}

type AdminEndpoint = (url: URL, input: Record<string, unknown>) => AdminAnswer | undefined;

/** The token from `?access_token=`, an `Authorization: Bearer` header, or an `access_token` body field. */
function accessTokenOf(request: IncomingMessage, url: URL, body: unknown): string | undefined {
  const bearer = /^Bearer\s+(.+)$/i.exec(request.headers.authorization ?? '')?.[1]?.trim();
  const fromBody =
    typeof body === 'object' && body !== null ? (body as Record<string, unknown>).access_token : undefined;
  return (
    url.searchParams.get('access_token') ?? bearer ?? (typeof fromBody === 'string' ? fromBody : undefined)
  );
}

/**
 * Graph takes JSON, or form fields whose values are JSON (`recipient={"id":"1"}`), as curl examples send them.
 * An unreadable body reads as empty, which validation then reports field by field.
 */
function parseBody(request: IncomingMessage, body: Buffer): unknown {
  const text = body.toString('utf8');
  if (text.trim() === '') return {};
  if ((request.headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
    const fields: Record<string, unknown> = {};
    for (const [name, value] of new URLSearchParams(text)) fields[name] = parseJsonOr(value, value);
    return fields;
  }
  return parseJsonOr(text, {});
}

function parseJsonOr(text: string, fallback: unknown): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return fallback;
  }
}

function wwwAuthenticate(error: GraphError): string {
  return `OAuth "Facebook Platform" "invalid_request" "${error.body.message.replace(/"/g, "'")}"`;
}
