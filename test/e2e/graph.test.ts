import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { Clock } from '../../infra/local/clock';
import { type Edge, startEdge } from '../../infra/local/edge/server';
import { GraphStandIn, type RecordedSend } from '../../infra/local/messenger/graph';
import { SesService } from '../../infra/local/ses/service';

const account = { region: 'eu-west-1', accountId: '000000000000' };
const TOKEN = 'page-token';

describe('Graph API stand-in through the edge', () => {
  let stateDir: string;
  let clock: Clock;
  let edge: Edge;

  beforeEach(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'aurora-graph-e2e-'));
    clock = new Clock('manual', Date.UTC(2030, 0, 1, 8));
    // Registered beside SES, whose `/_aurora/ses` prefix must not capture the messenger endpoints.
    edge = await startEdge({
      port: 0,
      account,
      services: [
        new SesService({ clock, stateDir, account: account.accountId, publishEvents: async () => {} }),
        new GraphStandIn({ clock, stateDir, pageAccessToken: TOKEN }),
      ],
    });
  });

  afterEach(async () => {
    await edge.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  const post = (path: string, body: unknown, headers: Record<string, string> = {}) =>
    fetch(`${edge.url}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: JSON.stringify(body),
    });

  it('answers the bot within the window, refuses after 24 hours, and lists what was sent', async () => {
    expect((await post('/_aurora/messenger/inbound', { psid: '4242' })).status).toBe(204);
    const message = { recipient: { id: '4242' }, messaging_type: 'RESPONSE', message: { text: 'Done ✓' } };
    const accepted = await post('/graph/v21.0/me/messages', message, { authorization: `Bearer ${TOKEN}` });
    expect(accepted.status).toBe(200);
    expect(await accepted.json()).toMatchObject({
      recipient_id: '4242',
      message_id: expect.stringMatching(/^m_/),
    });

    clock.advanceBy(25 * 3_600_000);
    const refused = await post(`/graph/v21.0/me/messages?access_token=${TOKEN}`, message);
    expect(refused.status).toBe(400);
    expect(await refused.json()).toMatchObject({ error: { code: 10, error_subcode: 2018278 } });

    const sent = (await (
      await fetch(`${edge.url}/_aurora/messenger/sent?psid=4242`)
    ).json()) as RecordedSend[];
    expect(sent.map((entry) => entry.message?.text)).toEqual(['Done ✓']);
  });
});
