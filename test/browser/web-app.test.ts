/**
 * The web app (web/) in Chromium against a local cloud running the real API: sign in with the emailed code,
 * create an event with an email reminder in the week view, move it, let the manual clock pass the reminder
 * and find its email, delete the event (on a refreshed session: the access token has expired by then), then
 * the reminders and settings pages, and a phone-sized run. Every page is scanned with axe-core and
 * photographed into test-artifacts/web/.
 */
import { describe, expect, it } from 'vitest';
import { scanAndCapture } from '../support/page-checks';
import { eventually } from '../support/polling';
import { inbox } from '../support/sign-in';
import { useWebApp } from '../support/web-app';

describe('web app', () => {
  const web = useWebApp();
  const { contexts, codeFor, openPage, signIn } = web;

  it('signs in, creates, moves and deletes an event whose reminder is emailed', async () => {
    const page = await openPage({ width: 1280, height: 900 });
    await page.goto(web.webUrl);
    await page.getByRole('heading', { name: 'Sign in to Aurora Time' }).waitFor();
    await scanAndCapture(page, 'sign-in');

    // A wrong code first: the page says how many attempts are left.
    const email = 'ada@example.com';
    const before = (await inbox(web.cloud.edgeUrl, email)).length;
    await page.getByLabel('Email address').fill(email);
    await page.getByRole('button', { name: 'Send code' }).click();
    const codeField = page.getByLabel('6-digit code');
    await codeField.waitFor();
    const code = await codeFor(email, before);
    await codeField.fill(code === '000000' ? '111111' : '000000');
    await page.getByRole('button', { name: 'Sign in' }).click();
    await expect
      .poll(() => page.locator('#code-error').textContent())
      .toBe('That code is not right. 4 attempts left.');
    await scanAndCapture(page, 'sign-in-wrong-code');
    await codeField.fill(code);
    await page.getByRole('button', { name: 'Sign in' }).click();

    // The week of the cloud's today (Sunday 22 November 2026), weeks starting on Monday.
    await page.locator('.fc-timeGridWeek-view').waitFor();
    await expect.poll(() => page.locator('.fc-toolbar-title').textContent()).toMatch(/16.*22 Nov.*2026/);
    await expect.poll(() => page.locator('.calendar-status').textContent()).toBe('');
    await scanAndCapture(page, 'calendar-week');

    // Select 14:00 on Sunday in the grid: the dialog opens with that half hour.
    const lane = page.locator('td.fc-timegrid-slot-lane[data-time="14:00:00"]');
    await lane.scrollIntoViewIfNeeded();
    const laneBox = await lane.boundingBox();
    const columnBox = await page.locator('td.fc-timegrid-col[data-date="2026-11-22"]').boundingBox();
    if (!laneBox || !columnBox) throw new Error('the week grid is not laid out');
    await page.mouse.click(columnBox.x + columnBox.width / 2, laneBox.y + laneBox.height / 2);
    const dialog = page.getByRole('dialog', { name: 'New event' });
    await dialog.waitFor();
    expect(await dialog.getByLabel('Starts').inputValue()).toBe('2026-11-22T14:00');
    expect(await dialog.getByLabel('Ends').inputValue()).toBe('2026-11-22T14:30');
    expect(await dialog.getByLabel('Title')).toBeTruthy();
    await expect.poll(() => page.evaluate('document.activeElement?.id')).toBe('event-title');
    await dialog.getByLabel('Title').fill('Dentist');
    await dialog.getByLabel('Ends').fill('2026-11-22T15:00');
    await dialog.getByLabel('Location (optional)').fill('Rue de Rivoli 1');
    await dialog.getByRole('button', { name: 'Add reminder' }).click();
    await dialog.getByLabel('Reminder 1', { exact: true }).selectOption('PT15M');
    expect(await dialog.getByRole('checkbox', { name: 'Email' }).isChecked()).toBe(true);
    await scanAndCapture(page, 'event-dialog');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await dialog.waitFor({ state: 'detached' });

    const event = page.locator('.fc-timegrid-col[data-date="2026-11-22"] .fc-timegrid-event', {
      hasText: 'Dentist',
    });
    await expect.poll(() => event.locator('.fc-event-time').textContent()).toBe('14:00 - 15:00');

    // Move it to 16:00 in the dialog: the end follows the start. Meanwhile another client renames it, so
    // the first save is refused (412): the dialog says so and shows the latest version.
    await event.click();
    const edit = page.getByRole('dialog', { name: 'Edit event' });
    await expect.poll(() => edit.getByLabel('Title').inputValue()).toBe('Dentist');
    const session = JSON.parse(String(await page.evaluate('sessionStorage.getItem("aurora.session")'))) as {
      accessToken: string;
    };
    const listed = (await (
      await fetch(`${web.cloud.apiUrl}/events?from=2026-11-22&to=2026-11-22`, {
        headers: { authorization: `Bearer ${session.accessToken}` },
      })
    ).json()) as { items: Array<{ eventId: string }> };
    const renamed = await fetch(`${web.cloud.apiUrl}/events/${listed.items[0]?.eventId}`, {
      method: 'PATCH',
      headers: {
        authorization: `Bearer ${session.accessToken}`,
        'content-type': 'application/json',
        'if-match': '"1"',
      },
      body: JSON.stringify({ title: 'Dentist (Dr Ng)' }),
    });
    expect(renamed.status).toBe(200);
    await edit.getByLabel('Starts').fill('2026-11-22T16:00');
    expect(await edit.getByLabel('Ends').inputValue()).toBe('2026-11-22T17:00');
    await edit.getByRole('button', { name: 'Save' }).click();
    await expect
      .poll(() => edit.getByRole('alert').textContent())
      .toContain('This event was changed somewhere else after you opened it.');
    expect(await edit.getByLabel('Title').inputValue()).toBe('Dentist (Dr Ng)');
    expect(await edit.getByLabel('Starts').inputValue()).toBe('2026-11-22T14:00');
    await edit.getByLabel('Starts').fill('2026-11-22T16:00');
    await edit.getByRole('button', { name: 'Save' }).click();
    await edit.waitFor({ state: 'detached' });
    await expect.poll(() => event.locator('.fc-event-time').textContent()).toBe('16:00 - 17:00');
    expect(await event.locator('.fc-event-title').textContent()).toBe('Dentist (Dr Ng)');
    await scanAndCapture(page, 'calendar-week-event');

    // The month shows it too (and is scanned with an event in it).
    await page.getByRole('button', { name: 'Month' }).click();
    await expect.poll(() => page.locator('.fc-daygrid-event', { hasText: 'Dentist' }).count()).toBe(1);
    await scanAndCapture(page, 'calendar-month');
    await page.getByRole('button', { name: 'Week' }).click();

    // Past 15:45: the reminder's email arrives.
    await web.advanceClock('PT7H');
    const reminderMail = await eventually(
      async () =>
        (await inbox(web.cloud.edgeUrl, email)).find((mail) => mail.subject?.startsWith('Reminder: Dentist')),
      20_000,
      'the reminder email',
    );
    expect(reminderMail.subject).toBe('Reminder: Dentist (Dr Ng) starts at 16:00');

    // The access token expired with the jump: the delete goes through on refreshed tokens.
    await event.click();
    const remove = page.getByRole('dialog', { name: 'Edit event' });
    await expect.poll(() => remove.getByLabel('Title').inputValue()).toBe('Dentist (Dr Ng)');
    await remove.getByRole('button', { name: 'Delete…' }).click();
    await remove.getByRole('button', { name: 'Delete event' }).click();
    await remove.waitFor({ state: 'detached' });
    await expect.poll(() => event.count()).toBe(0);
    expect(await page.getByRole('heading', { name: 'Calendar' }).count()).toBe(1);

    await page.getByRole('button', { name: 'Day', exact: true }).click();
    await page.locator('.fc-timeGridDay-view').waitFor();
  });

  it('sets, snoozes and cancels a reminder from a phrase', async () => {
    const page = contexts[0]?.pages()[0];
    if (!page) throw new Error('the first test’s page is gone');
    // A reload keeps the session (sessionStorage) and starts from the calendar.
    await page.goto(web.webUrl);
    await page.getByRole('link', { name: 'Reminders' }).click();
    await page.getByRole('heading', { name: 'Reminders', level: 1 }).waitFor();
    await expect.poll(() => page.locator('.empty').textContent()).toBe('No reminders are waiting.');

    // A phrase the parser cannot read is answered next to the field.
    await page.getByRole('button', { name: 'Set reminder' }).click();
    await expect
      .poll(() => page.locator('#reminder-title-error').textContent())
      .toBe('Say what to remind you of.');
    await page.getByLabel('Remind me to').fill('call mum');
    await page.getByLabel('When').fill('tomorrow at 9');
    await page.getByRole('button', { name: 'Set reminder' }).click();
    const item = page.locator('.reminder', { hasText: 'call mum' });
    await expect
      .poll(() => item.locator('.due').textContent(), { timeout: 15_000 })
      .toMatch(/23 Nov 2026.*09:00/);
    await scanAndCapture(page, 'reminders');

    await item.getByLabel('Snooze “call mum” for').selectOption('60');
    await item.getByRole('button', { name: 'Snooze “call mum”' }).click();
    await expect
      .poll(() => item.locator('.due').textContent(), { timeout: 15_000 })
      .toMatch(/23 Nov 2026.*10:00/);
    await item.getByRole('button', { name: 'Cancel reminder “call mum”' }).click();
    await expect
      .poll(() => page.locator('.empty').textContent(), { timeout: 15_000 })
      .toBe('No reminders are waiting.');
  });

  it('changes settings and makes and revokes the calendar feed', async () => {
    const page = contexts[0]?.pages()[0];
    if (!page) throw new Error('the first test’s page is gone');
    await page.goto(web.webUrl);
    await page.getByRole('link', { name: 'Settings' }).click();
    await page.getByRole('heading', { name: 'Settings', level: 1 }).waitFor();
    await scanAndCapture(page, 'settings');

    const zone = page.getByLabel('Time zone');
    await zone.fill('Mars/Olympus');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect
      .poll(() => page.locator('#settings-time-zone-error').textContent())
      .toBe('Choose a time zone from the list, like Europe/Paris.');
    await zone.fill('Europe/Paris');
    await page.getByRole('checkbox', { name: 'Quiet hours on' }).check();
    await page.getByLabel('From').fill('22:30');
    await page.getByLabel('Until').fill('07:00');
    await page.getByRole('button', { name: 'Save settings' }).click();
    await expect.poll(() => page.locator('.saved').textContent()).toBe('Saved.');

    await page.getByRole('button', { name: 'Make feed address' }).click();
    const feed = page.getByLabel('Feed address');
    await expect.poll(() => feed.inputValue()).toMatch(/\/calendar\/[^/]+\.ics$/);
    await scanAndCapture(page, 'settings-feed');
    await page.getByRole('button', { name: 'Revoke feed' }).click();
    await expect.poll(() => page.getByText('No feed address is active.').count()).toBe(1);

    // The calendar now shows Paris time.
    await page.getByRole('link', { name: 'Calendar' }).click();
    await expect.poll(() => page.locator('.zone-note').textContent()).toBe('Times in Europe/Paris');

    await page.getByRole('button', { name: 'Sign out' }).click();
    await expect.poll(() => page.getByText('You are signed out.').count()).toBe(1);
  });

  it('fits a phone: the day view, the dialog, reminders and settings', async () => {
    const page = await openPage({ width: 375, height: 740 });
    await signIn(page, 'grace@example.com');
    await page.locator('.fc-timeGridDay-view').waitFor();
    await expect.poll(() => page.locator('.calendar-status').textContent()).toBe('');
    // Nothing wider than the screen.
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await scanAndCapture(page, 'phone-day');
    await page.getByRole('button', { name: 'New event' }).click();
    await page.getByRole('dialog', { name: 'New event' }).waitFor();
    expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
    await scanAndCapture(page, 'phone-event-dialog');
    await page.keyboard.press('Escape');
    await page.getByRole('dialog').waitFor({ state: 'detached' });
    // Focus goes back to the button that opened the dialog.
    await expect.poll(() => page.evaluate('document.activeElement?.textContent')).toBe('New event');

    for (const name of ['Reminders', 'Settings']) {
      await page.getByRole('link', { name }).click();
      await page.getByRole('heading', { name, level: 1 }).waitFor();
      await expect.poll(() => page.locator('.loading').count()).toBe(0);
      expect(await page.evaluate('document.documentElement.scrollWidth')).toBeLessThanOrEqual(375);
      await scanAndCapture(page, `phone-${name.toLowerCase()}`);
    }
  });
});
