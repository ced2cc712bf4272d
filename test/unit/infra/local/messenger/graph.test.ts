import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Clock } from '../../../../../infra/local/clock';
import { GraphStandIn, type RecordedSend } from '../../../../../infra/local/messenger/graph';
import { type ServedService, serveHttpService } from '../ses/serve-http-service';

const TOKEN = 'EAAlocal-page-token';
const HOUR = 3_600_000;

let stateDir: string;
let clock: Clock;
let graph: GraphStandIn;
let served: ServedService;

async function start(): Promise<void> {
  graph = new GraphStandIn({ clock, stateDir, pageAccessToken: TOKEN });
  served = await serveHttpService(graph);
}

interface GraphReply {
  status: number;
  body: {
    error?: { message: string; type: string; code: number; error_subcode?: number; fbtrace_id: string };
  } & Record<string, unknown>;
}

async function send(
  body: unknown,
  auth: { query?: string; bearer?: string } = { query: TOKEN },
): Promise<GraphReply> {
  const query = auth.query === undefined ? '' : `?access_token=${encodeURIComponent(auth.query)}`;
  const response = await fetch(`${served.url}/graph/v21.0/me/messages${query}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      ...(auth.bearer === undefined ? {} : { authorization: `Bearer ${auth.bearer}` }),
    },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as GraphReply['body'] };
}

async function admin(method: string, path: string, body?: unknown): Promise<Response> {
  return fetch(`${served.url}/_aurora/messenger${path}`, {
    method,
    headers: { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

const reply = (psid: string, text = 'hello') => ({
  recipient: { id: psid },
  messaging_type: 'RESPONSE',
  message: { text },
});

beforeEach(async () => {
  stateDir = mkdtempSync(join(tmpdir(), 'aurora-graph-'));
  clock = new Clock('manual', Date.parse('2030-05-01T10:00:00Z'));
  await start();
});

afterEach(async () => {
  await served.close();
  rmSync(stateDir, { recursive: true, force: true });
});

describe('Graph Send API stand-in', () => {
  it('answers a valid reply with recipient_id and an m_ message id, and records it', async () => {
    graph.recordUserMessage('111');
    const { status, body } = await send(reply('111', 'Reminder set for 9:00'));
    expect(status).toBe(200);
    expect(body.recipient_id).toBe('111');
    expect(body.message_id).toMatch(/^m_[\w-]{40,}$/);
    const sent = (await (await admin('GET', '/sent')).json()) as RecordedSend[];
    expect(sent).toEqual([
      {
        message_id: body.message_id,
        recipient: '111',
        recipient_kind: 'id',
        messaging_type: 'RESPONSE',
        message: { text: 'Reminder set for 9:00' },
        at: '2030-05-01T10:00:00.000Z',
      },
    ]);
  });

  it('refuses a missing or wrong page access token with an OAuthException, and takes a Bearer header', async () => {
    graph.recordUserMessage('111');
    const wrong = await send(reply('111'), { query: 'stolen' });
    expect(wrong.status).toBe(400);
    expect(wrong.body.error).toMatchObject({ type: 'OAuthException', code: 190 });
    expect(wrong.body.error?.fbtrace_id).toMatch(/^\S{8,}$/);
    const missing = await send(reply('111'), {});
    expect(missing.status).toBe(400);
    expect(missing.body.error).toMatchObject({ type: 'OAuthException', code: 2500 });
    expect((await send(reply('111'), { bearer: TOKEN })).status).toBe(200);
    expect(graph.sent()).toHaveLength(1);
  });

  it('refuses an unknown recipient with 100/2018001', async () => {
    const { status, body } = await send(reply('999'));
    expect(status).toBe(400);
    expect(body.error).toMatchObject({
      code: 100,
      error_subcode: 2018001,
      message: '(#100) No matching user found',
    });
  });

  it('enforces the 24-hour window on the shared clock, reopened by a new inbound message', async () => {
    const opened = await admin('POST', '/inbound', { psid: '222' });
    expect(opened.status).toBe(204);
    clock.advanceBy(24 * HOUR);
    expect((await send(reply('222'))).status).toBe(200);
    clock.advanceBy(1);
    const late = await send(reply('222'));
    expect(late.status).toBe(400);
    expect(late.body.error).toMatchObject({
      type: 'OAuthException',
      code: 10,
      error_subcode: 2018278,
      message: expect.stringMatching(/^\(#10\) This message is sent outside of allowed window\./),
    });
    const update = await send({ ...reply('222'), messaging_type: 'UPDATE' });
    expect(update.body.error?.error_subcode).toBe(2018278);
    const tagged = await send({ ...reply('222'), messaging_type: 'MESSAGE_TAG', tag: 'ACCOUNT_UPDATE' });
    expect(tagged.status).toBe(200);

    await admin('POST', '/inbound', { psid: '222', at: new Date(clock.now()).toISOString() });
    expect((await send(reply('222'))).status).toBe(200);
    expect(graph.sent('222').map((entry) => entry.messaging_type)).toEqual([
      'RESPONSE',
      'MESSAGE_TAG',
      'RESPONSE',
    ]);
  });

  it('reports validation errors as Graph does and records nothing', async () => {
    graph.recordUserMessage('111');
    const long = await send(reply('111', 'x'.repeat(2001)));
    expect(long.status).toBe(400);
    expect(long.body.error?.message).toBe(
      '(#100) Length of param message[text] must be less than or equal to 2000',
    );
    expect(graph.sent()).toEqual([]);
  });

  it('answers a sender action with recipient_id only', async () => {
    graph.recordUserMessage('111');
    const { status, body } = await send({ recipient: { id: '111' }, sender_action: 'typing_on' });
    expect(status).toBe(200);
    expect(body).toEqual({ recipient_id: '111' });
    expect(graph.sent()[0]).toMatchObject({ sender_action: 'typing_on', recipient: '111' });
  });

  it('accepts form-encoded fields carrying JSON, as curl examples send them', async () => {
    graph.recordUserMessage('111');
    const response = await fetch(`${served.url}/graph/v21.0/me/messages?access_token=${TOKEN}`, {
      method: 'POST',
      body: new URLSearchParams({
        recipient: '{"id":"111"}',
        messaging_type: 'RESPONSE',
        message: '{"text":"form"}',
      }),
    });
    expect(response.status).toBe(200);
    expect(graph.sent()[0]?.message).toEqual({ text: 'form' });
  });

  it('fails exactly the next n sends with an injected error', async () => {
    graph.recordUserMessage('111');
    const fault = {
      next: 2,
      error: { message: '(#4) Application request limit reached', code: 4 },
      status: 429,
    };
    expect((await admin('POST', '/faults', fault)).status).toBe(204);
    for (let attempt = 0; attempt < 2; attempt++) {
      const failed = await send(reply('111'));
      expect(failed.status).toBe(429);
      expect(failed.body.error).toMatchObject({
        code: 4,
        type: 'OAuthException',
        message: fault.error.message,
      });
    }
    expect((await send(reply('111'))).status).toBe(200);
    expect(graph.sent()).toHaveLength(1);
  });

  it('keeps conversations and sent messages across a restart, filters by psid, and clears', async () => {
    graph.recordUserMessage('111');
    graph.recordUserMessage('222');
    await send(reply('111', 'one'));
    await send(reply('222', 'two'));
    await served.close();
    await start();

    expect((await send(reply('111', 'three'))).status).toBe(200);
    const forOne = (await (await admin('GET', '/sent?psid=111')).json()) as RecordedSend[];
    expect(forOne.map((entry) => entry.message?.text)).toEqual(['one', 'three']);
    expect((await admin('DELETE', '/sent')).status).toBe(204);
    await served.close();
    await start();
    expect(graph.sent()).toEqual([]);
  });

  it('answers unknown Graph paths with a Graph error', async () => {
    const response = await fetch(`${served.url}/graph/v21.0/me/feed?access_token=${TOKEN}`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as GraphReply['body']).error?.type).toBe('OAuthException');
  });
});
