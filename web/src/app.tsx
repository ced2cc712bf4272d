/**
 * The app's shell: sign-in until there is a session, then the person's settings (for the zone) and three
 * pages behind hash routes (#/calendar, #/reminders, #/settings), which any static host serves unchanged.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useMemo, useState } from 'preact/hooks';
import { announce } from './announce';
import { Api, ApiError, loadSession, SESSION_ENDED } from './api';
import { CalendarPage } from './pages/calendar';
import { RemindersPage } from './pages/reminders';
import { SettingsPage } from './pages/settings';
import { SignInPage } from './pages/sign-in';
import type { Me } from './types';

type Route = 'calendar' | 'reminders' | 'settings';

const ROUTES: ReadonlyArray<readonly [Route, string]> = [
  ['calendar', 'Calendar'],
  ['reminders', 'Reminders'],
  ['settings', 'Settings'],
];

const routeOf = (hash: string): Route => {
  const name = hash.replace(/^#\/?/, '');
  return ROUTES.some(([route]) => route === name) ? (name as Route) : 'calendar';
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

  const loadMe = async () => {
    setMeError(undefined);
    try {
      setMe(await api.me());
    } catch (error) {
      if (!(error instanceof ApiError && error.status === 401)) {
        setMeError(error instanceof Error ? error.message : String(error));
      }
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
            {ROUTES.map(([name, label]) => (
              <li key={name}>
                <a href={`#/${name}`} aria-current={route === name ? 'page' : undefined}>
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
            <div class="alert alert-error" role="alert">
              <p>Your settings could not be loaded: {meError}</p>
              <button type="button" onClick={() => void loadMe()}>
                Try again
              </button>
            </div>
          ) : (
            <p role="status" class="loading">
              Loading…
            </p>
          )}
        </main>
      ) : route === 'reminders' ? (
        <RemindersPage api={api} me={me} />
      ) : route === 'settings' ? (
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
