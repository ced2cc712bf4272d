/** Email login through the REST API of the deployed app, with the code read from the local SES inbox. */
import { describe, expect, it } from 'vitest';
import { runAdminCli } from '../support/admin-cli';
import { useTestCloud } from '../support/local-cloud';
import { codeIn, mailAfter, postJson, signIn } from '../support/sign-in';

const test = useTestCloud({ app: true });

const post = (path: string, body: unknown) => postJson(test.cloud.apiUrl, path, body);
/** The code in the address's first mail (the inbox lists newest first). */
const codeFor = async (email: string): Promise<string> =>
  codeIn((await mailAfter(test.cloud.edgeUrl, email)).at(-1));

describe('POST /auth/otp/request, /auth/otp/verify, /auth/token/refresh', () => {
  it('signs a person in with the emailed code and refreshes the session', async () => {
    const email = 'Web.User@Example.com';
    const requested = await post('/auth/otp/request', { email });
    expect(requested).toMatchObject({ status: 202, body: { status: 'sent' } });

    const again = await post('/auth/otp/request', { email });
    expect(again.status).toBe(429);
    expect(again.body.message).toMatch(/^Please wait \d+ seconds/);

    const code = await codeFor('web.user@example.com');
    const wrong = await post('/auth/otp/verify', {
      email,
      code: String((Number(code) + 1) % 1e6).padStart(6, '0'),
    });
    expect(wrong).toMatchObject({ status: 401, body: { status: 'wrong-code', attemptsLeft: 4 } });

    const verified = await post('/auth/otp/verify', { email, code });
    expect(verified).toMatchObject({
      status: 200,
      body: { status: 'verified', tokenType: 'Bearer', expiresIn: 900 },
    });
    const accessToken = String(verified.body.accessToken);
    const claims = JSON.parse(Buffer.from(accessToken.split('.')[1] ?? '', 'base64url').toString()) as Record<
      string,
      unknown
    >;
    expect(claims).toMatchObject({ sub: verified.body.userId, email: 'web.user@example.com', typ: 'access' });

    const refreshed = await post('/auth/token/refresh', { refreshToken: verified.body.refreshToken });
    expect(refreshed).toMatchObject({
      status: 200,
      body: { status: 'refreshed', userId: verified.body.userId },
    });
    expect((await post('/auth/token/refresh', { refreshToken: accessToken })).status).toBe(401);
  });

  it('answers an unknown address exactly like a known one, and refuses malformed input', async () => {
    const unknown = await post('/auth/otp/request', { email: 'nobody@example.com' });
    expect(unknown).toMatchObject({ status: 202, body: { status: 'sent' } });
    expect(Object.keys(unknown.body).sort()).toEqual(['expiresAt', 'message', 'status']);
    expect((await post('/auth/otp/request', { email: 'not an address' })).status).toBe(400);
    expect((await post('/auth/otp/verify', { email: 'nobody@example.com', code: '12345' })).status).toBe(400);
  });
});

const runAdmin = (...args: string[]) => runAdminCli(test.cloud.edgeUrl, ...args);

describe('the admin role (npm run admin)', () => {
  const claimsOf = (token: string) =>
    JSON.parse(Buffer.from(token.split('.')[1] ?? '', 'base64url').toString()) as Record<string, unknown>;

  it('puts admin in the session of a granted address only, and a revoke takes it out at the refresh', async () => {
    await expect(runAdmin('grant', 'not-an-address')).rejects.toMatchObject({ code: 2 });
    const granted = await runAdmin('grant', 'Boss@Example.com');
    expect(granted.stdout).toMatch(/boss@example\.com is an admin/);
    expect((await runAdmin('list')).stdout).toMatch(/^boss@example\.com\tgranted /m);

    const admin = await signIn(test.cloud, 'boss@example.com');
    expect(claimsOf(admin)).toMatchObject({ email: 'boss@example.com', admin: true });
    const person = await signIn(test.cloud, 'someone@example.com');
    expect(claimsOf(person)).not.toHaveProperty('admin');

    await runAdmin('revoke', 'boss@example.com');
    expect((await runAdmin('list')).stdout).not.toMatch(/boss@example\.com/);
  });
});

/** The members of the admin API's answers this test reads. */
interface AdminAnswer {
  readonly items: ReadonlyArray<{ readonly userId: string }>;
  readonly nextCursor?: string;
  readonly lock?: unknown;
  readonly disabled?: boolean;
}

describe('the admin API', () => {
  const call = async (token: string | undefined, method: string, path: string, body?: unknown) => {
    const response = await fetch(`${test.cloud.apiUrl}${path}`, {
      method,
      headers: {
        ...(token ? { authorization: `Bearer ${token}` } : {}),
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
      },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as AdminAnswer };
  };
  /** Past the 11-second throttle between two code requests for one address. */
  const afterThrottle = () =>
    fetch(`${test.cloud.edgeUrl}/_aurora/clock`, {
      method: 'POST',
      body: JSON.stringify({ advanceBy: 'PT12S' }),
    });

  it('refuses non-admins, finds and shows users, locks and unlocks, disables and enables, deletes', async () => {
    await runAdmin('grant', 'chief@example.com');
    const admin = await signIn(test.cloud, 'chief@example.com');
    const person = await signIn(test.cloud, 'Member@Example.com');

    expect((await call(undefined, 'GET', '/admin/users')).status).toBe(401);
    expect(await call(person, 'GET', '/admin/users')).toMatchObject({
      status: 403,
      body: { type: '/problems/forbidden' },
    });

    const listed = await call(admin, 'GET', '/admin/users?limit=1');
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    const next = await call(admin, 'GET', `/admin/users?limit=1&cursor=${listed.body.nextCursor}`);
    expect(next.body.items[0]?.userId).not.toBe(listed.body.items[0]?.userId);
    expect((await call(admin, 'GET', '/admin/users?q=not%20a%20thing')).status).toBe(400);
    const found = await call(admin, 'GET', '/admin/users?q=MEMBER@example.com');
    expect(found.body.items).toEqual([
      expect.objectContaining({ email: 'member@example.com', disabled: false, timeZone: 'UTC' }),
    ]);
    const userId = String(found.body.items[0]?.userId);

    const detail = await call(admin, 'GET', `/admin/users/${userId}`);
    expect(detail).toMatchObject({
      status: 200,
      body: {
        userId,
        admin: false,
        lock: null,
        reminders: { pending: 0 },
        recentLogins: [{ channel: 'web' }],
      },
    });
    expect((await call(admin, 'GET', '/admin/users/01NOSUCHUSER')).status).toBe(404);
    const own = await call(admin, 'GET', '/admin/users?q=chief@example.com');
    expect((await call(admin, 'POST', `/admin/users/${own.body.items[0]?.userId}/lock`, {})).status).toBe(
      409,
    );

    expect((await call(admin, 'POST', `/admin/users/${userId}/lock`, { minutes: 0 })).status).toBe(400);
    const locked = await call(admin, 'POST', `/admin/users/${userId}/lock`, { minutes: 60, reason: 'abuse' });
    expect(locked.body.lock).toMatchObject({ source: 'admin', by: 'chief@example.com', reason: 'abuse' });
    expect((await call(admin, 'GET', '/admin/lockouts')).body.items).toEqual([
      expect.objectContaining({ email: 'member@example.com', source: 'admin', userId }),
    ]);
    await afterThrottle();
    expect(await post('/auth/otp/request', { email: 'member@example.com' })).toMatchObject({
      status: 429,
      body: { status: 'locked' },
    });
    expect((await call(admin, 'POST', `/admin/users/${userId}/unlock`)).body.lock).toBeNull();
    await afterThrottle();
    expect((await post('/auth/otp/request', { email: 'member@example.com' })).status).toBe(202);

    const disabled = await call(admin, 'POST', `/admin/users/${userId}/disable`, { reason: 'left' });
    expect(disabled.body).toMatchObject({ disabled: true });
    await afterThrottle();
    await expect(signIn(test.cloud, 'member@example.com')).rejects.toThrow(/403/);
    expect((await call(admin, 'POST', `/admin/users/${userId}/enable`)).body.disabled).toBe(false);
    await afterThrottle();
    await signIn(test.cloud, 'member@example.com');

    expect((await call(admin, 'DELETE', `/admin/users/${userId}`)).status).toBe(204);
    expect((await call(admin, 'GET', `/admin/users/${userId}`)).status).toBe(404);
    expect((await call(admin, 'GET', '/admin/users?q=member@example.com')).body.items).toEqual([]);

    await runAdmin('revoke', 'chief@example.com');
    expect(await call(admin, 'GET', '/admin/users')).toMatchObject({ status: 403 });
  });
});
