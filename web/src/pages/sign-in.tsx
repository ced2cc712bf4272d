/**
 * Sign-in with an emailed one-time code: ask for a code, then type it. Every answer of the auth routes has
 * its own message (throttled with a countdown, locked until a time, a wrong code with the attempts left).
 */
import { useEffect, useRef, useState } from 'preact/hooks';
import { type Answer, type Api, ApiError, UNREACHABLE } from '../api';
import { FormAlert, InputField } from '../components/field';
import { usePageTitle } from '../page';

type Step = 'email' | 'code';

interface Problem {
  /** Which control the message belongs to; none: the whole form. */
  readonly field?: 'email' | 'code';
  readonly message: string;
}

const lockedMessage = (lockedUntil: unknown) => {
  const until = typeof lockedUntil === 'string' ? new Date(lockedUntil) : undefined;
  const when =
    until && !Number.isNaN(until.getTime())
      ? until.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' })
      : 'later';
  return `Too many wrong codes. Sign-in for this address is locked until ${when}.`;
};

type AuthAnswer = Answer<Record<string, unknown>>;

/** What the answer to a code request means: the code is on its way, or a problem (with a wait, if throttled). */
type CodeRequestOutcome =
  | { readonly sent: string }
  | { readonly problem: Problem; readonly waitSeconds?: number };

function codeRequestOutcome(answer: AuthAnswer): CodeRequestOutcome {
  const body = answer.body;
  if (answer.status === 202) {
    return { sent: typeof body.message === 'string' ? body.message : 'A 6-digit code is on its way.' };
  }
  if (answer.status === 429 && body.status === 'throttled') {
    const seconds = Number(body.retryAfterSeconds ?? answer.headers.get('retry-after') ?? 60);
    return {
      waitSeconds: seconds,
      problem: { message: `A code was sent a moment ago. You can ask for another in ${seconds} seconds.` },
    };
  }
  if (answer.status === 429 && body.status === 'locked') {
    return { problem: { message: lockedMessage(body.lockedUntil) } };
  }
  if (answer.status === 400) {
    return { problem: { field: 'email', message: 'That does not look like an email address.' } };
  }
  return {
    problem: {
      message: typeof body.message === 'string' ? body.message : `Sign-in failed (${answer.status}).`,
    },
  };
}

/** What the answer to a typed code means: the session's tokens, or a problem. */
type VerifyOutcome =
  | { readonly tokens: { readonly accessToken: string; readonly refreshToken: string } }
  | { readonly problem: Problem };

function verifyOutcome(answer: AuthAnswer): VerifyOutcome {
  const { status, body } = answer;
  const { accessToken, refreshToken } = body;
  if (status === 200 && typeof accessToken === 'string' && typeof refreshToken === 'string') {
    return { tokens: { accessToken, refreshToken } };
  }
  if (status === 401 && body.status === 'wrong-code') {
    const left = Number(body.attemptsLeft ?? 0);
    return {
      problem: {
        field: 'code',
        message: `That code is not right. ${left} ${left === 1 ? 'attempt' : 'attempts'} left.`,
      },
    };
  }
  if (status === 401) {
    return { problem: { message: 'No code is waiting for this address. Ask for a new one.' } };
  }
  if (status === 429) return { problem: { message: lockedMessage(body.lockedUntil) } };
  if (status === 400) {
    return { problem: { field: 'code', message: 'Enter the 6-digit code from the email.' } };
  }
  return { problem: { message: 'The code could not be checked just now. Try again.' } };
}

/** Seconds left until a moment, ticking every second; 0 once it has passed. */
function useCountdown(until: number | undefined): number {
  const [now, setNow] = useState(Date.now());
  useEffect(() => {
    if (until === undefined) return;
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, [until]);
  return until === undefined ? 0 : Math.max(0, Math.ceil((until - now) / 1000));
}

export function SignInPage(props: { api: Api; notice?: string | undefined; onSignedIn: () => void }) {
  const { api } = props;
  const heading = usePageTitle('Sign in');
  const [step, setStep] = useState<Step>('email');
  const [email, setEmail] = useState('');
  const [code, setCode] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<Problem | undefined>();
  const [info, setInfo] = useState<string | undefined>();
  const [waitUntil, setWaitUntil] = useState<number | undefined>();
  const waitSeconds = useCountdown(waitUntil);
  const emailRef = useRef<HTMLInputElement>(null);
  const codeRef = useRef<HTMLInputElement>(null);

  // Focus follows the step, and an error moves focus to the control it is about.
  const firstStep = useRef(true);
  useEffect(() => {
    if (firstStep.current) {
      firstStep.current = false;
      return;
    }
    (step === 'code' ? codeRef : emailRef).current?.focus();
  }, [step]);
  useEffect(() => {
    if (problem?.field === 'email') emailRef.current?.focus();
    if (problem?.field === 'code') codeRef.current?.focus();
  }, [problem]);

  /** Posts to an auth route with the form busy; an answer of any status goes to `settle`. */
  const post = async (path: string, body: unknown, settle: (answer: AuthAnswer) => void) => {
    setBusy(true);
    setProblem(undefined);
    try {
      settle(await api.post(path, body));
    } catch (error) {
      setProblem({ message: error instanceof ApiError ? error.message : UNREACHABLE });
    } finally {
      setBusy(false);
    }
  };

  const requestCode = async (event: Event) => {
    event.preventDefault();
    const address = email.trim();
    if (!/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(address)) {
      setProblem({ field: 'email', message: 'Enter your email address, like name@example.com.' });
      return;
    }
    setInfo(undefined);
    await post('/auth/otp/request', { email: address }, (answer) => {
      const outcome = codeRequestOutcome(answer);
      if ('sent' in outcome) {
        setInfo(outcome.sent);
        setCode('');
        setStep('code');
        return;
      }
      if (outcome.waitSeconds !== undefined) setWaitUntil(Date.now() + outcome.waitSeconds * 1000);
      setProblem(outcome.problem);
    });
  };

  const verify = async (event: Event) => {
    event.preventDefault();
    const typed = code.replace(/\s/g, '');
    if (!/^\d{6}$/.test(typed)) {
      setProblem({ field: 'code', message: 'Enter the 6-digit code from the email.' });
      return;
    }
    await post('/auth/otp/verify', { email: email.trim(), code: typed }, (answer) => {
      const outcome = verifyOutcome(answer);
      if ('problem' in outcome) {
        setProblem(outcome.problem);
        return;
      }
      api.startSession({ email: email.trim().toLowerCase(), ...outcome.tokens });
      props.onSignedIn();
    });
  };

  const emailError = problem?.field === 'email' ? problem.message : undefined;
  const codeError = problem?.field === 'code' ? problem.message : undefined;

  return (
    <main id="main" class="sign-in">
      <div class="card narrow">
        <h1 ref={heading} tabIndex={-1}>
          Sign in to Aurora Time
        </h1>
        {props.notice && step === 'email' && (
          <div class="alert alert-info" role="status">
            <p>{props.notice}</p>
          </div>
        )}
        {step === 'email' ? (
          <form onSubmit={requestCode} noValidate>
            <p>We will email you a one-time code. No password needed.</p>
            <InputField
              id="email"
              label="Email address"
              error={emailError}
              ref={emailRef}
              type="email"
              autoComplete="email"
              inputMode="email"
              required
              value={email}
              onInput={(event) => setEmail(event.currentTarget.value)}
            />
            <FormAlert messages={problem && !problem.field ? [problem.message] : []} />
            <button type="submit" class="primary" disabled={busy || waitSeconds > 0}>
              {busy ? 'Sending…' : waitSeconds > 0 ? `Send code (wait ${waitSeconds} s)` : 'Send code'}
            </button>
          </form>
        ) : (
          <form onSubmit={verify} noValidate>
            {info && (
              <div class="alert alert-info" role="status">
                <p>{info}</p>
              </div>
            )}
            <p>
              Code sent to <strong>{email.trim()}</strong>.
            </p>
            <InputField
              id="code"
              label="6-digit code"
              error={codeError}
              ref={codeRef}
              type="text"
              inputMode="numeric"
              autoComplete="one-time-code"
              pattern="[0-9]*"
              maxLength={6}
              required
              value={code}
              onInput={(event) => setCode(event.currentTarget.value)}
            />
            <FormAlert messages={problem && !problem.field ? [problem.message] : []} />
            <div class="actions">
              <button type="submit" class="primary" disabled={busy}>
                {busy ? 'Checking…' : 'Sign in'}
              </button>
              <button
                type="button"
                class="link-button"
                onClick={() => {
                  setStep('email');
                  setProblem(undefined);
                  setInfo(undefined);
                }}
              >
                Use another address or get a new code
              </button>
            </div>
          </form>
        )}
      </div>
    </main>
  );
}
