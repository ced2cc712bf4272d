import { describe, expect, it } from 'vitest';
import { MalformedDeliveryError, readDelivery } from '../../../../functions/messenger-webhook/delivery';
import { validateDetail } from '../../../../functions/shared/events/contracts';
import {
  attachmentMessage,
  delivery,
  deliveryReceipt,
  echo,
  PAGE_ID,
  postback,
  quickReply,
  readReceipt,
  textMessage,
} from '../../../fixtures/messenger/deliveries';

const psid = '1254477777772919';
const at = Date.parse('2026-11-22T09:00:00.000Z');

describe('readDelivery', () => {
  it('turns a text message into MessageReceived keyed on its mid, keeping non-ASCII text and emoji', () => {
    const { events } = readDelivery(delivery([textMessage(psid, 'Grüße, 你好 👋🏽', at, 'm_1')]));
    expect(events).toEqual([
      {
        dedupeKey: 'm_1',
        event: {
          detailType: 'MessageReceived',
          detail: {
            schemaVersion: 1,
            mid: 'm_1',
            psid,
            pageId: PAGE_ID,
            sentAt: '2026-11-22T09:00:00.000Z',
            text: 'Grüße, 你好 👋🏽',
          },
        },
      },
    ]);
  });

  it('keeps the quick-reply payload and the attachments', () => {
    const { events } = readDelivery(
      delivery([quickReply(psid, 'My reminders', 'list', at), attachmentMessage(psid, at + 1)]),
    );
    expect(events[0]?.event.detail).toMatchObject({ text: 'My reminders', quickReplyPayload: 'list' });
    expect(events[1]?.event.detail).toMatchObject({
      attachments: [
        { type: 'image', url: 'https://scontent.xx.fbcdn.net/v/t1.15752-9/cat.png' },
        { type: 'location', title: 'Paris' },
      ],
    });
  });

  it('maps an attachment type it does not know to fallback rather than refusing the delivery', () => {
    const item = textMessage(psid, 'x', at, 'm_2');
    const message = {
      mid: 'm_2',
      attachments: [{ type: 'story_mention', payload: { url: 'https://x.test/s' } }],
    };
    const { events } = readDelivery(delivery([{ ...item, message }]));
    expect(events[0]?.event.detail).toMatchObject({
      attachments: [{ type: 'fallback', url: 'https://x.test/s' }],
    });
  });

  it('turns postbacks, delivery and read receipts into their events, receipts keyed on the watermark', () => {
    const { events } = readDelivery(
      delivery([
        postback(psid, 'Get started', 'GET_STARTED', at, 'm_pb'),
        deliveryReceipt(psid, at, ['m_a']),
        readReceipt(psid, at),
      ]),
    );
    expect(events.map((item) => [item.event.detailType, item.dedupeKey])).toEqual([
      ['PostbackReceived', 'm_pb'],
      ['MessageDelivered', `delivery:${psid}:2026-11-22T09:00:00.000Z`],
      ['MessageRead', `read:${psid}:2026-11-22T09:00:00.000Z`],
    ]);
    expect(events[0]?.event.detail).toMatchObject({ payload: 'GET_STARTED', title: 'Get started' });
    expect(events[1]?.event.detail).toMatchObject({ mids: ['m_a'], watermark: '2026-11-22T09:00:00.000Z' });
  });

  it('processes every item of every entry of a batch, and counts echoes without making events of them', () => {
    const contents = readDelivery(
      delivery(
        [textMessage(psid, 'one', at), textMessage('222', 'two', at + 1)],
        [echo(psid, 'bot said', at + 2), textMessage('333', 'three', at + 3)],
      ),
    );
    expect(contents.events.map((item) => item.event.detail)).toMatchObject([
      { text: 'one' },
      { text: 'two', psid: '222' },
      { text: 'three', psid: '333' },
    ]);
    expect(contents.echoes).toBe(1);
  });

  it('produces details that conform to their event schemas', () => {
    const { events } = readDelivery(
      delivery(
        [
          textMessage(psid, 'ça va? 🙂', at),
          quickReply(psid, 'Help', 'help', at),
          attachmentMessage(psid, at),
        ],
        [
          postback(psid, 'Start', 'GET_STARTED', at),
          deliveryReceipt(psid, at, ['m_1']),
          readReceipt(psid, at),
        ],
      ),
    );
    expect(events).toHaveLength(6);
    for (const { event } of events)
      expect(() => validateDetail(event.detailType, event.detail)).not.toThrow();
  });

  it('ignores items it does not handle instead of failing the delivery', () => {
    const contents = readDelivery(
      delivery([
        {
          sender: { id: psid },
          recipient: { id: PAGE_ID },
          timestamp: at,
          reaction: { mid: 'm', action: 'react' },
        },
      ]),
    );
    expect(contents.events).toEqual([]);
    expect(contents.ignored).toEqual(['a "reaction" item']);
  });

  it('refuses what is not a Page delivery, naming the problem', () => {
    expect(() => readDelivery({ object: 'instagram', entry: [] })).toThrow(MalformedDeliveryError);
    expect(() => readDelivery({ object: 'page' })).toThrow('entry must be an array');
  });

  it('sets aside each item that cannot become a valid event, keeping its valid siblings', () => {
    const contents = readDelivery(
      delivery([
        textMessage(psid, 'x'.repeat(20_001), at, 'm_long'),
        textMessage(psid, 'hi', at, 'm'.repeat(257)),
        textMessage(psid, 'hi', 1e20, 'm_future'),
        { sender: { id: psid }, recipient: { id: PAGE_ID }, timestamp: at, message: {} },
        { ...readReceipt(psid, at), read: { watermark: 1e20 } },
        textMessage(psid, 'the valid one', at, 'm_ok'),
      ]),
    );
    expect(contents.events.map((item) => item.dedupeKey)).toEqual(['m_ok']);
    expect(contents.invalid).toEqual([
      { kind: 'message', reason: expect.stringContaining('detail/text must NOT have more than 20000') },
      { kind: 'message', reason: expect.stringContaining('detail/mid must NOT have more than 256') },
      { kind: 'message', reason: 'timestamp is not a time' },
      { kind: 'message', reason: 'a message without mid' },
      { kind: 'read', reason: 'a read receipt without a valid watermark' },
    ]);
  });
});
