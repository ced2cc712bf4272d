/**
 * The Messenger webhook and conversation through the local cloud running the real app: signed deliveries in
 * the shapes Meta documents go to the webhook over the local API Gateway; what reaches the bus is read from
 * an SQS queue subscribed by a rule created here with the SDK; replies are what the Graph stand-in recorded.
 */
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { SQSClient } from '@aws-sdk/client-sqs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signDelivery } from '../../functions/shared/messenger/signature';
import {
  attachmentMessage,
  delivery,
  deliveryReceipt,
  echo,
  type MessagingItem,
  postback,
  quickReply,
  readReceipt,
  textMessage,
} from '../fixtures/messenger/deliveries';
import { type BusEvent, tapBus } from '../support/bus-tap';
import { TEST_START, useTestCloud } from '../support/local-cloud';
import { eventually } from '../support/polling';

const APP_SECRET = 'aurora-dev-app-secret';
const VERIFY_TOKEN = 'aurora-dev-verify-token';

interface RecordedSend {
  recipient: string;
  messaging_type: string;
  message?: { text?: string };
}

const test = useTestCloud({ app: true });
let sqs: SQSClient;
let busEvents: () => Promise<BusEvent[]>;
let nextPsid = 7_000_000_000_000;

beforeAll(async () => {
  sqs = new SQSClient(test.clientConfig);
  const events = new EventBridgeClient(test.clientConfig);
  busEvents = await tapBus({ events, sqs }, 'aurora-dev', {
    // What the webhook publishes; the bot's own MessageSent events are not the person's.
    source: ['aurora.messenger'],
    'detail-type': [{ 'anything-but': 'MessageSent' }],
  });
  events.destroy();
});

afterAll(async () => {
  sqs?.destroy();
});

const newPsid = () => String(++nextPsid);

/** The events on the bus so far of one person. */
async function busEventsOf(psid: string): Promise<BusEvent[]> {
  return (await busEvents()).filter((event) => event.detail.psid === psid);
}

async function repliesTo(psid: string): Promise<RecordedSend[]> {
  const response = await fetch(`${test.cloud.edgeUrl}/_aurora/messenger/sent?psid=${psid}`);
  return (await response.json()) as RecordedSend[];
}

/** Waits until `probe` has exactly `count` items (and fails on more), then answers them. */
function exactly<T>(count: number, probe: () => Promise<T[]>, what: string): Promise<T[]> {
  return eventually(
    async () => {
      const items = await probe();
      if (items.length > count) throw new Error(`expected ${count} ${what}, got ${items.length}`);
      return items.length === count ? items : undefined;
    },
    20_000,
    what,
  );
}

/** Posts a delivery as Meta does; first tells the Graph stand-in (Meta's side) that the senders wrote. */
async function post(
  body: string | Buffer,
  options: { signature?: string | null; contentType?: string; senders?: string[] } = {},
): Promise<Response> {
  for (const psid of options.senders ?? []) {
    await fetch(`${test.cloud.edgeUrl}/_aurora/messenger/inbound`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ psid, at: TEST_START }),
    });
  }
  const signature = options.signature === undefined ? signDelivery(body, APP_SECRET) : options.signature;
  return fetch(`${test.cloud.apiUrl}/webhook`, {
    method: 'POST',
    headers: {
      'content-type': options.contentType ?? 'application/json',
      ...(signature === null ? {} : { 'x-hub-signature-256': signature }),
    },
    body,
  });
}

const deliver = (items: MessagingItem[][], senders: string[]) =>
  post(JSON.stringify(delivery(...items)), { senders });

describe('GET /webhook: the subscription handshake', () => {
  it('echoes hub.challenge as plain text for the right verify token, 403 otherwise', async () => {
    const url = (token: string) =>
      `${test.cloud.apiUrl}/webhook?hub.mode=subscribe&hub.verify_token=${token}&hub.challenge=1158201444`;
    const accepted = await fetch(url(VERIFY_TOKEN));
    expect(accepted.status).toBe(200);
    expect(accepted.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await accepted.text()).toBe('1158201444');
    expect((await fetch(url('guess'))).status).toBe(403);
  });
});

describe('POST /webhook: signed deliveries', () => {
  it('a signed message with non-ASCII text and emoji: one MessageReceived on the bus, one reply', async () => {
    const psid = newPsid();
    const text = 'Grüße aus Zürich, 你好 👋🏽 ¿qué tal?';
    const response = await deliver([[textMessage(psid, text, TEST_START)]], [psid]);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe('EVENT_RECEIVED');

    const [event] = await exactly(1, () => busEventsOf(psid), 'MessageReceived');
    expect(event?.['detail-type']).toBe('MessageReceived');
    expect(event?.detail).toMatchObject({ psid, text, sentAt: new Date(TEST_START).toISOString() });
    const [reply] = await exactly(1, () => repliesTo(psid), 'reply');
    expect(reply).toMatchObject({
      messaging_type: 'RESPONSE',
      message: { text: expect.stringMatching(/help/) },
    });
  });

  it('help is answered with the commands', async () => {
    const psid = newPsid();
    await deliver([[textMessage(psid, 'help', TEST_START)]], [psid]);
    const [reply] = await exactly(1, () => repliesTo(psid), 'reply');
    expect(reply?.message?.text).toContain('remind me to');
  });

  it('a wrong signature gets 403 and a missing one 401, and nothing reaches the bus', async () => {
    const psid = newPsid();
    const body = JSON.stringify(delivery([textMessage(psid, 'forged', TEST_START)]));
    expect((await post(body, { signature: signDelivery(body, 'not-the-app-secret') })).status).toBe(403);
    expect((await post(body, { signature: null })).status).toBe(401);
    // Re-serialised bytes with the right secret but the original signature: still refused.
    const tampered = body.replace('forged', 'f\\u006frged');
    expect((await post(tampered, { signature: signDelivery(body, APP_SECRET) })).status).toBe(403);

    // A genuine delivery from the same person afterwards is the only thing on the bus.
    await deliver([[textMessage(psid, 'genuine', TEST_START + 1)]], [psid]);
    const events = await exactly(1, () => busEventsOf(psid), 'event');
    expect(events[0]?.detail.text).toBe('genuine');
  });

  it('the same delivery posted 3 times produces one event and one reply', async () => {
    const psid = newPsid();
    const body = JSON.stringify(delivery([textMessage(psid, 'help', TEST_START)]));
    for (let attempt = 0; attempt < 3; attempt++) {
      expect((await post(body, { senders: [psid] })).status).toBe(200);
    }
    await exactly(1, () => repliesTo(psid), 'reply');
    // A later, different message shows the pipeline has moved on: still one event for the repeated one.
    await deliver([[textMessage(psid, 'list', TEST_START + 1000)]], [psid]);
    await exactly(2, () => repliesTo(psid), 'replies');
    const events = await busEventsOf(psid);
    expect(events.map((event) => event.detail.text)).toEqual(['help', 'list']);
  });

  it('a batch with one valid and one oversized item: 200, one event and one reply (Meta does not retry)', async () => {
    const psid = newPsid();
    const oversized = textMessage(psid, 'x'.repeat(20_001), TEST_START);
    const response = await deliver([[oversized, textMessage(psid, 'help', TEST_START + 1)]], [psid]);
    expect(response.status).toBe(200);
    const events = await exactly(1, () => busEventsOf(psid), 'event');
    expect(events[0]?.detail.text).toBe('help');
    const [reply] = await exactly(1, () => repliesTo(psid), 'reply');
    expect(reply?.message?.text).toContain('remind me to');
  });

  it('handles a base64-encoded body (a content type API Gateway does not pass as text)', async () => {
    const psid = newPsid();
    const body = Buffer.from(
      JSON.stringify(delivery([textMessage(psid, 'naïve café ☕', TEST_START)])),
      'utf8',
    );
    const response = await post(body, { contentType: 'application/octet-stream', senders: [psid] });
    expect(response.status).toBe(200);
    const [event] = await exactly(1, () => busEventsOf(psid), 'event');
    expect(event?.detail.text).toBe('naïve café ☕');
  });

  it('a batch of entries: every item becomes its typed event; the echo gets no event and no reply', async () => {
    const ann = newPsid();
    const bob = newPsid();
    const response = await deliver(
      [
        [
          textMessage(ann, 'timezone Europe/Paris', TEST_START),
          quickReply(ann, 'My reminders', 'list', TEST_START + 1),
        ],
        [postback(bob, 'Get started', 'GET_STARTED', TEST_START + 2), attachmentMessage(bob, TEST_START + 3)],
        [
          deliveryReceipt(ann, TEST_START + 4),
          readReceipt(ann, TEST_START + 5),
          echo(ann, 'Time zone set to Europe/Paris.', TEST_START + 6),
        ],
      ],
      [ann, bob],
    );
    expect(response.status).toBe(200);

    const annEvents = await exactly(4, () => busEventsOf(ann), 'events of ann');
    expect(annEvents.map((event) => event['detail-type']).sort()).toEqual(
      ['MessageDelivered', 'MessageRead', 'MessageReceived', 'MessageReceived'].sort(),
    );
    expect(annEvents.find((event) => event.detail.quickReplyPayload === 'list')).toBeDefined();
    const bobEvents = await exactly(2, () => busEventsOf(bob), 'events of bob');
    expect(bobEvents.map((event) => event['detail-type']).sort()).toEqual([
      'MessageReceived',
      'PostbackReceived',
    ]);
    expect(bobEvents.find((event) => event['detail-type'] === 'MessageReceived')?.detail.attachments).toEqual(
      [
        { type: 'image', url: 'https://scontent.xx.fbcdn.net/v/t1.15752-9/cat.png' },
        { type: 'location', title: 'Paris' },
      ],
    );

    // Two messages from Ann are answered (the receipts and the echo are not); Bob's postback and attachment.
    const annReplies = await exactly(2, () => repliesTo(ann), 'replies to ann');
    expect(annReplies.map((reply) => reply.message?.text).join('\n')).toMatch(
      /Time zone set to Europe\/Paris/,
    );
    const bobReplies = await exactly(2, () => repliesTo(bob), 'replies to bob');
    expect(bobReplies.map((reply) => reply.message?.text).join('\n')).toMatch(/Hi! I'm Aurora/);
  });

  it('remind me is confirmed by the lifecycle workflow once scheduled, with a tip to set the zone', async () => {
    const psid = newPsid();
    await deliver([[textMessage(psid, 'remind me to call mum tomorrow at 9 ☎️', TEST_START)]], [psid]);
    const replies = await exactly(2, () => repliesTo(psid), 'replies');
    expect(replies.map((reply) => reply.message?.text).sort()).toEqual([
      'Scheduled: call mum ☎️, Mon 23 Nov 09:00 UTC',
      'Tip: tell me your time zone, e.g. timezone Europe/Paris (I am using UTC).',
    ]);
  });
});
