import { describe, expect, it } from 'vitest';
import type { KeyedEvent } from '../../../../functions/messenger-webhook/delivery';
import {
  receiveDelivery,
  verifySubscription,
  type WebhookPorts,
} from '../../../../functions/messenger-webhook/webhook';
import { signDelivery } from '../../../../functions/shared/messenger/signature';
import { delivery, textMessage } from '../../../fixtures/messenger/deliveries';

const appSecret = 'the-app-secret';

function fakePorts(): WebhookPorts & { published: KeyedEvent[] } {
  const published: KeyedEvent[] = [];
  const seen = new Set<string>();
  return {
    published,
    appSecret: async () => appSecret,
    verifyToken: async () => 'the-verify-token',
    publishOnce: async (item) => {
      if (seen.has(item.dedupeKey)) return;
      seen.add(item.dedupeKey);
      published.push(item);
    },
    log: () => {},
  };
}

const raw = (value: unknown) => Buffer.from(JSON.stringify(value), 'utf8');

describe('GET /webhook (subscription handshake)', () => {
  it('echoes the challenge for subscribe with the right token', async () => {
    const query = {
      'hub.mode': 'subscribe',
      'hub.verify_token': 'the-verify-token',
      'hub.challenge': '1158201444',
    };
    expect(await verifySubscription(query, fakePorts())).toEqual({ statusCode: 200, body: '1158201444' });
  });

  it('answers 403 to a wrong token, another mode or a missing challenge', async () => {
    const ports = fakePorts();
    for (const query of [
      { 'hub.mode': 'subscribe', 'hub.verify_token': 'wrong', 'hub.challenge': '1' },
      { 'hub.mode': 'unsubscribe', 'hub.verify_token': 'the-verify-token', 'hub.challenge': '1' },
      { 'hub.mode': 'subscribe', 'hub.verify_token': 'the-verify-token' },
      {},
    ]) {
      expect((await verifySubscription(query, ports)).statusCode).toBe(403);
    }
  });
});

describe('POST /webhook (deliveries)', () => {
  const body = raw(delivery([textMessage('1001', 'hello 👋', 1_700_000_000_000, 'm_x')]));

  it('publishes every item of a signed delivery and answers 200', async () => {
    const ports = fakePorts();
    const response = await receiveDelivery(body, signDelivery(body, appSecret), ports);
    expect(response).toEqual({ statusCode: 200, body: 'EVENT_RECEIVED' });
    expect(ports.published.map((item) => item.dedupeKey)).toEqual(['m_x']);
  });

  it('answers 401 without a signature and 403 with a wrong one, publishing nothing', async () => {
    const ports = fakePorts();
    expect((await receiveDelivery(body, undefined, ports)).statusCode).toBe(401);
    expect((await receiveDelivery(body, signDelivery(body, 'not-the-secret'), ports)).statusCode).toBe(403);
    expect(ports.published).toEqual([]);
  });

  it('answers 400 to signed bytes that are not a Page delivery', async () => {
    const ports = fakePorts();
    const notJson = Buffer.from('{"object":', 'utf8');
    expect((await receiveDelivery(notJson, signDelivery(notJson, appSecret), ports)).statusCode).toBe(400);
    const other = raw({ object: 'user', entry: [] });
    expect((await receiveDelivery(other, signDelivery(other, appSecret), ports)).statusCode).toBe(400);
  });

  it('publishes the valid items of a batch, logs each invalid one without its text, and answers 200', async () => {
    const logged: { message: string; details: Record<string, unknown> }[] = [];
    const ports = {
      ...fakePorts(),
      log: (message: string, details: Record<string, unknown>) => logged.push({ message, details }),
    };
    const secretText = 'private words '.repeat(2_000);
    const batch = raw(
      delivery([
        textMessage('1001', secretText, 1_700_000_000_000, 'm_long'),
        textMessage('1001', 'hello', 1e20, 'm_future'),
        textMessage('1001', 'hello', 1_700_000_000_000, 'm_ok'),
      ]),
    );
    const response = await receiveDelivery(batch, signDelivery(batch, appSecret), ports);
    expect(response).toEqual({ statusCode: 200, body: 'EVENT_RECEIVED' });
    expect(ports.published.map((item) => item.dedupeKey)).toEqual(['m_ok']);
    expect(logged).toEqual([
      {
        message: 'skipped an item that cannot become a valid event',
        details: { kind: 'message', reason: expect.stringContaining('detail/text') },
      },
      {
        message: 'skipped an item that cannot become a valid event',
        details: { kind: 'message', reason: 'timestamp is not a time' },
      },
    ]);
    expect(JSON.stringify(logged)).not.toContain('private words');
  });

  it('fails (so that Meta retries) when publishing fails', async () => {
    const ports = { ...fakePorts(), publishOnce: async () => Promise.reject(new Error('bus down')) };
    await expect(receiveDelivery(body, signDelivery(body, appSecret), ports)).rejects.toThrow('bus down');
  });
});
