/**
 * The chat page on the edge of a local cloud running the real app: a person types `help` as a Messenger
 * user; the page signs the delivery and posts it to the webhook as Meta would; the bot's answer appears.
 */
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser';
import { startTestCloud, type TestCloud } from '../support/local-cloud';

describe('Messenger chat page', () => {
  let test: TestCloud;
  let browser: Browser;

  beforeAll(async () => {
    test = await startTestCloud();
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await test?.stop();
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
    await page.close();
  });

  it('leaves the Graph stand-in’s own endpoints where they were', async () => {
    const sent = await fetch(`${test.cloud.edgeUrl}/_aurora/messenger/sent`);
    expect(sent.status).toBe(200);
    const unknown = await fetch(`${test.cloud.edgeUrl}/_aurora/messenger/chat/nothing`);
    expect(unknown.status).toBe(404);
  });
});
