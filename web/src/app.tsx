/**
 * The app's shell: sign-in until there is a session, then the person's settings (for the zone) and the pages
 * behind hash routes (#/calendar, #/reminders, #/settings, and #/admin/… for admins), which any static host
 * serves unchanged.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { announce } from './announce';
import { Api, endsSession, isAdminSession, loadSession, messageOf, SESSION_ENDED } from './api';
import { LoadFailed } from './components/load-failed';
import { AdminPage } from './pages/admin/admin';
import { CalendarPage } from './pages/calendar';
import { RemindersPage } from './pages/reminders';
import { SettingsPage } from './pages/settings';
import { SignInPage } from './pages/sign-in';
import type { Me } from './types';

type RouteName = 'calendar' | 'reminders' | 'settings' | 'admin';

/** A page and the path segments after its name (#/admin/users/u1 → admin, [users, u1]). */
interface Route {
  readonly name: RouteName;
  readonly path: readonly string[];
}

const ROUTES: ReadonlyArray<readonly [RouteName, string]> = [
  ['calendar', 'Calendar'],
  ['reminders', 'Reminders'],
  ['settings', 'Settings'],
  ['admin', 'Admin'],
];

const routeOf = (hash: string): Route => {
  const [name = '', ...path] = hash.replace(/^#\/?/, '').split('/');
  const known = ROUTES.find(([route]) => route === name);
  return known ? { name: known[0], path } : { name: 'calendar', path: [] };
};

function useRoute(): Route {
  const [route, setRoute] = useState(routeOf(location.hash));
  useEffect(() => {
    const onChange = () => setRoute(routeOf(location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function App(props: { apiUrl: string }) {
  const [notice, setNotice] = useState<string | undefined>();
  // A reload of the tab keeps the session (sessionStorage); a new tab signs in again.
  const [signedIn, setSignedIn] = useState(() => loadSession() !== undefined);
  const api = useMemo(
    () =>
      new Api(props.apiUrl, () => {
        setNotice(SESSION_ENDED);
        setSignedIn(false);
      }),
    [props.apiUrl],
  );
  const [me, setMe] = useState<Me | undefined>();
  const [meError, setMeError] = useState<string | undefined>();
  const route = useRoute();
  // For display only: the admin API refuses a session without the claim (403) whatever the app shows.
  const admin = isAdminSession(api.signedIn);

  const loadMe = async () => {
    setMeError(undefined);
    try {
      setMe(await api.me());
    } catch (error) {
      if (!endsSession(error)) setMeError(messageOf(error));
    }
  };

  useEffect(() => {
    if (signedIn) void loadMe();
    else setMe(undefined);
  }, [signedIn]);

  const signOut = () => {
    api.endSession();
    setNotice('You are signed out.');
    setSignedIn(false);
    announce('Signed out.');
  };

  if (!signedIn) {
    return (
      <>
        <Header />
        <SignInPage
          api={api}
          notice={notice}
          onSignedIn={() => {
            setNotice(undefined);
            setSignedIn(true);
            announce('Signed in.');
          }}
        />
      </>
    );
  }

  return (
    <>
      <button type="button" class="skip-link" onClick={skipToMain}>
        Skip to content
      </button>
      <Header>
        <nav aria-label="Main">
          <ul class="nav-list">
            {ROUTES.filter(([name]) => name !== 'admin' || admin).map(([name, label]) => (
              <li key={name}>
                <a href={`#/${name}`} aria-current={route.name === name ? 'page' : undefined}>
                  {label}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <div class="account">
          <span class="email">{api.signedIn?.email}</span>
          <button type="button" onClick={signOut}>
            Sign out
          </button>
        </div>
      </Header>
      {!me ? (
        <main id="main" class="loading-page">
          {meError ? (
            <LoadFailed what="Your settings" message={meError} onRetry={() => void loadMe()} />
          ) : (
            <p role="status" class="loading">
              Loading…
            </p>
          )}
        </main>
      ) : route.name === 'admin' ? (
        <AdminPage api={api} me={me} path={route.path} />
      ) : route.name === 'reminders' ? (
        <RemindersPage api={api} me={me} />
      ) : route.name === 'settings' ? (
        <SettingsPage api={api} me={me} onMeChanged={setMe} />
      ) : (
        <CalendarPage api={api} me={me} />
      )}
    </>
  );
}

/** A button, not a #main link: the hash is the route here. */
function skipToMain() {
  const main = document.getElementById('main');
  main?.setAttribute('tabindex', '-1');
  main?.focus();
}

function Header(props: { children?: ComponentChildren }) {
  return (
    <header class="app-header">
      <p class="brand">
        <span aria-hidden="true" class="logo">
          ◷
        </span>{' '}
        Aurora Time
      </p>
      {props.children}
    </header>
  );
}
