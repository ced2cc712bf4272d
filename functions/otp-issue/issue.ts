/**
 * Issue a code for a session the workflow has just claimed: draw it, store only its HMAC (if the session is
 * still this one), and email it. The code exists only in this function's memory and in the email: it never
 * enters the workflow's input, output or history.
 */
import { generateCode, hmacCode } from '../shared/auth/otp-crypto';

export interface IssueRequest {
  readonly email: string;
  readonly sessionId: string;
  /** Epoch ms when the code stops being accepted (the workflow's clock). */
  readonly deadline: number;
}

export interface CodeEmail {
  readonly to: string;
  readonly subject: string;
  readonly text: string;
  readonly html: string;
}

export interface IssuePorts {
  readonly otpKey: () => Promise<string>;
  readonly storeCode: (email: string, sessionId: string, codeHmac: string) => Promise<boolean>;
  readonly sendEmail: (email: CodeEmail) => Promise<void>;
}

export type IssueResult = { readonly issued: true; readonly expiresAt: string } | { readonly issued: false };

export async function issueCode(request: IssueRequest, ports: IssuePorts): Promise<IssueResult> {
  const code = generateCode();
  const stored = await ports.storeCode(
    request.email,
    request.sessionId,
    hmacCode(await ports.otpKey(), code),
  );
  // A newer request took the session over: its own code is the one to send.
  if (!stored) return { issued: false };
  const expiresAt = new Date(request.deadline).toISOString();
  await ports.sendEmail(codeEmail(request.email, code, expiresAt));
  return { issued: true, expiresAt };
}

export function codeEmail(to: string, code: string, expiresAt: string): CodeEmail {
  const until = `${expiresAt.slice(0, 10)} ${expiresAt.slice(11, 16)} UTC`;
  return {
    to,
    subject: `${code} is your Aurora Time sign-in code`,
    text: [
      `Your Aurora Time sign-in code is ${code}.`,
      '',
      `It works once, until ${until} (15 minutes).`,
      'If you did not ask for it, ignore this email: nobody can sign in without the code.',
    ].join('\n'),
    // Plain markup: no images, no links, no tracking.
    html: [
      '<!doctype html><html><body style="font-family:sans-serif">',
      `<p>Your Aurora Time sign-in code is</p><p style="font-size:28px;letter-spacing:4px"><strong>${code}</strong></p>`,
      `<p>It works once, until ${until} (15 minutes).</p>`,
      '<p>If you did not ask for it, ignore this email: nobody can sign in without the code.</p>',
      '</body></html>',
    ].join(''),
  };
}
