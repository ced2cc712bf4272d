/**
 * The webhook's two use cases, as plain functions over their ports:
 * - `verifySubscription`: Meta's GET handshake (`hub.mode=subscribe`, `hub.verify_token`, `hub.challenge`).
 * - `receiveDelivery`: a signed POST; every messaging item of every entry becomes one event, published once
 *   however often Meta redelivers it. The answer is 200 only once every event is on the bus. An item that
 *   cannot become a valid event is logged and skipped: a redelivery would not make it valid, and a non-200
 *   answer would only have Meta retry the whole batch for 36 hours.
 */
import { checkSignature, constantTimeEquals } from '../shared/messenger/signature';
import { type KeyedEvent, MalformedDeliveryError, readDelivery } from './delivery';

export interface WebhookResponse {
  readonly statusCode: number;
  readonly body: string;
}

export interface WebhookPorts {
  readonly appSecret: () => Promise<string>;
  readonly verifyToken: () => Promise<string>;
  /** Publishes the event unless an event with the same dedupe key was already published. */
  readonly publishOnce: (item: KeyedEvent) => Promise<void>;
  /** Something an operator should see: a refused or partly ignored delivery. */
  readonly log: (message: string, details: Record<string, unknown>) => void;
}

const forbidden: WebhookResponse = { statusCode: 403, body: 'Forbidden' };

export async function verifySubscription(
  query: Readonly<Record<string, string | undefined>>,
  ports: Pick<WebhookPorts, 'verifyToken'>,
): Promise<WebhookResponse> {
  const challenge = query['hub.challenge'];
  const token = query['hub.verify_token'];
  if (query['hub.mode'] !== 'subscribe' || challenge === undefined || token === undefined) return forbidden;
  if (!constantTimeEquals(token, await ports.verifyToken())) return forbidden;
  return { statusCode: 200, body: challenge };
}

export async function receiveDelivery(
  rawBody: Uint8Array,
  signatureHeader: string | undefined,
  ports: WebhookPorts,
): Promise<WebhookResponse> {
  const signature = checkSignature(rawBody, signatureHeader, await ports.appSecret());
  if (signature === 'missing') return { statusCode: 401, body: 'Missing X-Hub-Signature-256' };
  if (signature === 'invalid') return { statusCode: 403, body: 'Invalid X-Hub-Signature-256' };

  let contents: ReturnType<typeof readDelivery>;
  try {
    contents = readDelivery(JSON.parse(Buffer.from(rawBody).toString('utf8')));
  } catch (error) {
    if (error instanceof SyntaxError || error instanceof MalformedDeliveryError) {
      ports.log('refused a malformed delivery', { problem: error.message });
      return { statusCode: 400, body: error.message };
    }
    throw error;
  }
  await Promise.all(contents.events.map((item) => ports.publishOnce(item)));
  // Routine deliveries are not logged (API Gateway's access log has them); what was left out is.
  if (contents.ignored.length > 0) ports.log('ignored part of a delivery', { ignored: contents.ignored });
  for (const { kind, reason } of contents.invalid) {
    ports.log('skipped an item that cannot become a valid event', { kind, reason });
  }
  return { statusCode: 200, body: 'EVENT_RECEIVED' };
}
