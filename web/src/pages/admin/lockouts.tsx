/** The addresses whose sign-in is locked now: after too many wrong codes, or by an admin. */
import type { Api } from '../../api';
import { formatInstant } from '../../time';
import type { Me } from '../../types';
import { AdminPage, LoadError, Loading, TableScroll, useLoad, userPath } from './shared';

export function AdminLockoutsPage(props: { api: Api; me: Me }) {
  const lockouts = useLoad(() => props.api.lockouts(), 'lockouts');
  const items = lockouts.data?.items;

  return (
    <AdminPage
      section="lockouts"
      title="Lockouts"
      action={
        <button type="button" class="page-action" disabled={lockouts.loading} onClick={lockouts.reload}>
          Refresh
        </button>
      }
    >
      {lockouts.loading && <Loading what="lockouts" />}
      {lockouts.error !== undefined && (
        <LoadError what="The lockouts" error={lockouts.error} onRetry={lockouts.reload} />
      )}
      {items && items.length === 0 && <p class="empty">No address is locked out.</p>}
      {items && items.length > 0 && (
        <TableScroll label="Lockouts">
          <table class="data-table">
            <caption class="visually-hidden">Addresses locked out now</caption>
            <thead>
              <tr>
                <th scope="col">Email</th>
                <th scope="col">Locked until</th>
                <th scope="col">Why</th>
              </tr>
            </thead>
            <tbody>
              {items.map((lockout) => (
                <tr key={lockout.email}>
                  <th scope="row">
                    {lockout.userId ? <a href={userPath(lockout.userId)}>{lockout.email}</a> : lockout.email}
                  </th>
                  <td>
                    <time dateTime={lockout.lockedUntil}>
                      {formatInstant(lockout.lockedUntil, props.me.timeZone)}
                    </time>
                  </td>
                  <td>{lockout.source === 'wrong-codes' ? 'Too many wrong codes' : 'Locked by an admin'}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </TableScroll>
      )}
    </AdminPage>
  );
}
