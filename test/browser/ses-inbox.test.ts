import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SESv2Client, SendEmailCommand } from '@aws-sdk/client-sesv2';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Clock } from '../../infra/local/clock';
import { type Edge, startEdge } from '../../infra/local/edge/server';
import { SesService } from '../../infra/local/ses/service';
import { launchChromium } from '../support/browser';
import { edgeClientConfig } from '../support/local-cloud';

const account = { region: 'eu-west-1', accountId: '000000000000' };

describe('SES inbox page', () => {
  let stateDir: string;
  let edge: Edge;
  let browser: Browser;
  let client: SESv2Client;

  beforeAll(async () => {
    stateDir = mkdtempSync(join(tmpdir(), 'aurora-ses-browser-'));
    const ses = new SesService({
      clock: new Clock('manual', Date.UTC(2030, 0, 1)),
      stateDir,
      account: account.accountId,
      publishEvents: async () => {},
    });
    edge = await startEdge({ port: 0, services: [ses], account });
    client = new SESv2Client(edgeClientConfig(edge.url, account.region));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    client?.destroy();
    await edge?.close();
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('shows a sent mail in the inbox and opens it without running its content', async () => {
    await client.send(
      new SendEmailCommand({
        FromEmailAddress: 'no-reply@aurora.test',
        Destination: { ToAddresses: ['ann@example.org'] },
        Content: {
          Simple: {
            Subject: { Data: 'Your code <b>is</b> ready' },
            Body: {
              Text: { Data: 'Your code is 424242' },
              Html: {
                Data: '<p id="body">Code 424242</p><img src="x" onerror="parent.document.title=\'pwned\'">',
              },
            },
          },
        },
      }),
    );
    const page = await browser.newPage();
    const dialogs: string[] = [];
    page.on('dialog', (dialog) => {
      dialogs.push(dialog.message());
      void dialog.dismiss();
    });
    await page.goto(`${edge.url}/_aurora/ses`);
    const item = page.locator('li a', { hasText: 'Your code <b>is</b> ready' });
    await expect(item.textContent()).resolves.toContain('ann@example.org');
    await item.click();

    await page.locator('h2.message-subject').waitFor();
    expect(await page.locator('h2.message-subject').textContent()).toBe('Your code <b>is</b> ready');
    expect(await page.locator('pre.text-body').textContent()).toBe('Your code is 424242');
    const body = page.frameLocator('iframe[title="HTML body"]').locator('#body');
    expect(await body.textContent()).toBe('Code 424242');
    expect(await page.title()).toMatch(/^Local SES inbox/);
    expect(dialogs).toEqual([]);

    await page.locator('button', { hasText: 'Clear' }).click();
    await page.locator('li.empty').waitFor();
    await page.close();
  });
});
