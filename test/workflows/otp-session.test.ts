/**
 * The OTP session workflow on the local engine, through a started local cloud running the real app: every
 * path of issue 7, driven by events on the bus and the manual clock, observed through the SES inbox, the
 * table, the bus and the execution history.
 */
import {
  DeleteFunctionConcurrencyCommand,
  LambdaClient,
  PutFunctionConcurrencyCommand,
} from '@aws-sdk/client-lambda';
import { beforeAll, describe, expect, it } from 'vitest';
import { LAMBDA_TRANSIENT_RETRY } from '../../infra/constructs/workflow-definition';
import { useTestCloud } from '../support/local-cloud';
import { eventually } from '../support/polling';
import { otpDriver } from './otp-helpers';

const test = useTestCloud({ app: true });
let otp: ReturnType<typeof otpDriver>;

beforeAll(() => {
  otp = otpDriver(test);
});

const wrongCode = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');
const minutes = (count: number) => count * 60_000;
/** The deployed name of the function whose logical id starts with `prefix`. */
const functionName = (prefix: string): string => {
  const found = test.cloud.deployment.resources.find(
    (resource) => resource.type === 'AWS::Lambda::Function' && resource.logicalId.startsWith(prefix),
  );
  if (!found) throw new Error(`no function ${prefix}`);
  return found.identity.ref;
};

describe('OTP session workflow', () => {
  it('emails a code and verifies it: the identity is linked and OtpVerified published', async () => {
    const email = 'ann@example.com';
    const collected = await otp.watchAuthEvents();
    const requestId = await otp.request(email);
    expect(await otp.outcome(email, requestId)).toMatchObject({ outcome: 'sent' });
    const [mail] = await otp.mails(email);
    expect(mail?.subject).toMatch(/\d{6}/);
    expect(mail?.text).toMatch(/until \d{4}-\d{2}-\d{2} \d{2}:\d{2} UTC/);
    expect(mail?.html).toContain('<strong>');
    expect(mail?.html).not.toMatch(/<img|href=/);
    const code = await otp.codeFor(email);
    const session = await otp.session(email);
    expect(JSON.stringify(session)).not.toContain(code);
    expect(session?.codeHmac).toMatch(/^[0-9a-f]{64}$/);

    const submissionId = await otp.submit(email, code);
    const verified = await otp.outcome(email, submissionId);
    expect(verified).toMatchObject({ outcome: 'verified', userId: expect.stringMatching(/^[0-9A-Z]{26}$/) });
    expect(await otp.item({ PK: `EMAIL#${email}`, SK: 'EMAIL' })).toMatchObject({ userId: verified.userId });
    expect(await otp.item({ PK: `USER#${verified.userId}`, SK: 'PROFILE' })).toMatchObject({ email });
    const published = await eventually(async () => {
      const seen = await collected();
      return seen.find((event) => event['detail-type'] === 'OtpVerified');
    });
    expect(published.detail).toMatchObject({ email, userId: verified.userId, channel: 'web' });

    const story = await eventually(async () => {
      const found = await otp.story(requestId);
      return found.status === 'SUCCEEDED' ? found : undefined;
    });
    expect(story.states).toEqual([
      'Requested',
      'ClaimSession',
      'IssueCode',
      'CodeSent?',
      'TellSent',
      'WaitForCode',
      'VerifyCode',
      'CodeRight?',
      'LinkIdentity',
      'PublishVerified',
      'TellVerified',
    ]);

    // Single use: the same code again finds no session waiting.
    const again = await otp.submit(email, code);
    expect(await otp.outcome(email, again)).toMatchObject({ outcome: 'no-session' });
  });

  it('counts a wrong code, tells how many attempts remain, and accepts the right one after', async () => {
    const email = 'ben@example.com';
    const requestId = await otp.request(email);
    await otp.outcome(email, requestId);
    const code = await otp.codeFor(email);
    const wrong = await otp.submit(email, wrongCode(code));
    expect(await otp.outcome(email, wrong)).toMatchObject({ outcome: 'wrong', attemptsLeft: 4 });
    const right = await otp.submit(email, code);
    expect(await otp.outcome(email, right)).toMatchObject({ outcome: 'verified' });
    const story = await otp.story(requestId);
    expect(story.states.filter((state) => state === 'VerifyCode')).toHaveLength(2);
    expect(story.states).toContain('TellWrong');
  });

  it('locks the address on the 5th wrong code, publishes UserLockedOut and ends the session', async () => {
    const email = 'cat@example.com';
    const collected = await otp.watchAuthEvents();
    const requestId = await otp.request(email);
    await otp.outcome(email, requestId);
    const code = await otp.codeFor(email);
    const answers = [];
    for (let attempt = 1; attempt <= 5; attempt++) {
      answers.push(await otp.outcome(email, await otp.submit(email, wrongCode(code))));
    }
    expect(answers.map((answer) => answer.attemptsLeft ?? answer.outcome)).toEqual([4, 3, 2, 1, 'locked']);
    const lockedUntil = answers[4]?.lockedUntil as string;
    expect(Date.parse(lockedUntil) - test.cloud.clock.now()).toBeGreaterThan(minutes(14));
    expect(await otp.item({ PK: `EMAIL#${email}`, SK: 'LOCK' })).toMatchObject({
      lockedUntil,
      GSI2PK: 'LOCKOUTS',
    });
    const lockout = await eventually(async () =>
      (await collected()).find((event) => event['detail-type'] === 'UserLockedOut'),
    );
    expect(lockout.detail).toMatchObject({ email, failedAttempts: 5, lockedUntil });

    // The right code after the lock is refused too.
    const late = await otp.submit(email, code);
    expect(await otp.outcome(email, late)).toMatchObject({ outcome: 'locked' });
    const story = await otp.story(requestId);
    expect(story.status).toBe('SUCCEEDED');
    expect(story.states.slice(-3)).toEqual(['RecordLockout', 'PublishLockedOut', 'TellLocked']);
  });

  it('refuses a locked address asking again until the lock ends', async () => {
    const email = 'cat@example.com';
    const refused = await otp.request(email);
    expect(await otp.outcome(email, refused)).toMatchObject({ outcome: 'locked' });
    const before = (await otp.mails(email)).length;
    test.cloud.clock.advanceBy(minutes(16));
    const accepted = await otp.request(email);
    expect(await otp.outcome(email, accepted)).toMatchObject({ outcome: 'sent' });
    expect((await otp.mails(email)).length).toBe(before + 1);
  });

  it('expires the session after 15 minutes: reset, SessionExpired published, the person told', async () => {
    const email = 'dan@example.com';
    const collected = await otp.watchAuthEvents();
    const requestId = await otp.request(email);
    await otp.outcome(email, requestId);
    const code = await otp.codeFor(email);
    await eventually(async () => ((await otp.session(email))?.taskToken ? true : undefined));
    test.cloud.clock.advanceBy(minutes(15) + 1000);
    const expired = await eventually(async () =>
      (await collected()).find(
        (event) => event['detail-type'] === 'SessionExpired' && event.detail.email === email,
      ),
    );
    expect(expired.detail).toMatchObject({ email, channel: 'web' });
    const session = await otp.session(email);
    expect(session).toMatchObject({ state: 'expired' });
    expect(session?.codeHmac).toBeUndefined();
    // The person who asked is told: their request's answer turns from "sent" to "expired".
    await eventually(async () =>
      (await otp.outcome(email, requestId)).outcome === 'expired' ? true : undefined,
    );
    const late = await otp.submit(email, code);
    expect(await otp.outcome(email, late)).toMatchObject({ outcome: 'no-session' });
  });

  it('throttles a second request inside 11 seconds and says how long to wait', async () => {
    const email = 'eve@example.com';
    const first = await otp.request(email);
    expect(await otp.outcome(email, first)).toMatchObject({ outcome: 'sent' });
    test.cloud.clock.advanceBy(4000);
    const second = await otp.request(email);
    expect(await otp.outcome(email, second)).toMatchObject({ outcome: 'throttled', retryAfterSeconds: 7 });
    expect(await otp.mails(email)).toHaveLength(1);
    test.cloud.clock.advanceBy(7000);
    const third = await otp.request(email);
    expect(await otp.outcome(email, third)).toMatchObject({ outcome: 'sent' });
    expect(await otp.mails(email)).toHaveLength(2);
  });

  it('sends exactly one email for 20 concurrent requests; the others are told to wait', async () => {
    const email = 'fay@example.com';
    const ids = await Promise.all(Array.from({ length: 20 }, () => otp.request(email)));
    const outcomes = await Promise.all(ids.map((id) => otp.outcome(email, id, 40_000)));
    expect(outcomes.filter((outcome) => outcome.outcome === 'sent')).toHaveLength(1);
    expect(outcomes.filter((outcome) => outcome.outcome === 'throttled')).toHaveLength(19);
    expect(await otp.mails(email)).toHaveLength(1);
  });

  it('counts exactly 5 of 50 concurrent wrong codes and locks the address', async () => {
    const email = 'gus@example.com';
    const collected = await otp.watchAuthEvents();
    const requestId = await otp.request(email);
    await otp.outcome(email, requestId);
    const code = await otp.codeFor(email);
    const ids = await Promise.all(Array.from({ length: 50 }, () => otp.submit(email, wrongCode(code))));
    const outcomes = await Promise.all(ids.map((id) => otp.outcome(email, id, 50_000)));
    const counted = outcomes.filter((outcome) => outcome.outcome === 'wrong');
    expect(counted.map((outcome) => outcome.attemptsLeft).sort()).toEqual([1, 2, 3, 4]);
    expect(outcomes.filter((outcome) => outcome.outcome === 'locked')).toHaveLength(46);
    expect(await otp.session(email)).toMatchObject({ attempts: 5, state: 'locked' });
    const lockouts = await eventually(async () => {
      const found = (await collected()).filter((event) => event['detail-type'] === 'UserLockedOut');
      return found.length > 0 ? found : undefined;
    });
    expect(lockouts).toHaveLength(1);
  }, 120_000);

  it('retries a throttled Lambda call by the shared policy and the session still completes', async () => {
    const email = 'hal@example.com';
    const lambda = new LambdaClient(test.clientConfig);
    const issue = functionName('OtpIssue');
    // Reserved concurrency 0: every synchronous invocation of the issue function is throttled.
    await lambda.send(
      new PutFunctionConcurrencyCommand({ FunctionName: issue, ReservedConcurrentExecutions: 0 }),
    );
    const requestId = await otp.request(email);
    const transient = LAMBDA_TRANSIENT_RETRY.flatMap((retrier) => retrier.ErrorEquals);
    const [throttled] = await eventually(async () => {
      const story = await otp.story(requestId).catch(() => undefined);
      return story?.taskErrors.length ? story.taskErrors : undefined;
    });
    expect(throttled).toBe('Lambda.TooManyRequestsException');
    expect(transient).toContain(throttled);
    await lambda.send(new DeleteFunctionConcurrencyCommand({ FunctionName: issue }));
    // The shared policy's first retry waits 1 second, on the workflow's clock.
    test.cloud.clock.advanceBy(1000);
    expect(await otp.outcome(email, requestId)).toMatchObject({ outcome: 'sent' });
    const submissionId = await otp.submit(email, await otp.codeFor(email));
    expect(await otp.outcome(email, submissionId)).toMatchObject({ outcome: 'verified' });
    const story = await eventually(async () => {
      const found = await otp.story(requestId);
      return found.status === 'SUCCEEDED' ? found : undefined;
    });
    // Retried inside the state: IssueCode is entered once.
    expect(story.states.filter((state) => state === 'IssueCode')).toHaveLength(1);
    expect(story.states.at(-1)).toBe('TellVerified');
    lambda.destroy();
  });
});
