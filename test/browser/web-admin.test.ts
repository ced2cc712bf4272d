/**
 * The web app's admin pages in Chromium against a local cloud: an address granted the admin role with the CLI
 * signs in and sees the Admin entry; it finds another person by email, locks them (their code request is then
 * refused with 429) and unlocks them, disables and enables them, lists the lockouts and reads the analytics.
 * A person without the role sees no Admin entry, and the API's 403 is shown plainly. Every page is scanned
 * with axe-core and photographed into test-artifacts/web/, at desktop and phone widths.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, it } from 'vitest';
import { runAdminCli } from '../support/admin-cli';
import { scanAndCapture } from '../support/page-checks';
import { postJson, signIn as signInOverRest } from '../support/sign-in';
import { useWebApp } from '../support/web-app';

const ADMIN = 'boss@example.com';
const PERSON = 'someone@example.com';
const PHONE = { width: 375, height: 740 };

const pageWidth = (page: Page) => page.evaluate('document.documentElement.scrollWidth');

describe('web app admin pages', () => {
  const web = useWebApp();
  const { contexts, openPage } = web;

  const runAdmin = (...args: string[]) => runAdminCli(web.cloud.edgeUrl, ...args);

  /** Moves the manual clock past the one-code-per-11-seconds limit of an address. */
  const passCodeInterval = () => web.advanceClock('PT15S');

  const requestCode = async (email: string) => {
    await passCodeInterval();
    return postJson(web.cloud.apiUrl, '/auth/otp/request', { email });
  };

  /** Signs in through the sign-in page with the code from the local SES inbox; ends on the calendar. */
  const signIn = async (page: Page, email: string) => {
    await passCodeInterval();
    await web.signIn(page, email);
    await page.getByRole('heading', { name: 'Calendar', level: 1 }).waitFor();
  };

  const openAdmin = async (page: Page, section: 'Users' | 'Lockouts' | 'Analytics') => {
    await page.getByRole('navigation', { name: 'Admin' }).getByRole('link', { name: section }).click();
    await page.getByRole('heading', { name: section, level: 1 }).waitFor();
    // The analytics page waits for a query (a cold function and DuckDB on a busy machine).
    await expect.poll(() => page.locator('.loading').count(), { timeout: 30_000 }).toBe(0);
  };

  const announced = (page: Page) => page.locator('#announcer').textContent();

  beforeAll(async () => {
    await runAdmin('grant', ADMIN);
  });

  it('shows a person without the admin role no Admin entry, and the 403 as "not an admin"', async () => {
    const page = await openPage({ width: 1280, height: 900 });
    await signIn(page, PERSON);
    const main = page.getByRole('navigation', { name: 'Main' });
    expect(await main.getByRole('link', { name: 'Calendar' }).count()).toBe(1);
    expect(await main.getByRole('link', { name: 'Admin' }).count()).toBe(0);

    await page.goto(`${web.webUrl}/#/admin/users`);
    await expect.poll(() => page.getByRole('alert').textContent()).toContain('You are not an admin.');
    await scanAndCapture(page, 'admin-forbidden', { fullPage: true });
  });

  it('finds a person by email, locks and unlocks, disables and enables them', async () => {
    const page = await openPage({ width: 1280, height: 900 });
    await signIn(page, ADMIN);
    await page.getByRole('navigation', { name: 'Main' }).getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    const rows = page.locator('.data-table tbody tr');
    // Newest sign-up first: the admin signed up after the person.
    await expect.poll(() => rows.locator('th').allTextContents()).toEqual([ADMIN, PERSON]);
    await scanAndCapture(page, 'admin-users', { fullPage: true });

    // Any case finds the address; a PSID nobody has finds no one.
    await page.getByLabel('Email address or PSID').fill('999999');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect
      .poll(() => page.locator('.empty').textContent())
      .toBe('No user has the address or PSID 999999.');
    await page.getByLabel('Email address or PSID').fill('SomeOne@Example.com');
    await page.getByRole('button', { name: 'Search' }).click();
    await expect.poll(() => rows.locator('th').allTextContents()).toEqual([PERSON]);
    await page.getByRole('link', { name: PERSON }).click();
    await page.getByRole('heading', { name: PERSON, level: 1 }).waitFor();
    await expect.poll(() => page.getByText('Sign-in is not locked.').count()).toBe(1);
    expect(await page.locator('.facts').textContent()).toContain('RolePerson');
    await scanAndCapture(page, 'admin-user', { fullPage: true });

    // Lock for 30 minutes with a reason: the person's next code request is refused.
    await page.getByRole('button', { name: 'Lock…' }).click();
    const lock = page.getByRole('dialog', { name: `Lock ${PERSON}` });
    await lock.getByLabel('Minutes').fill('0');
    await lock.getByRole('button', { name: 'Lock sign-in' }).click();
    await expect
      .poll(() => lock.locator('#action-minutes-error').textContent())
      .toBe('Enter whole minutes from 1 to 10080.');
    await lock.getByLabel('Minutes').fill('30');
    await lock.getByLabel('Reason (optional)').fill('Reported abuse');
    await scanAndCapture(page, 'admin-lock-dialog', { fullPage: true });
    await lock.getByRole('button', { name: 'Lock sign-in' }).click();
    await lock.waitFor({ state: 'detached' });
    await expect.poll(() => announced(page)).toBe(`${PERSON} is locked for 30 minutes.`);
    await expect
      .poll(() => page.getByRole('region', { name: 'Access' }).textContent())
      .toMatch(/Sign-in is locked until .* by boss@example\.com: Reported abuse/);
    const refused = await requestCode(PERSON);
    expect(refused).toMatchObject({ status: 429, body: { status: 'locked' } });

    await openAdmin(page, 'Lockouts');
    await expect.poll(() => rows.locator('th').allTextContents()).toEqual([PERSON]);
    expect(await rows.first().textContent()).toContain('Locked by an admin');
    await scanAndCapture(page, 'admin-lockouts', { fullPage: true });

    await page.getByRole('link', { name: PERSON }).click();
    await page.getByRole('button', { name: 'Unlock' }).click();
    await expect.poll(() => page.getByText('Sign-in is not locked.').count()).toBe(1);
    await expect.poll(() => announced(page)).toBe(`${PERSON} was unlocked.`);
    expect((await requestCode(PERSON)).status).toBe(202);

    // Disable asks first; Escape backs out with nothing changed.
    await page.getByRole('button', { name: 'Disable…' }).click();
    const disable = page.getByRole('dialog', { name: `Disable ${PERSON}?` });
    await disable.waitFor();
    await page.keyboard.press('Escape');
    await disable.waitFor({ state: 'detached' });
    await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe('Disable…');
    await page.getByRole('button', { name: 'Disable…' }).click();
    await disable.getByLabel('Reason (optional)').fill('Left the company');
    await disable.getByRole('button', { name: 'Disable account' }).click();
    await disable.waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('.facts').textContent()).toMatch(/StatusDisabled since/);
    await expect.poll(() => announced(page)).toBe(`${PERSON} was disabled.`);
    await scanAndCapture(page, 'admin-user-disabled', { fullPage: true });
    await page.getByRole('button', { name: 'Enable' }).click();
    await expect.poll(() => page.locator('.facts').textContent()).toContain('StatusActive');
  });

  it('deletes a person only after the confirmation', async () => {
    const leaver = 'leaver@example.com';
    await passCodeInterval();
    await signInOverRest(web.cloud, leaver);
    const page = contexts[1]?.pages()[0];
    if (!page) throw new Error('the admin’s page is gone');
    await openAdmin(page, 'Users');
    await page.getByRole('link', { name: leaver }).click();
    await page.getByRole('heading', { name: leaver, level: 1 }).waitFor();
    await page.getByRole('button', { name: 'Delete…' }).click();
    const confirm = page.getByRole('dialog', { name: `Delete ${leaver}?` });
    await scanAndCapture(page, 'admin-delete-dialog', { fullPage: true });
    await confirm.getByRole('button', { name: 'Cancel' }).click();
    await confirm.waitFor({ state: 'detached' });
    await page.getByRole('button', { name: 'Delete…' }).click();
    await confirm.getByRole('button', { name: 'Delete everything' }).click();

    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    await expect.poll(() => announced(page)).toBe(`${leaver} was deleted.`);
    await page.getByLabel('Email address or PSID').fill(leaver);
    await page.getByRole('button', { name: 'Search' }).click();
    await expect
      .poll(() => page.locator('.empty').textContent())
      .toBe(`No user has the address or PSID ${leaver}.`);
  });

  it('shows the analytics of the last 7 days as tiles and charts with their numbers', async () => {
    const page = contexts[1]?.pages()[0];
    if (!page) throw new Error('the admin’s page is gone');
    await openAdmin(page, 'Analytics');
    // The cloud's today is 22 November 2026.
    expect(await page.getByLabel('From', { exact: true }).inputValue()).toBe('2026-11-16');
    expect(await page.getByLabel('To', { exact: true }).inputValue()).toBe('2026-11-22');
    await page.getByRole('heading', { name: 'Totals, 2026-11-16 to 2026-11-22' }).waitFor();
    expect(await page.locator('.kpi').count()).toBe(16);
    const charts = page.getByRole('img');
    expect(
      await charts.evaluateAll((images) => images.map((image) => image.querySelector('title')?.textContent)),
    ).toEqual(['Messages per day', 'Sign-ins per day', 'Reminders per day', 'Reminder lateness per day']);
    // Each chart's numbers, one row a day.
    await page.getByText('Table of the numbers').first().click();
    expect(await page.locator('.chart').first().locator('tbody tr').count()).toBe(7);
    await scanAndCapture(page, 'admin-analytics', { fullPage: true });

    // A range the API refuses is caught before it is sent.
    await page.getByLabel('From', { exact: true }).fill('2026-11-23');
    await page.getByRole('button', { name: 'Show' }).click();
    await expect
      .poll(() => page.getByRole('alert').textContent())
      .toBe('The first day must not be after the last.');
  });

  it('fits a phone: users, a user, lockouts and analytics', async () => {
    const page = await openPage(PHONE);
    await signIn(page, ADMIN);
    await page.getByRole('link', { name: 'Admin' }).click();
    await page.getByRole('heading', { name: 'Users', level: 1 }).waitFor();
    await expect.poll(() => page.locator('.loading').count()).toBe(0);
    expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await scanAndCapture(page, 'phone-admin-users', { fullPage: true });

    await page.getByRole('link', { name: PERSON }).click();
    await page.getByRole('heading', { name: PERSON, level: 1 }).waitFor();
    await expect.poll(() => page.locator('.facts').count()).toBe(1);
    expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await scanAndCapture(page, 'phone-admin-user', { fullPage: true });

    await openAdmin(page, 'Lockouts');
    expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await scanAndCapture(page, 'phone-admin-lockouts', { fullPage: true });

    await openAdmin(page, 'Analytics');
    await page.getByRole('heading', { name: 'Per day', exact: true }).waitFor();
    expect(await pageWidth(page)).toBeLessThanOrEqual(PHONE.width);
    await scanAndCapture(page, 'phone-admin-analytics', { fullPage: true });
  });

  it('pages through the users with Load more', async () => {
    // 25 more people: with the admin and the person, one more than a page.
    const readers = Array.from({ length: 25 }, (_, index) => `reader-${index}@example.com`);
    await Promise.all(readers.map((email) => signInOverRest(web.cloud, email)));
    const page = contexts[1]?.pages()[0];
    if (!page) throw new Error('the admin’s page is gone');
    await openAdmin(page, 'Users');
    const rows = page.locator('.data-table tbody tr');
    await expect.poll(() => rows.count()).toBe(25);
    await page.getByRole('button', { name: 'Load more' }).click();
    await expect.poll(() => rows.count()).toBe(27);
    await expect.poll(() => announced(page)).toBe('2 more users shown.');
    expect(await rows.locator('th').last().textContent()).toBe(PERSON);
    expect(await page.getByRole('button', { name: 'Load more' }).count()).toBe(0);
  });
});
