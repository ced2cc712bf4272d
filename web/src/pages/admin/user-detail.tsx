/**
 * One person, as an admin sees them: profile and linked channels, lock state, pending reminders and recent
 * sign-ins; and the actions (lock, unlock, disable, enable, delete), each answered with the new state.
 */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';
import { announce } from '../../announce';
import { type Api, endsSession, hasStatus, messageOf } from '../../api';
import { Dialog } from '../../components/dialog';
import { FormAlert, InputField, useForm } from '../../components/field';
import { formatInstant } from '../../time';
import type { AdminUserDetail, Me } from '../../types';
import { AdminPage, LoadError, Loading, statusOf, TableScroll, useLoad } from './shared';

const DEFAULT_LOCK_MINUTES = 15;
const MAX_LOCK_MINUTES = 10_080;
const MINUTES_HINT = `1 to ${MAX_LOCK_MINUTES} (a week).`;

export function AdminUserDetailPage(props: { api: Api; me: Me; userId: string }) {
  const { api, me, userId } = props;
  const user = useLoad(() => api.adminUser(userId), userId);
  const name = user.data ? (user.data.email ?? `User ${user.data.userId}`) : 'User';

  return (
    <AdminPage
      section="users"
      title={name}
      before={
        <p class="back-link">
          <a href="#/admin/users">← All users</a>
        </p>
      }
    >
      {user.loading && !user.data && <Loading what="the user" />}
      {user.error !== undefined &&
        (hasStatus(user.error, 404) ? (
          <div class="alert alert-warning" role="alert">
            <p>There is no user {userId}: the account may have been deleted.</p>
          </div>
        ) : (
          <LoadError what="The user" error={user.error} onRetry={user.reload} />
        ))}
      {user.data && <UserDetail api={api} me={me} user={user.data} onChanged={user.replace} />}
    </AdminPage>
  );
}

type ActionDialogName = 'lock' | 'disable' | 'delete';

function UserDetail(props: {
  api: Api;
  me: Me;
  user: AdminUserDetail;
  onChanged: (user: AdminUserDetail) => void;
}) {
  const { api, user } = props;
  const zone = props.me.timeZone;
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | undefined>();
  const [dialog, setDialog] = useState<ActionDialogName | undefined>();
  const who = user.email ?? `user ${user.userId}`;
  /** A dialog starts without the error of an earlier attempt. */
  const open = (which: ActionDialogName) => {
    setError(undefined);
    setDialog(which);
  };

  /** Runs an action; on success closes any dialog, shows the answer and announces `done`. */
  const act = async (action: () => Promise<AdminUserDetail | undefined>, done: string): Promise<boolean> => {
    setBusy(true);
    setError(undefined);
    try {
      const updated = await action();
      setDialog(undefined);
      announce(done);
      if (updated) props.onChanged(updated);
      return true;
    } catch (failure) {
      if (!endsSession(failure)) setError(messageOf(failure));
      return false;
    } finally {
      setBusy(false);
    }
  };

  const remove = async () => {
    const deleted = async () => {
      await api.deleteUser(user.userId);
      return undefined;
    };
    if (await act(deleted, `${who} was deleted.`)) {
      location.hash = '#/admin/users';
    }
  };

  const dialogProps = { busy, error, onClose: () => setDialog(undefined) };

  return (
    <>
      {error && !dialog && (
        <div class="alert alert-error" role="alert">
          <p>{error}</p>
        </div>
      )}
      <div class="admin-columns">
        <ProfileCard user={user} zone={zone} />
        <AccessCard
          user={user}
          zone={zone}
          busy={busy}
          onUnlock={() => void act(() => api.unlockUser(user.userId), `${who} was unlocked.`)}
          onEnable={() => void act(() => api.enableUser(user.userId), `${who} was enabled.`)}
          onOpen={open}
        />
        <PendingRemindersCard user={user} zone={zone} />
        <RecentSignInsCard user={user} zone={zone} />
      </div>

      {dialog === 'lock' && (
        <ActionDialog
          {...dialogProps}
          title={`Lock ${who}`}
          confirm="Lock sign-in"
          asks={{ minutes: true, reason: true }}
          onConfirm={(input) =>
            void act(() => api.lockUser(user.userId, input), `${who} is locked for ${input.minutes} minutes.`)
          }
        >
          <p>Sign-in codes are refused for this address until the lock ends.</p>
        </ActionDialog>
      )}
      {dialog === 'disable' && (
        <ActionDialog
          {...dialogProps}
          title={`Disable ${who}?`}
          confirm="Disable account"
          asks={{ reason: true }}
          danger
          onConfirm={(input) => void act(() => api.disableUser(user.userId, input), `${who} was disabled.`)}
        >
          <p>They cannot sign in and nothing is sent to them until the account is enabled again.</p>
        </ActionDialog>
      )}
      {dialog === 'delete' && (
        <ActionDialog
          {...dialogProps}
          title={`Delete ${who}?`}
          confirm="Delete everything"
          asks={{}}
          danger
          onConfirm={() => void remove()}
        >
          <p>
            Their events, reminders, settings and sign-in history are deleted for good. This cannot be undone.
          </p>
        </ActionDialog>
      )}
    </>
  );
}

interface CardProps {
  readonly user: AdminUserDetail;
  /** The admin's time zone, for the instants shown. */
  readonly zone: string;
}

function ProfileCard({ user, zone }: CardProps) {
  return (
    <section class="card" aria-labelledby="profile-heading">
      <h2 id="profile-heading">Profile</h2>
      <dl class="facts">
        <dt>User ID</dt>
        <dd class="code">{user.userId}</dd>
        <dt>Email</dt>
        <dd>{user.email ?? 'Not linked'}</dd>
        <dt>Messenger PSID</dt>
        <dd>{user.psid ?? 'Not linked'}</dd>
        <dt>Time zone</dt>
        <dd>{user.timeZone}</dd>
        <dt>Signed up</dt>
        <dd>
          <time dateTime={user.createdAt}>{formatInstant(user.createdAt, zone)}</time>
        </dd>
        <dt>Role</dt>
        <dd>{user.admin ? 'Admin' : 'Person'}</dd>
        <dt>Status</dt>
        <dd>
          {statusOf(user, zone)}
          {user.disabledAt && (
            <>
              {' '}
              since <time dateTime={user.disabledAt}>{formatInstant(user.disabledAt, zone)}</time>
            </>
          )}
        </dd>
      </dl>
    </section>
  );
}

function LockState({ user, zone }: CardProps) {
  if (!user.lock) return <p>Sign-in is not locked.</p>;
  return (
    <p>
      Sign-in is locked until{' '}
      <time dateTime={user.lock.lockedUntil}>{formatInstant(user.lock.lockedUntil, zone)}</time>{' '}
      {user.lock.source === 'wrong-codes' ? 'after too many wrong codes' : `by ${user.lock.by ?? 'an admin'}`}
      {user.lock.reason ? `: ${user.lock.reason}` : '.'}
    </p>
  );
}

function AccessCard(
  props: CardProps & {
    busy: boolean;
    onUnlock: () => void;
    onEnable: () => void;
    onOpen: (dialog: ActionDialogName) => void;
  },
) {
  const { user, busy } = props;
  return (
    <section class="card" aria-labelledby="access-heading">
      <h2 id="access-heading">Access</h2>
      <LockState user={user} zone={props.zone} />
      <p>{user.disabled ? 'The account is disabled: nothing is sent to it.' : 'The account is enabled.'}</p>
      <div class="actions">
        {user.lock ? (
          <button type="button" disabled={busy} onClick={props.onUnlock}>
            Unlock
          </button>
        ) : (
          <button
            type="button"
            disabled={busy || !user.email}
            aria-describedby={user.email ? undefined : 'lock-unavailable'}
            onClick={() => props.onOpen('lock')}
          >
            Lock…
          </button>
        )}
        {user.disabled ? (
          <button type="button" disabled={busy} onClick={props.onEnable}>
            Enable
          </button>
        ) : (
          <button type="button" class="danger" disabled={busy} onClick={() => props.onOpen('disable')}>
            Disable…
          </button>
        )}
        <button type="button" class="danger" disabled={busy} onClick={() => props.onOpen('delete')}>
          Delete…
        </button>
      </div>
      {!user.email && (
        <p id="lock-unavailable" class="hint">
          A lock stops sign-in by email; this person has no address to lock.
        </p>
      )}
    </section>
  );
}

function PendingRemindersCard({ user, zone }: CardProps) {
  const { pending, next } = user.reminders;
  return (
    <section class="card" aria-labelledby="reminders-heading">
      <h2 id="reminders-heading">Pending reminders</h2>
      <p>
        {pending === 0
          ? 'No reminders are pending.'
          : `${pending} pending${next.length > 0 ? '; the next:' : '.'}`}
      </p>
      {next.length > 0 && (
        <ul class="plain-list">
          {next.map((reminder) => (
            <li key={reminder.reminderId}>
              <time dateTime={reminder.nextDueAt}>{formatInstant(reminder.nextDueAt, zone)}</time> —{' '}
              {reminder.title}
            </li>
          ))}
        </ul>
      )}
    </section>
  );
}

function RecentSignInsCard({ user, zone }: CardProps) {
  return (
    <section class="card" aria-labelledby="logins-heading">
      <h2 id="logins-heading">Recent sign-ins</h2>
      {user.recentLogins.length === 0 ? (
        <p class="empty">No sign-ins yet.</p>
      ) : (
        <TableScroll label="Recent sign-ins">
          <table class="data-table">
            <thead>
              <tr>
                <th scope="col">When</th>
                <th scope="col">Channel</th>
              </tr>
            </thead>
            <tbody>
              {user.recentLogins.map((login) => (
                <tr key={`${login.at}-${login.channel}`}>
                  <td>
                    <time dateTime={login.at}>{formatInstant(login.at, zone)}</time>
                  </td>
                  <td>{login.channel}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </section>
  );
}

/** What an action's dialog asks for: minutes (a lock) and a reason (kept with the change), both optional. */
interface ActionInput {
  readonly minutes?: number;
  readonly reason?: string;
}

/** A confirmation in the app's dialog, with the fields the action takes. */
function ActionDialog(props: {
  title: string;
  confirm: string;
  busy: boolean;
  error: string | undefined;
  asks: { minutes?: boolean; reason?: boolean };
  danger?: boolean;
  onClose: () => void;
  onConfirm: (input: ActionInput) => void;
  children: ComponentChildren;
}) {
  const [minutes, setMinutes] = useState(String(DEFAULT_LOCK_MINUTES));
  const [reason, setReason] = useState('');
  // The action's own failure comes in props.error: these are the form's checks only.
  const { errors, form, passes, clear } = useForm();

  const submit = (event: Event) => {
    event.preventDefault();
    const count = Number(minutes);
    const invalid = props.asks.minutes && (!Number.isInteger(count) || count < 1 || count > MAX_LOCK_MINUTES);
    if (!passes(invalid ? { minutes: `Enter whole minutes from 1 to ${MAX_LOCK_MINUTES}.` } : {})) return;
    const trimmed = reason.trim();
    props.onConfirm({
      ...(props.asks.minutes ? { minutes: count } : {}),
      ...(props.asks.reason && trimmed ? { reason: trimmed } : {}),
    });
  };

  return (
    <Dialog title={props.title} onClose={props.onClose}>
      <form ref={form} onSubmit={submit} noValidate>
        {props.children}
        <FormAlert messages={props.error ? [props.error] : []} />
        {props.asks.minutes && (
          <InputField
            id="action-minutes"
            label="Minutes"
            error={errors.minutes}
            hint={MINUTES_HINT}
            type="number"
            inputMode="numeric"
            min={1}
            max={MAX_LOCK_MINUTES}
            value={minutes}
            onInput={(event) => {
              setMinutes(event.currentTarget.value);
              clear();
            }}
          />
        )}
        {props.asks.reason && (
          <InputField
            id="action-reason"
            label="Reason (optional)"
            type="text"
            maxLength={200}
            value={reason}
            onInput={(event) => setReason(event.currentTarget.value)}
          />
        )}
        <div class="actions">
          <button type="submit" class={props.danger ? 'danger' : 'primary'} disabled={props.busy}>
            {props.busy ? 'Working…' : props.confirm}
          </button>
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}
