/**
 * The web app in Chromium against a local cloud that builds and serves it, for the browser tests: the cloud
 * and the browser for the enclosing describe block, pages whose clock starts at the cloud's, the manual clock
 * moved over the edge, and sign-in with the code from the local SES inbox.
 */
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, expect } from 'vitest';
import type { LocalCloud } from '../../infra/local/cloud';
import { launchChromium } from './browser';
import { startTestCloud, type TestCloud } from './local-cloud';
import { codeIn, inbox, mailAfter } from './sign-in';

interface Running {
  readonly test: TestCloud;
  readonly browser: Browser;
  readonly webUrl: string;
}

/** Registers the hooks; read the fields inside hooks and tests only. */
export function useWebApp() {
  let running: Running | undefined;
  /** Every context opened, in order (tests go back to an earlier one's page), closed after the tests. */
  const contexts: BrowserContext[] = [];
  const current = (): Running => {
    if (!running) throw new Error('The web app is used before its beforeAll hook started it');
    return running;
  };

  beforeAll(async () => {
    // The cloud builds web/ (when its sources changed) and serves it with a /config.json naming its API.
    const test = await startTestCloud({ config: { web: true } });
    running = { test, browser: await launchChromium(), webUrl: servedAt(test) };
  });
  afterAll(async () => {
    for (const context of contexts) await context.close();
    await running?.browser.close();
    await running?.test.stop();
  });

  const cloud = (): LocalCloud => current().test.cloud;

  /** The 6-digit code of the first mail `email` received after the `before` they had. */
  const codeFor = async (email: string, before: number): Promise<string> =>
    codeIn((await mailAfter(cloud().edgeUrl, email, before))[0]);

  return {
    get cloud(): LocalCloud {
      return cloud();
    },
    get webUrl(): string {
      return current().webUrl;
    },
    contexts,
    codeFor,

    /** A page whose clock starts at the cloud's (manual) time, so that "today" is the cloud's today. */
    async openPage(viewport: { width: number; height: number }): Promise<Page> {
      const context = await current().browser.newContext({ viewport, locale: 'en-GB', timezoneId: 'UTC' });
      contexts.push(context);
      const page = await context.newPage();
      await page.clock.setSystemTime(cloud().clock.now());
      return page;
    },

    /** Moves the cloud's manual clock by an ISO 8601 `duration`. */
    async advanceClock(duration: string): Promise<void> {
      const response = await fetch(`${cloud().edgeUrl}/_aurora/clock`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ advanceBy: duration }),
      });
      expect(response.status).toBe(200);
    },

    /** Signs in through the sign-in page with the emailed code, up to pressing "Sign in". */
    async signIn(page: Page, email: string): Promise<void> {
      await page.goto(current().webUrl);
      await page.getByRole('heading', { name: 'Sign in to Aurora Time' }).waitFor();
      const before = (await inbox(cloud().edgeUrl, email)).length;
      await page.getByLabel('Email address').fill(email);
      await page.getByRole('button', { name: 'Send code' }).click();
      await page.getByLabel('6-digit code').waitFor();
      await page.getByLabel('6-digit code').fill(await codeFor(email, before));
      await page.getByRole('button', { name: 'Sign in' }).click();
    },
  };
}

function servedAt(test: TestCloud): string {
  if (!test.cloud.webUrl) throw new Error(`The web app is not served: ${JSON.stringify(test.cloud.webApp)}`);
  return test.cloud.webUrl;
}
