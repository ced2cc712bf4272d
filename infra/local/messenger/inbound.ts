/**
 * The person's side of a Messenger conversation, as Meta knows it: what a webhook delivery says they wrote.
 * Meta only delivers what a person sent, so a delivery the webhook accepted means, for the Graph stand-in,
 * that the person wrote at that time: it opens the 24-hour window (whoever posted it: the chat page, a test,
 * curl) and it is the person's half of the conversation the chat page shows after a reload.
 */

export interface ReceivedMessage {
  readonly psid: string;
  /** Meta's message id: a redelivery of the same message is recorded once. */
  readonly mid: string;
  /** ISO-8601, from the delivery's timestamp. */
  readonly at: string;
  /** The text, a quick reply's title, or a postback button's title. */
  readonly text: string;
}

const PSID = /^[0-9]{1,32}$/;

const record = (value: unknown): Record<string, unknown> | undefined =>
  typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : undefined;

function receivedOf(item: Record<string, unknown>): ReceivedMessage | undefined {
  const psid = record(item.sender)?.id;
  const timestamp = item.timestamp;
  const content = record(item.message) ?? record(item.postback);
  const mid = content?.mid;
  const text = content?.text ?? content?.title;
  if (typeof psid !== 'string' || !PSID.test(psid) || typeof mid !== 'string') return undefined;
  if (typeof timestamp !== 'number' || !Number.isFinite(timestamp) || typeof text !== 'string')
    return undefined;
  const at = new Date(timestamp);
  return Number.isNaN(at.getTime()) ? undefined : { psid, mid, at: at.toISOString(), text };
}

/** The messages and postbacks of a delivery body (Meta's JSON); none when it is not one. */
export function messagesOfDelivery(body: string): ReceivedMessage[] {
  let delivery: Record<string, unknown> | undefined;
  try {
    delivery = record(JSON.parse(body));
  } catch {
    return [];
  }
  if (delivery?.object !== 'page' || !Array.isArray(delivery.entry)) return [];
  return delivery.entry.flatMap((entry) => {
    const messaging = record(entry)?.messaging;
    if (!Array.isArray(messaging)) return [];
    return messaging.flatMap((item) => {
      const received = record(item) && receivedOf(item as Record<string, unknown>);
      return received ? [received] : [];
    });
  });
}

/**
 * The messages of a webhook delivery that reached a function through the local API Gateway and was answered
 * 200: `event` is the proxy event the function got, `answer` what it returned.
 */
export function acceptedDelivery(event: string, answer: string | undefined): ReceivedMessage[] {
  // Cheap tests first: every API call passes here, and few are webhook deliveries.
  if (answer === undefined || !event.includes('messaging')) return [];
  let parsed: Record<string, unknown> | undefined;
  let status: unknown;
  try {
    parsed = record(JSON.parse(event));
    status = record(JSON.parse(answer))?.statusCode;
  } catch {
    return [];
  }
  const body = parsed?.body;
  if (status !== 200 || typeof body !== 'string') return [];
  return messagesOfDelivery(parsed?.isBase64Encoded === true ? Buffer.from(body, 'base64').toString() : body);
}
