import { describe, expect, it } from 'vitest';
import { createSendApi, type SendApiOptions } from '../../../../../functions/shared/messenger/send-api';

const now = Date.parse('2026-11-22T09:00:00.000Z');
const HOUR = 3_600_000;

function graph(answers: Array<[number, unknown]>) {
  const requests: Array<{ url: string; body: Record<string, unknown> }> = [];
  const fetchFn = (async (url: string, init: RequestInit) => {
    requests.push({ url, body: JSON.parse(String(init.body)) as Record<string, unknown> });
    const [status, body] = answers.shift() ?? [200, { recipient_id: '1', message_id: 'm_ok' }];
    return new Response(JSON.stringify(body), { status });
  }) as typeof fetch;
  const sleeps: number[] = [];
  const options: SendApiOptions = {
    baseUrl: 'https://graph.test/v21.0/',
    pageAccessToken: async () => 'page token',
    fetch: fetchFn,
    now: () => now,
    sleep: async (ms) => {
      sleeps.push(ms);
    },
    random: () => 0.5,
  };
  return { send: createSendApi(options), requests, sleeps };
}

const rateLimited: [number, unknown] = [
  400,
  {
    error: {
      message: '(#613) Calls to this api have exceeded the rate limit.',
      type: 'OAuthException',
      code: 613,
    },
  },
];
const outsideWindow: [number, unknown] = [
  400,
  {
    error: {
      message: '(#10) This message is sent outside of allowed window.',
      code: 10,
      error_subcode: 2018278,
    },
  },
];

describe('Send API adapter', () => {
  it('answers within 24 hours as RESPONSE, with quick replies, to /me/messages with the page token', async () => {
    const { send, requests } = graph([]);
    const outcome = await send({
      psid: '42',
      text: 'hi 👋',
      quickReplies: [{ title: 'Help', payload: 'help' }],
      lastUserMessageAt: now - 23 * HOUR,
    });
    expect(outcome).toEqual({ status: 'sent', messageId: 'm_ok', messagingType: 'RESPONSE' });
    expect(requests[0]?.url).toBe('https://graph.test/v21.0/me/messages?access_token=page%20token');
    expect(requests[0]?.body).toEqual({
      recipient: { id: '42' },
      messaging_type: 'RESPONSE',
      message: { text: 'hi 👋', quick_replies: [{ content_type: 'text', title: 'Help', payload: 'help' }] },
    });
  });

  it('outside the window uses a tag only when one applies, and otherwise does not call Graph', async () => {
    const tagged = graph([]);
    await tagged.send({
      psid: '42',
      text: 'due',
      lastUserMessageAt: now - 25 * HOUR,
      tag: 'CONFIRMED_EVENT_UPDATE',
    });
    expect(tagged.requests[0]?.body).toMatchObject({
      messaging_type: 'MESSAGE_TAG',
      tag: 'CONFIRMED_EVENT_UPDATE',
    });

    const untagged = graph([]);
    expect(await untagged.send({ psid: '42', text: 'hello', lastUserMessageAt: now - 25 * HOUR })).toEqual({
      status: 'outside-window',
    });
    expect(untagged.requests).toEqual([]);
  });

  it('falls back to the tag when Graph refuses for the window, and reports outside-window without one', async () => {
    const tagged = graph([outsideWindow]);
    const outcome = await tagged.send({ psid: '42', text: 'due', tag: 'ACCOUNT_UPDATE' });
    expect(outcome).toMatchObject({ status: 'sent', messagingType: 'MESSAGE_TAG' });
    expect(tagged.requests.map((request) => request.body.messaging_type)).toEqual([
      'RESPONSE',
      'MESSAGE_TAG',
    ]);

    const untagged = graph([outsideWindow]);
    expect(await untagged.send({ psid: '42', text: 'hello' })).toEqual({ status: 'outside-window' });
  });

  it('backs off exponentially on rate limits and server errors, then succeeds', async () => {
    const { send, requests, sleeps } = graph([rateLimited, [500, {}], rateLimited]);
    expect(await send({ psid: '42', text: 'x' })).toMatchObject({ status: 'sent' });
    expect(requests).toHaveLength(4);
    expect(sleeps).toEqual([100, 200, 400]);
  });

  it('gives up after the last attempt, and does not retry errors that retrying cannot fix', async () => {
    const limited = graph([rateLimited, rateLimited, rateLimited, rateLimited]);
    expect(await limited.send({ psid: '42', text: 'x' })).toMatchObject({
      status: 'failed',
      error: { status: 400, code: 613 },
    });
    const unknownUser = graph([
      [400, { error: { message: '(#100) No matching user found', code: 100, error_subcode: 2018001 } }],
    ]);
    expect(await unknownUser.send({ psid: '42', text: 'x' })).toMatchObject({
      status: 'failed',
      error: { code: 100 },
    });
    expect(unknownUser.requests).toHaveLength(1);
  });
});
