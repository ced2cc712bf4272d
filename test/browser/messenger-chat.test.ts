/**
 * The chat page on the edge of a local cloud running the real app: a person types `help` as a Messenger
 * user; the page signs the delivery and posts it to the webhook as Meta would; the bot's answer appears.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SIGNATURE_HEADER, signDelivery } from '../../functions/shared/messenger/signature';
import { launchChromium } from '../support/browser';
import { useTestCloud } from '../support/local-cloud';

/** The local cloud's dev default (MESSENGER_APP_SECRET unset). */
const APP_SECRET = 'aurora-dev-app-secret';

describe('Messenger chat page', () => {
  const test = useTestCloud({ app: true });
  let browser: Browser;

  beforeAll(async () => {
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
  });

  it('sends what the person types to the webhook and shows the bot’s answer', async () => {
    const page = await browser.newPage();
    const webhook = encodeURIComponent(`${test.cloud.apiUrl}/webhook`);
    await page.goto(`${test.cloud.edgeUrl}/_aurora/messenger?psid=5550001&webhook=${webhook}`);
    await page.getByLabel('Message').fill('help');
    await page.getByRole('button', { name: 'Send' }).click();

    await expect.poll(() => page.locator('.message.me').allTextContents()).toEqual(['help']);
    const answer = page.locator('.message.bot').first();
    await answer.waitFor({ timeout: 20_000 });
    expect(await answer.textContent()).toContain('Here is what I understand');

    // The answer's quick replies are buttons; tapping one sends its payload.
    await page.getByRole('button', { name: 'Time zone' }).click();
    await expect
      .poll(() => page.locator('.message.bot').allTextContents(), { timeout: 20_000 })
      .toContainEqual(expect.stringContaining('Your time zone is UTC'));

    const sent = (await (
      await fetch(`${test.cloud.edgeUrl}/_aurora/messenger/sent?psid=5550001`)
    ).json()) as unknown[];
    expect(sent).toHaveLength(2);

    // Only the latest answer offers quick replies, and the newest message is above the composer.
    await expect.poll(() => page.locator('.choices.quick').count()).toBe(1);
    const newest = await page.locator('.message.bot').last().boundingBox();
    const composer = await page.locator('#composer').boundingBox();
    expect((newest?.y ?? 0) + (newest?.height ?? 0)).toBeLessThanOrEqual(composer?.y ?? 0);

    // A reload shows both sides of the conversation, in order.
    await page.reload();
    await expect
      .poll(() => page.locator('.message').evaluateAll((nodes) => nodes.map((node) => node.className)))
      .toEqual(['message me', 'message bot', 'message me', 'message bot']);
    expect(await page.locator('.message.me').allTextContents()).toEqual(['help', 'Time zone']);
    await page.close();
  });

  it('opens the messaging window for a signed delivery posted straight to the webhook, as Meta posts it', async () => {
    const psid = '5550002';
    const raw = JSON.stringify({
      object: 'page',
      entry: [
        {
          id: '106793054321234',
          time: test.cloud.clock.now(),
          messaging: [
            {
              sender: { id: psid },
              recipient: { id: '106793054321234' },
              timestamp: test.cloud.clock.now(),
              message: { mid: 'm_direct_1', text: 'help' },
            },
          ],
        },
      ],
    });
    const answer = await fetch(`${test.cloud.apiUrl}/webhook`, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        [SIGNATURE_HEADER]: signDelivery(Buffer.from(raw), APP_SECRET),
      },
      body: raw,
    });
    expect(answer.status).toBe(200);
    // The bot's answer goes through: the Graph stand-in knows the person wrote.
    const conversation = async () =>
      (await (
        await fetch(`${test.cloud.edgeUrl}/_aurora/messenger/conversation?psid=${psid}`)
      ).json()) as Array<{
        from: string;
      }>;
    await expect
      .poll(async () => (await conversation()).map((entry) => entry.from), { timeout: 20_000 })
      .toEqual(['person', 'page']);
  });

  it('leaves the Graph stand-in’s own endpoints where they were', async () => {
    const sent = await fetch(`${test.cloud.edgeUrl}/_aurora/messenger/sent`);
    expect(sent.status).toBe(200);
    const unknown = await fetch(`${test.cloud.edgeUrl}/_aurora/messenger/chat/nothing`);
    expect(unknown.status).toBe(404);
  });
});
