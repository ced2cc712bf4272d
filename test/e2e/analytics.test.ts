/**
 * Issue 16: a scripted morning of traffic on the manual clock (sign-ins with a wrong code and a lockout,
 * people chatting, reminders set in the chat and delivered), then the admin API's KPIs for the day. The
 * local cloud runs the template's own pipeline: the bus rule → Firehose (day partitions, gzip) → the S3
 * folder → the Glue table → Athena's API executed by DuckDB, with the same SQL Athena runs. Each KPI is
 * compared with what this test counted on its own: the deliveries it posted, the Graph stand-in's sends, the
 * SES inbox, the sign-ins it made, the schedules' due times.
 */
import { describe, expect, it } from 'vitest';
import { runAdminCli } from '../support/admin-cli';
import { TEST_START, useTestCloud } from '../support/local-cloud';
import { type ScheduleView, useChat } from '../support/messenger-person';
import { eventually } from '../support/polling';
import { codeIn, mailAfter, postJson, signIn } from '../support/sign-in';

const test = useTestCloud({ app: true });
const person = useChat(test);

const post = (path: string, body: unknown) => postJson(test.cloud.apiUrl, path, body);
const latestCode = async (email: string): Promise<string> =>
  codeIn((await mailAfter(test.cloud.edgeUrl, email))[0]);

const wrong = (code: string) => String((Number(code) + 1) % 1e6).padStart(6, '0');

/** A due time from a schedule's `at(2026-11-22T09:10:00)` expression (the reminders are in UTC). */
const dueOf = (schedule: ScheduleView) => Date.parse(`${/^at\((.+)\)$/.exec(schedule.expression)?.[1]}Z`);

interface Report {
  readonly days: ReadonlyArray<Record<string, number | string | null>>;
  readonly total: Record<string, number | null>;
}

async function analytics(token: string, from: string, to: string) {
  const response = await fetch(`${test.cloud.apiUrl}/admin/analytics?from=${from}&to=${to}`, {
    headers: { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: (await response.json()) as Report };
}

const DAY = new Date(TEST_START).toISOString().slice(0, 10);

describe('admin analytics over the archived events', () => {
  it('counts a scripted morning exactly as the script did', async () => {
    // Sign-ins: three right away, one after a wrong code, one locked out by five wrong codes.
    const member = await signIn(test.cloud, 'ana@example.com');
    // Not for everyone: a member's session is refused.
    expect((await analytics(member, DAY, DAY)).status).toBe(403);
    expect((await post('/auth/otp/request', { email: 'ben@example.com' })).status).toBe(202);
    const benCode = await latestCode('ben@example.com');
    expect((await post('/auth/otp/verify', { email: 'ben@example.com', code: wrong(benCode) })).status).toBe(
      401,
    );
    expect((await post('/auth/otp/verify', { email: 'ben@example.com', code: benCode })).status).toBe(200);
    expect((await post('/auth/otp/request', { email: 'eve@example.com' })).status).toBe(202);
    const eveCode = await latestCode('eve@example.com');
    for (let attempt = 1; attempt <= 5; attempt++) {
      await post('/auth/otp/verify', { email: 'eve@example.com', code: wrong(eveCode) });
    }
    expect((await post('/auth/otp/verify', { email: 'eve@example.com', code: eveCode })).status).toBe(429);
    // Codes that gave no session: Ben's wrong one, Eve's five wrong ones and her right one refused while locked.
    const script = { codeRequests: 4 + 1, verified: 3, refusedCodes: 1 + 5 + 1, lockouts: 1, bounces: 1 };

    // Two people chat and each sets a reminder, delivered after a jump of the clock.
    const before = await person().schedules();
    await person().say('7001', 'help');
    await person().say('7002', 'help');
    await person().say('7001', 'remind me to stretch in 10 minutes');
    await person().say('7002', 'remind me to call mum in 20 minutes');
    const messagesIn = 4;
    await person().sendsMatching('7001', /^Scheduled: /);
    await person().sendsMatching('7002', /^Scheduled: /);
    const schedules = await eventually(async () => {
      const known = new Set(before.map((schedule) => schedule.name));
      const created = (await person().schedules()).filter((schedule) => !known.has(schedule.name));
      return created.length === 2 ? created : undefined;
    });
    await person().advance('PT25M');
    const [stretch] = await person().sendsMatching('7001', /^⏰ Reminder: stretch/);
    const [call] = await person().sendsMatching('7002', /^⏰ Reminder: call mum/);
    const deliveredAt = [stretch, call].map((send) => Date.parse(send?.at ?? ''));
    const lateness = schedules
      .map(dueOf)
      .sort((a, b) => a - b)
      .map((due, index) => (deliveredAt[index] ?? 0) - due);
    for (const machine of ['reminder-delivery', 'reminder-lifecycle', 'otp-session']) {
      await person().settled(`aurora-dev-${machine}`);
    }
    // A code mailed to SES's mailbox simulator bounces (requested now: its session will not expire in time).
    expect((await post('/auth/otp/request', { email: 'bounce@simulator.amazonses.com' })).status).toBe(202);
    // The admin signs in last: a session lasts 15 minutes, and the reminders took 25.
    await runAdminCli(test.cloud.edgeUrl, 'grant', 'chief@example.com');
    const admin = await signIn(test.cloud, 'chief@example.com');
    const sends = (
      (await (await fetch(`${test.cloud.edgeUrl}/_aurora/messenger/sent`)).json()) as Array<{
        message?: unknown;
      }>
    ).filter((send) => send.message !== undefined);
    const mails = (await (await fetch(`${test.cloud.edgeUrl}/_aurora/ses/messages`)).json()) as unknown[];

    // Firehose delivers after its 60-second buffer. A report that reaches into today is cached for five
    // minutes, so each look asks for a range one day longer: the day's numbers are the same in each.
    const expected = {
      messagesIn,
      messagesOut: sends.length,
      activeUsers: 3 + 2,
      loginsRequested: script.codeRequests,
      loginsVerified: script.verified,
      loginsFailed: script.refusedCodes,
      lockouts: script.lockouts,
      remindersCreated: 2,
      remindersDelivered: 2,
      remindersFailed: 0,
      remindersDropped: 0,
      emailsSent: mails.length,
      emailsBounced: script.bounces,
    };
    let looks = 0;
    const report = await eventually(
      async () => {
        await person().advance('PT1M');
        const from = new Date(TEST_START - looks++ * 86_400_000).toISOString().slice(0, 10);
        const answer = await analytics(admin, from, DAY);
        expect(answer.status).toBe(200);
        return answer.body.total.messagesOut === expected.messagesOut ? answer.body : undefined;
      },
      60_000,
      'the archived events in the report',
    );
    expect(report.total).toMatchObject(expected);
    expect(report.days.at(-1)).toEqual(expect.objectContaining({ date: DAY, ...expected }));
    const [low, high] = [Math.min(...lateness), Math.max(...lateness)];
    for (const percentile of ['latenessP50Ms', 'latenessP95Ms', 'latenessP99Ms']) {
      expect(report.total[percentile]).toBeGreaterThanOrEqual(low);
      expect(report.total[percentile]).toBeLessThanOrEqual(high);
    }
    expect(report.total.latenessP99Ms).toBeGreaterThanOrEqual(report.total.latenessP50Ms ?? 0);
  });
});
