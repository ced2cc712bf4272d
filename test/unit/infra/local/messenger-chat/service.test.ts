import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { readDelivery } from '../../../../../functions/messenger-webhook/delivery';
import { checkSignature } from '../../../../../functions/shared/messenger/signature';
import { Clock } from '../../../../../infra/local/clock';
import { GraphStandIn } from '../../../../../infra/local/messenger/graph';
import { MessengerChat } from '../../../../../infra/local/messenger-chat/service';

const secret = { name: 'dev/aurora/messenger-app-secret', value: 'chat-secret' };
const at = Date.parse('2026-11-22T09:00:00.000Z');
const directories: string[] = [];

afterEach(() => {
  for (const directory of directories.splice(0)) rmSync(directory, { recursive: true, force: true });
});

function setup() {
  const stateDir = mkdtempSync(join(tmpdir(), 'aurora-chat-'));
  directories.push(stateDir);
  const clock = new Clock('manual', at);
  const graph = new GraphStandIn({ clock, stateDir, pageAccessToken: 'token' });
  const posted: Array<{ url: string; headers: Record<string, string>; body: Buffer }> = [];
  const chat = new MessengerChat({
    graph,
    secrets: { list: () => [secret] },
    fetch: (async (url: string, init: RequestInit) => {
      posted.push({
        url,
        headers: init.headers as Record<string, string>,
        body: Buffer.from(init.body as Uint8Array),
      });
      return new Response('EVENT_RECEIVED', { status: 200 });
    }) as typeof fetch,
  });
  return { chat, graph, posted };
}

const request = (value: unknown) => Buffer.from(JSON.stringify(value));

describe('chat page relay', () => {
  it('posts a Meta-shaped delivery signed over its raw bytes, and opens the window on the Graph stand-in', async () => {
    const { chat, graph, posted } = setup();
    const [status, answer] = await chat.relay(
      request({
        webhookUrl: 'http://127.0.0.1:3000/webhook',
        psid: '5550001',
        timestamp: at,
        text: 'help 👋',
      }),
    );
    expect(status).toBe(200);
    expect(answer).toMatchObject({ webhookStatus: 200, webhookBody: 'EVENT_RECEIVED' });
    const [sent] = posted;
    expect(sent?.url).toBe('http://127.0.0.1:3000/webhook');
    expect(
      checkSignature(sent?.body ?? Buffer.alloc(0), sent?.headers['x-hub-signature-256'], 'chat-secret'),
    ).toBe('valid');
    const { events } = readDelivery(JSON.parse(sent?.body.toString('utf8') ?? '{}'));
    expect(events[0]?.event.detail).toMatchObject({ psid: '5550001', text: 'help 👋' });
    // The stand-in now accepts a RESPONSE to this person (it would refuse an unknown one).
    expect(
      graph.send('token', {
        recipient: { id: '5550001' },
        messaging_type: 'RESPONSE',
        message: { text: 'hi' },
      }),
    ).toHaveProperty('message_id');
  });

  it('sends quick-reply taps and postbacks in their own shapes', async () => {
    const { chat, posted } = setup();
    const base = { webhookUrl: 'http://127.0.0.1:3000/webhook', psid: '5550001', timestamp: at };
    await chat.relay(request({ ...base, text: 'My reminders', quickReplyPayload: 'list' }));
    await chat.relay(request({ ...base, postback: { title: 'Get started', payload: 'GET_STARTED' } }));
    const kinds = posted.map((post) => readDelivery(JSON.parse(post.body.toString('utf8'))).events[0]?.event);
    expect(kinds[0]).toMatchObject({ detailType: 'MessageReceived', detail: { quickReplyPayload: 'list' } });
    expect(kinds[1]).toMatchObject({ detailType: 'PostbackReceived', detail: { payload: 'GET_STARTED' } });
  });

  it('refuses bad requests with a reason', async () => {
    const { chat } = setup();
    expect(
      await chat.relay(request({ webhookUrl: 'ftp://x', psid: '1', timestamp: at, text: 'x' })),
    ).toMatchObject([400, { message: expect.stringContaining('webhookUrl') }]);
    expect(
      await chat.relay(request({ webhookUrl: 'http://x/webhook', psid: 'abc', timestamp: at, text: 'x' })),
    ).toMatchObject([400, { message: expect.stringContaining('psid') }]);
  });
});
