/**
 * Reminders end to end on the local cloud running the real app: a person writes to the Page in signed
 * webhook deliveries (as Meta sends them), the answers and the reminders themselves are what the Graph
 * stand-in recorded, schedules are read with the Scheduler API, mail from the local SES inbox. Time moves
 * only when the test moves the manual clock. The last test kills a separate `npm start` with SIGKILL while a
 * reminder is pending and shows that the restarted cloud delivers it exactly once.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { synthesizeCached } from '../../infra/local/synth';
import { startCliProcess } from '../support/cli-process';
import { edgeClientConfig, useTestCloud } from '../support/local-cloud';
import { type Chat, chat, type ScheduleView, useChat } from '../support/messenger-person';
import { eventually, staysFalse } from '../support/polling';
import { otpDriver } from '../workflows/otp-helpers';

const MINUTE = 60_000;

const test = useTestCloud({ app: true });
const person = useChat(test);

/** The schedules that appeared since `before` (names of an earlier listing). */
async function newSchedules(before: readonly ScheduleView[]): Promise<ScheduleView[]> {
  const known = new Set(before.map((schedule) => schedule.name));
  return (await person().schedules()).filter((schedule) => !known.has(schedule.name));
}

/** The reminder id of a schedule named `<reminderId>-v<version>`. */
const reminderIdOf = (schedule: ScheduleView): string => schedule.name.replace(/-v\d+$/, '');

/** Asks for a reminder and waits for the lifecycle's "Scheduled: …" and the one new schedule it made. */
async function schedule(psid: string, request: string, title: string): Promise<ScheduleView> {
  const before = await person().schedules();
  const confirmations = await person().countMatching(psid, /^Scheduled: /);
  await person().say(psid, `remind me to ${request}`);
  const [confirmation] = (await person().sendsMatching(psid, /^Scheduled: /, confirmations + 1)).slice(
    confirmations,
  );
  expect(confirmation?.message?.text).toMatch(new RegExp(`^Scheduled: ${escapeRegExp(title)}, `));
  const created = await eventually(
    async () => {
      const found = await newSchedules(before);
      return found.length > 0 ? found : undefined;
    },
    20_000,
    `the schedule of ${title}`,
  );
  expect(created).toHaveLength(1);
  return created[0] as ScheduleView;
}

const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const reminderPattern = (title: string) => new RegExp(`^⏰ Reminder: ${escapeRegExp(title)} \\(`);

/**
 * The latest answer of an async probe, polled in the background, so that `staysFalse` (which takes a
 * synchronous condition) can watch it; `stop` ends the polling.
 */
function watch(probe: () => Promise<boolean>): {
  readonly seen: () => boolean;
  stop: () => Promise<void>;
} {
  let seen = false;
  let stopped = false;
  const polling = (async () => {
    while (!stopped && !seen) {
      seen = await probe();
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  })();
  return {
    seen: () => seen,
    stop: async () => {
      stopped = true;
      await polling;
    },
  };
}

/** Whether the probe stays false for `windowMs` (see staysFalse: it can pass wrongly, never fail wrongly). */
async function neverWithin(probe: () => Promise<boolean>, windowMs = 750): Promise<boolean> {
  const watcher = watch(probe);
  try {
    return await staysFalse(watcher.seen, windowMs);
  } finally {
    await watcher.stop();
  }
}

/** An ISO-8601 duration that takes the clock from `from` to `to` (whole seconds, rounded up). */
const durationBetween = (from: number, to: number): string =>
  `PT${Math.max(0, Math.ceil((to - from) / 1000))}S`;

const DELIVERY = 'aurora-dev-reminder-delivery';
const LIFECYCLE = 'aurora-dev-reminder-lifecycle';

describe('reminders over Messenger', () => {
  it('schedules a reminder in the person’s zone, lists it, delivers it once and keeps quiet after', async () => {
    const psid = '7200000000000001';
    await person().say(psid, 'timezone Europe/Paris');
    await person().sendsMatching(psid, /^Time zone set to Europe\/Paris\./);

    const created = await schedule(psid, 'stretch in 10 minutes', 'stretch');
    await person().sendsMatching(psid, /^Scheduled: stretch, Sun 22 Nov 10:10 Europe\/Paris$/);
    const reminderId = reminderIdOf(created);
    expect(created.name).toBe(`${reminderId}-v1`);
    expect(reminderId).toMatch(/^[0-9A-HJKMNP-TV-Z]{26}$/);
    expect(created.timeZone).toBe('Europe/Paris');
    expect(JSON.parse(created.input)).toMatchObject({ reminderId, version: 1 });
    const stored = await person().item({ PK: `REMINDER#${reminderId}`, SK: 'REMINDER' });
    expect(stored).toMatchObject({
      title: 'stretch',
      status: 'pending',
      timeZone: 'Europe/Paris',
      version: 1,
    });
    // at() holds the due instant's wall time in Paris (UTC+1 in November), to the second.
    const dueAt = Date.parse(String(stored?.nextDueAt));
    expect(created.expression).toBe(`at(${new Date(dueAt + 60 * MINUTE).toISOString().slice(0, 19)})`);
    expect(dueAt - (await person().now())).toBeGreaterThan(9 * MINUTE);

    await person().say(psid, 'list');
    const [listing] = await person().sendsMatching(psid, /^Your reminders \(Europe\/Paris\):/);
    expect(listing?.message?.text).toMatch(/\n1\. stretch: Sun 22 Nov 10:10$/);

    await person().advance('PT11M');
    const [reminder] = await person().sendsMatching(psid, reminderPattern('stretch'));
    expect(reminder?.message?.text).toBe('⏰ Reminder: stretch (Sun 22 Nov 10:10 Europe/Paris)');
    expect(reminder?.message?.quick_replies?.map((reply) => reply.title)).toEqual([
      'Snooze 10 min',
      'Snooze 1 h',
      'Tomorrow 9:00',
      'Done',
    ]);
    expect(reminder?.message?.quick_replies?.[0]?.payload).toBe(
      `snooze ${reminderId}@${stored?.nextDueAt} 10m`,
    );
    const firings = (await person().settled(DELIVERY)).length;

    for (const jump of ['PT1H', 'P1D']) {
      await person().advance(jump);
      const again = async () => (await person().countMatching(psid, reminderPattern('stretch'))) > 1;
      expect(await neverWithin(again), jump).toBe(true);
      expect(await person().settled(DELIVERY), jump).toHaveLength(firings);
    }
    expect(await person().countMatching(psid, reminderPattern('stretch'))).toBe(1);
    expect((await person().schedules()).filter((one) => one.name.startsWith(reminderId))).toEqual([]);
    expect(await person().item({ PK: `REMINDER#${reminderId}`, SK: 'REMINDER' })).toMatchObject({
      status: 'delivered',
      lastDeliveredOccurrence: stored?.nextDueAt,
    });
  });

  it('also emails a person who linked an address, once, with the title escaped in the HTML', async () => {
    const psid = '7200000000000002';
    const email = 'bea@example.com';
    const otp = otpDriver(test);
    await person().say(psid, `login ${email}`);
    await person().sendsMatching(
      psid,
      /^If bea@example\.com can receive email, a 6-digit code is on its way/,
    );
    await person().say(psid, await otp.codeFor(email));
    await person().sendsMatching(psid, /^You are signed in as bea@example\.com\.$/);

    const title = 'check <b>taxes</b> & fees';
    const created = await schedule(psid, `${title} in 10 minutes`, title);
    const reminderId = reminderIdOf(created);
    expect(await person().item({ PK: `REMINDER#${reminderId}`, SK: 'REMINDER' })).toMatchObject({
      title,
      deliverBy: ['messenger', 'email'],
    });

    await person().advance('PT11M');
    await person().sendsMatching(psid, reminderPattern(title));
    const reminderMails = async () =>
      (await otp.mails(email)).filter((mail) => /^Reminder: /.test(mail.subject));
    const [mail] = await eventually(
      async () => ((await reminderMails()).length > 0 ? reminderMails() : undefined),
      20_000,
      `the reminder mail to ${email}`,
    );
    await person().settled(DELIVERY);
    expect(await reminderMails()).toHaveLength(1);
    expect(await person().countMatching(psid, reminderPattern(title))).toBe(1);
    expect(mail).toMatchObject({ to: [email], subject: `Reminder: ${title}` });
    const occurrence = JSON.parse(created.input).occurrence as string;
    expect(await person().item({ PK: `REMINDER#${reminderId}`, SK: `DELIVERY#${occurrence}` })).toMatchObject(
      {
        status: 'delivered',
        sent: ['messenger', 'email'],
      },
    );
    expect(mail?.text).toContain(`Reminder: ${title}\n`);
    expect(mail?.html).toContain('check &lt;b&gt;taxes&lt;/b&gt; &amp; fees');
    expect(mail?.html).not.toContain('<b>taxes');
    // The local inbox does not list headers today (SentMail has none); once it does, List-Unsubscribe is checked.
    const headers = (mail as { headers?: Record<string, string> } | undefined)?.headers;
    if (headers) expect(Object.keys(headers).map((name) => name.toLowerCase())).toContain('list-unsubscribe');
  });

  it('snoozes a delivered reminder from its "Snooze 10 min" quick reply and delivers it again once', async () => {
    const psid = '7200000000000003';
    await person().say(psid, 'timezone Europe/Paris');
    await person().sendsMatching(psid, /^Time zone set to Europe\/Paris\./);
    const created = await schedule(psid, 'drink water in 10 minutes', 'drink water');
    const reminderId = reminderIdOf(created);

    await person().advance('PT11M');
    const [delivered] = await person().sendsMatching(psid, reminderPattern('drink water'));
    await person().settled(DELIVERY);
    const snooze = delivered?.message?.quick_replies?.find((reply) => reply.title === 'Snooze 10 min');
    expect(snooze?.payload).toMatch(new RegExp(`^snooze ${reminderId}@\\S+Z 10m$`));

    const before = await person().schedules();
    await person().tap(psid, snooze?.title ?? '', snooze?.payload ?? '');
    const [snoozed] = await person().sendsMatching(psid, /^Snoozed: /);
    expect(snoozed?.message?.text).toMatch(/^Snoozed: drink water, until .+ Europe\/Paris\.$/);
    const [next] = await eventually(async () => {
      const found = await newSchedules(before);
      return found.length > 0 ? found : undefined;
    });
    expect(next?.name).toMatch(new RegExp(`^${reminderId}-v\\d+$`));
    expect(await person().countMatching(psid, reminderPattern('drink water'))).toBe(1);

    await person().advance('PT11M');
    await person().sendsMatching(psid, reminderPattern('drink water'), 2);
    await person().settled(DELIVERY);
    const third = async () => (await person().countMatching(psid, reminderPattern('drink water'))) > 2;
    expect(await neverWithin(third)).toBe(true);
    expect((await person().schedules()).filter((one) => one.name.startsWith(reminderId))).toEqual([]);
  });

  it('cancels a reminder by its number in the list, and nothing comes when it would have been due', async () => {
    const psid = '7200000000000004';
    const created = await schedule(psid, 'call mum tomorrow at 9', 'call mum');
    const reminderId = reminderIdOf(created);
    // No zone set: UTC, and the person is told how to set theirs.
    expect(created.timeZone).toBe('UTC');
    await person().sendsMatching(psid, /^Tip: tell me your time zone/);
    const stored = await person().item({ PK: `REMINDER#${reminderId}`, SK: 'REMINDER' });
    const dueAt = Date.parse(String(stored?.nextDueAt));
    expect(new Date(dueAt).toISOString()).toMatch(/T09:00:00\.000Z$/);

    await person().say(psid, 'list');
    const [listing] = await person().sendsMatching(psid, /^Your reminders \(UTC\):/);
    expect(listing?.message?.text).toMatch(/\n1\. call mum: /);
    await person().say(psid, 'cancel 1');
    await person().sendsMatching(psid, /^Cancelled: call mum\.$/);
    expect((await person().schedules()).filter((one) => one.name.startsWith(reminderId))).toEqual([]);
    expect(await person().item({ PK: `REMINDER#${reminderId}`, SK: 'REMINDER' })).toMatchObject({
      status: 'cancelled',
    });

    const firings = (await person().settled(DELIVERY)).length;
    await person().advance(durationBetween(await person().now(), dueAt + MINUTE));
    const delivered = async () => (await person().countMatching(psid, reminderPattern('call mum'))) > 0;
    expect(await neverWithin(delivered)).toBe(true);
    expect(await person().settled(DELIVERY)).toHaveLength(firings);
  });

  it('refuses an impossible date and a time that has passed, offering fixes, and schedules nothing', async () => {
    const psid = '7200000000000005';
    await person().say(psid, 'timezone Europe/Paris');
    await person().sendsMatching(psid, /^Time zone set to Europe\/Paris\./);
    // "today at 7" must have passed in Paris: move to 08:00 there if it is earlier.
    const parisHour = Number(
      new Intl.DateTimeFormat('en-GB', {
        timeZone: 'Europe/Paris',
        hour: '2-digit',
        hourCycle: 'h23',
      }).format(await person().now()),
    );
    if (parisHour < 8) await person().advance(`PT${8 - parisHour}H`);

    const schedulesBefore = (await person().schedules()).map((one) => one.name).sort();
    const requestsBefore = (await person().settled(LIFECYCLE)).length;

    await person().say(psid, 'remind me to pay rent on 31 February at 9');
    const [impossible] = await person().sendsMatching(psid, /31 February/);
    expect(impossible?.message).toEqual({
      text: '31 February does not exist.',
      quick_replies: [
        { content_type: 'text', title: '28 Feb', payload: 'remind me to pay rent on 28 Feb at 9' },
        { content_type: 'text', title: '1 Mar', payload: 'remind me to pay rent on 1 Mar at 9' },
      ],
    });

    await person().say(psid, 'remind me to x today at 7');
    const [passed] = await person().sendsMatching(psid, /has already passed/);
    expect(passed?.message).toEqual({
      text: expect.stringMatching(/^\w{3} \d{1,2} \w{3} 07:00 has already passed\.$/),
      quick_replies: [
        { content_type: 'text', title: 'Tomorrow 07:00', payload: 'remind me to x tomorrow at 07:00' },
        { content_type: 'text', title: 'In 1 hour', payload: 'remind me to x in 1 hour' },
      ],
    });

    const lifecycleStarted = async () => (await person().executions(LIFECYCLE)).length > requestsBefore;
    expect(await neverWithin(lifecycleStarted)).toBe(true);
    expect((await person().schedules()).map((one) => one.name).sort()).toEqual(schedulesBefore);
    expect(await person().countMatching(psid, /^Scheduled: /)).toBe(0);
  });
});

describe('kill -9 with a reminder pending', () => {
  const stateDir = mkdtempSync(join(tmpdir(), 'aurora-reminders-crash-'));
  const children: ChildProcess[] = [];
  const T0 = Date.parse('2026-11-22T09:00:00.000Z');

  /** `npm start`'s entry point on this state directory with a manual clock at `clockStart`, once ready. */
  async function startCli(clockStart: number): Promise<{ child: ChildProcess; chat: Chat }> {
    const { child, edgeUrl, apiUrl } = await startCliProcess(stateDir, children, [
      '--clock=manual',
      `--clock-start=${new Date(clockStart).toISOString()}`,
    ]);
    return { child, chat: chat({ edgeUrl, apiUrl, clientConfig: edgeClientConfig(edgeUrl, 'us-east-1') }) };
  }

  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
    rmSync(stateDir, { recursive: true, force: true });
  });

  it('delivers a reminder that came due while the cloud was down exactly once after the restart', async () => {
    synthesizeCached(); // neither start pays for synthesis
    const psid = '7200000000000006';
    const first = await startCli(T0);
    await first.chat.say(psid, 'remind me to stand up in 5 minutes');
    await first.chat.sendsMatching(psid, /^Scheduled: stand up, /);
    const [pending] = await eventually(async () => {
      const found = await first.chat.schedules();
      return found.length > 0 ? found : undefined;
    });
    const reminderId = reminderIdOf(pending as ScheduleView);
    first.chat.destroy();

    first.child.kill('SIGKILL');
    await new Promise((resolve) => first.child.once('exit', resolve));

    // The manual clock starts again from --clock-start: a minute after the reminder was due.
    const second = await startCli(T0 + 6 * MINUTE);
    try {
      const [delivered] = await second.chat.sendsMatching(psid, reminderPattern('stand up'));
      expect(delivered?.message?.quick_replies?.[0]?.payload).toMatch(new RegExp(`^snooze ${reminderId}@`));
      await second.chat.settled(DELIVERY);
      const twice = async () => (await second.chat.countMatching(psid, reminderPattern('stand up'))) > 1;
      expect(await neverWithin(twice, 1500)).toBe(true);
      expect(await second.chat.countMatching(psid, reminderPattern('stand up'))).toBe(1);
      expect(await second.chat.schedules()).toEqual([]);
      expect(await second.chat.item({ PK: `REMINDER#${reminderId}`, SK: 'REMINDER' })).toMatchObject({
        status: 'delivered',
      });
    } finally {
      second.chat.destroy();
      second.child.kill('SIGTERM');
    }
  });
});
