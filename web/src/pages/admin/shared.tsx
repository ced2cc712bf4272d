/**
 * What the admin pages share: the page frame with the section nav, loading with error states and the "not an
 * admin" answer.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import { endsSession, hasStatus, messageOf } from '../../api';
import { LoadFailed } from '../../components/load-failed';
import { PageFrame } from '../../components/page-frame';
import { formatInstant } from '../../time';
import type { AdminUser } from '../../types';

export type AdminSection = 'users' | 'lockouts' | 'analytics';

const SECTIONS: ReadonlyArray<readonly [AdminSection, string]> = [
  ['users', 'Users'],
  ['lockouts', 'Lockouts'],
  ['analytics', 'Analytics'],
];

function AdminNav(props: { current: AdminSection }) {
  return (
    <nav aria-label="Admin" class="admin-nav">
      <ul class="nav-list">
        {SECTIONS.map(([section, label]) => (
          <li key={section}>
            <a href={`#/admin/${section}`} aria-current={props.current === section ? 'page' : undefined}>
              {label}
            </a>
          </li>
        ))}
      </ul>
    </nav>
  );
}

/** An admin page: the section nav ahead of the rest of `before` and the page's heading (see PageFrame). */
export function AdminPage(props: {
  section: AdminSection;
  title: string;
  before?: ComponentChildren;
  action?: ComponentChildren;
  children: ComponentChildren;
}) {
  return (
    <PageFrame
      pageClass="admin-page"
      title={props.title}
      before={
        <>
          <AdminNav current={props.section} />
          {props.before}
        </>
      }
      action={props.action}
    >
      {props.children}
    </PageFrame>
  );
}

export interface Loaded<T> {
  readonly data: T | undefined;
  readonly error: unknown;
  readonly loading: boolean;
  readonly reload: () => void;
  /** Replaces the data with an action's answer (the API answers each action with the new state). */
  readonly replace: (data: T) => void;
}

/** Loads once per change of `key`; a 401 is left to the app (the session ended, sign-in follows). */
export function useLoad<T>(load: () => Promise<T>, key: string): Loaded<T> {
  const [data, setData] = useState<T | undefined>();
  const [error, setError] = useState<unknown>();
  const [loading, setLoading] = useState(true);
  const [attempt, setAttempt] = useState(0);

  useEffect(() => {
    let current = true;
    setLoading(true);
    setError(undefined);
    load()
      .then(
        (value) => {
          if (current) setData(value);
        },
        (failure: unknown) => {
          if (current && !endsSession(failure)) setError(failure);
        },
      )
      .finally(() => {
        if (current) setLoading(false);
      });
    return () => {
      current = false;
    };
  }, [key, attempt]);

  return { data, error, loading, reload: () => setAttempt((count) => count + 1), replace: setData };
}

export const isForbidden = (error: unknown) => hasStatus(error, 403);

/** The error state of an admin page: a 403 says plainly that the session is not an admin's. */
export function LoadError(props: { what: string; error: unknown; onRetry: () => void }) {
  if (isForbidden(props.error)) {
    return (
      <div class="alert alert-warning" role="alert">
        <p>
          <strong>You are not an admin.</strong> These pages are for Aurora Time's administrators. If you
          should be one, ask an administrator to grant your address, then sign in again.
        </p>
      </div>
    );
  }
  return <LoadFailed what={props.what} message={messageOf(props.error)} onRetry={props.onRetry} />;
}

export function Loading(props: { what: string }) {
  return (
    <p role="status" class="loading">
      Loading {props.what}…
    </p>
  );
}

/** A wide table that scrolls sideways on a phone; the region takes focus so a keyboard can scroll it. */
export function TableScroll(props: { label: string; children: ComponentChildren }) {
  return (
    // biome-ignore lint/a11y/noNoninteractiveTabindex: axe requires a scrollable region to be keyboard-reachable.
    <section class="table-scroll" aria-label={props.label} tabIndex={0}>
      {props.children}
    </section>
  );
}

export function userPath(userId: string): string {
  return `#/admin/users/${encodeURIComponent(userId)}`;
}

/** "Disabled", "Locked until …" or "Active", for a row or a heading. */
export function statusOf(user: AdminUser, timeZone: string): string {
  if (user.disabled) return 'Disabled';
  if (user.lockedUntil) return `Locked until ${formatInstant(user.lockedUntil, timeZone)}`;
  return 'Active';
}
