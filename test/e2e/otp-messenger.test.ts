/**
 * Email login through Messenger, on the local cloud running the real app: a person types `login <email>` in a
 * signed delivery, reads the code from the local SES inbox and types it back; the answers are what the Graph
 * stand-in recorded, OtpVerified is read from the bus through an SQS tap, the link from the table.
 */
import { EventBridgeClient, ListRulesCommand, ListTargetsByRuleCommand } from '@aws-sdk/client-eventbridge';
import { beforeAll, describe, expect, it } from 'vitest';
import { signDelivery } from '../../functions/shared/messenger/signature';
import { delivery, textMessage } from '../fixtures/messenger/deliveries';
import { TEST_START, useTestCloud } from '../support/local-cloud';
import { eventually } from '../support/polling';
import { BUS, otpDriver } from '../workflows/otp-helpers';

const APP_SECRET = 'aurora-dev-app-secret';

const test = useTestCloud({ app: true });
let otp: ReturnType<typeof otpDriver>;
/** Each message a little later than the last, as a person types them. */
let sentAt = TEST_START;

beforeAll(() => {
  otp = otpDriver(test);
});

/** Types one message as `psid`, signed as Meta signs deliveries. */
async function say(psid: string, text: string): Promise<void> {
  sentAt += 1000;
  // Meta's side of the 24-hour window: the person wrote to the Page.
  await fetch(`${test.cloud.edgeUrl}/_aurora/messenger/inbound`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ psid, at: sentAt }),
  });
  const body = JSON.stringify(delivery([textMessage(psid, text, sentAt)]));
  const response = await fetch(`${test.cloud.apiUrl}/webhook`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-hub-signature-256': signDelivery(body, APP_SECRET) },
    body,
  });
  expect(response.status).toBe(200);
}

/** Waits for the bot's reply that matches `pattern` (the Graph stand-in records every accepted send). */
function replyMatching(psid: string, pattern: RegExp): Promise<string> {
  return eventually(
    async () => {
      const response = await fetch(`${test.cloud.edgeUrl}/_aurora/messenger/sent?psid=${psid}`);
      const sent = (await response.json()) as Array<{ message?: { text?: string } }>;
      return sent.map((send) => send.message?.text ?? '').find((text) => pattern.test(text));
    },
    20_000,
    `a reply to ${psid} matching ${pattern}`,
  );
}

describe('login through Messenger', () => {
  it('links the person to the address whose emailed code they type, after telling them a wrong code', async () => {
    const psid = '7100000000000001';
    const email = 'ada@example.com';
    const authEvents = await otp.watchAuthEvents();
    await say(psid, `login ${email}`);
    await replyMatching(psid, /^If ada@example\.com can receive email, a 6-digit code is on its way/);
    const code = await otp.codeFor(email);

    // A second request inside the 11-second throttle window: the workflow says how long to wait.
    await say(psid, `login ${email}`);
    await replyMatching(psid, /^Please wait \d+ seconds before asking for another code\.$/);

    await say(psid, String((Number(code) + 1) % 1e6).padStart(6, '0'));
    await replyMatching(psid, /^That code is not right\. 4 attempts left\.$/);

    await say(psid, code);
    await replyMatching(psid, /^You are signed in as ada@example\.com\.$/);

    const verified = await eventually(
      async () => (await authEvents()).find((event) => event['detail-type'] === 'OtpVerified')?.detail,
      20_000,
      'OtpVerified',
    );
    expect(verified).toMatchObject({
      email,
      psid,
      channel: 'messenger',
      userId: expect.stringMatching(/^[0-9A-Z]{26}$/),
    });
    const userId = String(verified.userId);
    expect(await otp.item({ PK: `PSID#${psid}`, SK: 'PSID' })).toMatchObject({ userId });
    expect(await otp.item({ PK: `EMAIL#${email}`, SK: 'EMAIL' })).toMatchObject({ userId });
    const profile = await otp.item({ PK: `USER#${userId}`, SK: 'PROFILE' });
    expect(profile).toMatchObject({ email, psid });
    // The login is complete: the same digits typed again are not taken for a code.
    expect(profile).not.toHaveProperty('pendingLoginEmail');
    await say(psid, code);
    await replyMatching(psid, /^I was not expecting a code\./);
  });

  it('routes OtpRequested and OtpCodeSubmitted with retries, then to the workflows stack dead-letter queue', async () => {
    const events = new EventBridgeClient(test.clientConfig);
    const { Rules = [] } = await events.send(new ListRulesCommand({ EventBusName: BUS }));
    for (const detailType of ['OtpRequested', 'OtpCodeSubmitted']) {
      const rule = Rules.find((candidate) => candidate.EventPattern?.includes(`"${detailType}"`));
      const { Targets = [] } = await events.send(
        new ListTargetsByRuleCommand({ Rule: rule?.Name, EventBusName: BUS }),
      );
      expect(Targets, detailType).toEqual([
        expect.objectContaining({
          RetryPolicy: { MaximumRetryAttempts: 4, MaximumEventAgeInSeconds: 3600 },
          DeadLetterConfig: { Arn: expect.stringMatching(/:aurora-dev-otp-rule-targets-dlq$/) },
        }),
      ]);
    }
    events.destroy();
  });
});
