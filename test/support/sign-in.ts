/**
 * Signs a person in over the REST API of a running local cloud, with the code read from its SES inbox; the
 * inbox, code and JSON POST steps on their own for tests that take them one at a time.
 */
import { eventually } from './polling';

export interface Mail {
  readonly subject?: string;
  readonly text?: string;
}

/** The address's mail, newest first (as the local inbox lists it). */
export async function inbox(edgeUrl: string, email: string): Promise<Mail[]> {
  const response = await fetch(`${edgeUrl}/_aurora/ses/messages?to=${encodeURIComponent(email)}`);
  return (await response.json()) as Mail[];
}

/** The address's mail once it holds more than `before` messages, newest first. */
export function mailAfter(edgeUrl: string, email: string, before = 0): Promise<Mail[]> {
  return eventually(async () => {
    const list = await inbox(edgeUrl, email);
    return list.length > before ? list : undefined;
  });
}

/** The 6-digit code a mail's text carries; '' when it has none. */
export const codeIn = (mail: Mail | undefined): string => /\b(\d{6})\b/.exec(mail?.text ?? '')?.[1] ?? '';

/** A JSON POST to the API, answered with its status and JSON body. */
export async function postJson(
  apiUrl: string,
  path: string,
  body: unknown,
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${apiUrl}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

/** The access token of a new session; throws with the API's answer when sign-in does not succeed. */
export async function signIn(endpoints: { apiUrl: string; edgeUrl: string }, email: string): Promise<string> {
  const before = (await inbox(endpoints.edgeUrl, email)).length;
  const requested = await postJson(endpoints.apiUrl, '/auth/otp/request', { email });
  if (requested.status !== 202) throw new Error(`Code request answered ${JSON.stringify(requested)}`);
  const code = codeIn((await mailAfter(endpoints.edgeUrl, email, before))[0]);
  const verified = await postJson(endpoints.apiUrl, '/auth/otp/verify', { email, code });
  if (verified.status !== 200 || typeof verified.body.accessToken !== 'string') {
    throw new Error(`Sign-in answered ${verified.status} ${String(verified.body.status)}`);
  }
  return verified.body.accessToken;
}
