/** The users, newest sign-up first: a search by email address or PSID, and "Load more" by the API's cursor. */
import { useEffect, useState } from 'preact/hooks';
import { announce } from '../../announce';
import { type Api, endsSession } from '../../api';
import { formatInstant } from '../../time';
import type { AdminUser, Me } from '../../types';
import { AdminPage, LoadError, Loading, statusOf, TableScroll, userPath } from './shared';

const PAGE_SIZE = 25;

interface Listing {
  readonly query: string;
  readonly users: readonly AdminUser[];
  readonly nextCursor?: string | undefined;
}

/** What a load found, in words: a next page, a search's match or the first page of everyone. */
function foundInWords(query: string, more: boolean, page: readonly AdminUser[], users: readonly AdminUser[]) {
  if (more) return `${page.length} more users shown.`;
  if (query) return `${page.length === 0 ? 'No user matches' : 'One user matches'} ${query}.`;
  return `${users.length} users shown.`;
}

export function AdminUsersPage(props: { api: Api; me: Me }) {
  const { api, me } = props;
  const [search, setSearch] = useState('');
  const [listing, setListing] = useState<Listing | undefined>();
  const [busy, setBusy] = useState<'search' | 'more' | undefined>('search');
  const [error, setError] = useState<unknown>();

  /** The first page for a query, or the next page of the current listing; answers what it found, in words. */
  const load = async (query: string, after?: Listing): Promise<string | undefined> => {
    setBusy(after ? 'more' : 'search');
    setError(undefined);
    try {
      const page = await api.adminUsers({
        ...(query ? { q: query } : {}),
        ...(after?.nextCursor ? { cursor: after.nextCursor } : {}),
        limit: PAGE_SIZE,
      });
      const users = [...(after?.users ?? []), ...page.items];
      setListing({ query, users, nextCursor: page.nextCursor });
      return foundInWords(query, after !== undefined, page.items, users);
    } catch (failure) {
      if (!endsSession(failure)) setError(failure);
      return undefined;
    } finally {
      setBusy(undefined);
    }
  };

  // The first listing is not announced: the page's heading is, and an announcement made just before
  // (a deletion on the page that led here) must not be talked over.
  useEffect(() => {
    void load('');
  }, []);

  /** A load someone asked for: its result is announced. */
  const show = async (query: string, after?: Listing) => {
    const found = await load(query, after);
    if (found) announce(found);
  };

  const retry = () => void show(listing?.query ?? '', listing?.nextCursor ? listing : undefined);

  return (
    <AdminPage section="users" title="Users">
      <form
        class="card search-form"
        aria-label="Users"
        onSubmit={(event) => {
          event.preventDefault();
          void show(search.trim());
        }}
      >
        <label for="user-search">Email address or PSID</label>
        <p id="user-search-hint" class="hint">
          An exact address (any case) or a Messenger PSID (digits). Empty lists everyone.
        </p>
        <div class="search-row">
          <input
            id="user-search"
            type="search"
            aria-describedby="user-search-hint"
            value={search}
            onInput={(event) => setSearch(event.currentTarget.value)}
          />
          <button type="submit" class="primary" disabled={busy !== undefined}>
            {busy === 'search' ? 'Searching…' : 'Search'}
          </button>
        </div>
      </form>
      {busy === 'search' && <Loading what="users" />}
      {error !== undefined && <LoadError what="The users" error={error} onRetry={retry} />}
      {listing && busy !== 'search' && listing.users.length === 0 && (
        <p class="empty">
          {listing.query ? `No user has the address or PSID ${listing.query}.` : 'No users yet.'}
        </p>
      )}
      {listing && listing.users.length > 0 && busy !== 'search' && (
        <UsersTable users={listing.users} timeZone={me.timeZone} />
      )}
      {listing?.nextCursor && busy !== 'search' && (
        <div class="actions">
          <button
            type="button"
            disabled={busy !== undefined}
            onClick={() => void show(listing.query, listing)}
          >
            {busy === 'more' ? 'Loading…' : 'Load more'}
          </button>
        </div>
      )}
    </AdminPage>
  );
}

function UsersTable(props: { users: readonly AdminUser[]; timeZone: string }) {
  return (
    <TableScroll label="Users">
      <table class="data-table">
        <caption class="visually-hidden">Users, newest sign-up first</caption>
        <thead>
          <tr>
            <th scope="col">Email</th>
            <th scope="col">PSID</th>
            <th scope="col">Time zone</th>
            <th scope="col">Signed up</th>
            <th scope="col">Status</th>
          </tr>
        </thead>
        <tbody>
          {props.users.map((user) => (
            <tr key={user.userId}>
              <th scope="row">
                <a href={userPath(user.userId)}>{user.email ?? `User ${user.userId}`}</a>
              </th>
              <td>{user.psid ?? '—'}</td>
              <td>{user.timeZone}</td>
              <td>
                <time dateTime={user.createdAt}>{formatInstant(user.createdAt, props.timeZone)}</time>
              </td>
              <td>{statusOf(user, props.timeZone)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </TableScroll>
  );
}
