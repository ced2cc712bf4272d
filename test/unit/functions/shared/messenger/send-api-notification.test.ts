import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSendApi, type SendApi } from '../../../../../functions/shared/messenger/send-api';
import { Clock } from '../../../../../infra/local/clock';
import { GraphStandIn } from '../../../../../infra/local/messenger/graph';

const TOKEN = 'EAAlocal-page-token';
const PSID = '1254477777772919';

let stateDir: string;
let bodies: Record<string, unknown>[];
let send: SendApi;

// The adapter talks straight to the stand-in's Send API, so what it sends is what the stand-in validates.
beforeEach(() => {
  stateDir = mkdtempSync(join(tmpdir(), 'aurora-notification-'));
  const clock = new Clock('manual', Date.parse('2026-12-05T22:30:00Z'));
  const graph = new GraphStandIn({ clock, stateDir, pageAccessToken: TOKEN });
  graph.recordUserMessage(PSID);
  bodies = [];
  const fetchFn = (async (url: string, init: RequestInit) => {
    const body = JSON.parse(String(init.body)) as Record<string, unknown>;
    bodies.push(body);
    const token = new URL(url).searchParams.get('access_token') ?? undefined;
    return new Response(JSON.stringify(graph.send(token, body)), { status: 200 });
  }) as typeof fetch;
  send = createSendApi({
    baseUrl: 'https://graph.test/v21.0',
    pageAccessToken: async () => TOKEN,
    fetch: fetchFn,
    now: () => clock.now(),
  });
});

afterEach(() => {
  rmSync(stateDir, { recursive: true, force: true });
});

describe('Send API notification type', () => {
  it('sends notification_type beside messaging_type, and the stand-in accepts each value Meta documents', async () => {
    for (const notificationType of ['SILENT_PUSH', 'NO_PUSH', 'REGULAR'] as const) {
      const outcome = await send({
        psid: PSID,
        text: '⏰ Reminder: call mum',
        quickReplies: [{ title: 'Done', payload: 'done r-1' }],
        notificationType,
      });
      expect(outcome).toMatchObject({ status: 'sent', messagingType: 'RESPONSE' });
      expect(bodies.at(-1)).toMatchObject({
        messaging_type: 'RESPONSE',
        notification_type: notificationType,
      });
    }
  });

  it('leaves it out when none is given, which Graph reads as REGULAR', async () => {
    expect(await send({ psid: PSID, text: 'hi' })).toMatchObject({ status: 'sent' });
    expect(bodies[0]).not.toHaveProperty('notification_type');
  });
});
