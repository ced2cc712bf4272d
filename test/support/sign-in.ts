/** Signs a person in over the REST API of a running local cloud, with the code read from its SES inbox. */
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

/** The access token of a new session; throws with the API's answer when sign-in does not succeed. */
export async function signIn(endpoints: { apiUrl: string; edgeUrl: string }, email: string): Promise<string> {
  const before = (await inbox(endpoints.edgeUrl, email)).length;
  const post = async (path: string, body: unknown) => {
    const response = await fetch(`${endpoints.apiUrl}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return { status: response.status, body: (await response.json()) as Record<string, unknown> };
  };
  const requested = await post('/auth/otp/request', { email });
  if (requested.status !== 202) throw new Error(`Code request answered ${JSON.stringify(requested)}`);
  const mails = await eventually(async () => {
    const list = await inbox(endpoints.edgeUrl, email);
    return list.length > before ? list : undefined;
  });
  const code = /\b(\d{6})\b/.exec(mails[0]?.text ?? '')?.[1] ?? '';
  const verified = await post('/auth/otp/verify', { email, code });
  if (verified.status !== 200 || typeof verified.body.accessToken !== 'string') {
    throw new Error(`Sign-in answered ${verified.status} ${String(verified.body.status)}`);
  }
  return verified.body.accessToken;
}
