import { useCallback, useEffect, useRef, useState } from 'react';
import { api, dataOf, onActivity, type Session, setCsrfToken } from './api/client';
import { ErrorMessage } from './components';
import { IdleWarning } from './IdleWarning';
import { ApprovalsScreen, usePendingCount } from './screens/Approvals';
import { AuditScreen } from './screens/Audit';
import { CeremoniesScreen } from './screens/Ceremonies';
import { InventoryScreen } from './screens/Inventory';
import { KeysScreen } from './screens/Keys';
import { PrincipalsScreen } from './screens/Principals';
import { SignIn } from './SignIn';

type Role = Session['principal']['roles'][number];

interface Screen {
  readonly path: string;
  readonly title: string;
  readonly roles: readonly Role[];
}

const SCREENS: readonly Screen[] = [
  { path: 'approvals', title: 'Approvals', roles: ['security-officer', 'admin', 'auditor'] },
  { path: 'keys', title: 'Key revisions', roles: ['security-officer', 'auditor'] },
  { path: 'ceremonies', title: 'My ceremonies', roles: ['custodian'] },
  { path: 'audit', title: 'Audit trail', roles: ['auditor'] },
  { path: 'inventory', title: 'Key inventory', roles: ['auditor', 'security-officer'] },
  { path: 'principals', title: 'Principals', roles: ['admin'] },
];

function currentPath(): string {
  return window.location.hash.replace(/^#\/?/, '');
}

export function App() {
  const [session, setSession] = useState<Session | null>();
  const [ended, setEnded] = useState<string>();
  const [path, setPath] = useState(currentPath());
  const [lastActivity, setLastActivity] = useState(Date.now());

  // Whether a session is open: a 401 before any (the first visit) ends nothing.
  const sessionOpen = useRef(false);
  const signedIn = useCallback((s: Session) => {
    sessionOpen.current = true;
    setCsrfToken(s.csrfToken);
    setEnded(undefined);
    setLastActivity(Date.now());
    setSession(s);
  }, []);
  const signedOut = useCallback((why?: string) => {
    if (!sessionOpen.current) return;
    sessionOpen.current = false;
    setCsrfToken(undefined);
    setSession(null);
    setEnded(why);
  }, []);

  useEffect(() => {
    onActivity(
      () => setLastActivity(Date.now()),
      () => signedOut('Your session has ended: sign in again.'),
    );
    api.GET('/api/v1/sessions/current').then(
      (r) => (r.data ? signedIn(r.data) : setSession(null)),
      () => setSession(null),
    );
    const onHash = () => setPath(currentPath());
    window.addEventListener('hashchange', onHash);
    return () => window.removeEventListener('hashchange', onHash);
  }, [signedIn, signedOut]);

  if (session === undefined) return <p className="loading">Loading…</p>;
  if (session === null) return <SignIn onSignedIn={signedIn} ended={ended} />;
  return (
    <SignedIn
      session={session}
      path={path}
      lastActivity={lastActivity}
      onRenewed={signedIn}
      onSignedOut={signedOut}
    />
  );
}

function SignedIn({
  session,
  path,
  lastActivity,
  onRenewed,
  onSignedOut,
}: {
  session: Session;
  path: string;
  lastActivity: number;
  onRenewed: (s: Session) => void;
  onSignedOut: (why?: string) => void;
}) {
  const roles = session.principal.roles;
  const screens = SCREENS.filter((s) => s.roles.some((r) => roles.includes(r)));
  const screen = screens.find((s) => s.path === path) ?? screens[0];
  const pending = usePendingCount(
    roles.some((r) => r !== 'custodian' && r !== 'vending-client'),
    path,
  );
  const [error, setError] = useState<string>();

  useEffect(() => {
    document.title = screen ? `${screen.title} · STS key console` : 'STS key console';
  }, [screen]);

  async function signOut() {
    try {
      dataOf(await api.DELETE('/api/v1/sessions/current'));
    } catch (e) {
      // 204 has no body: openapi-fetch gives no data; only a real failure is shown.
      const r = await api.GET('/api/v1/sessions/current');
      if (r.response.status !== 401) {
        setError(e instanceof Error ? e.message : String(e));
        return;
      }
    }
    onSignedOut('You have signed out.');
  }

  return (
    <>
      <header className="top">
        <p className="brand">STS key console</p>
        <nav aria-label="Screens">
          <ul>
            {screens.map((s) => (
              <li key={s.path}>
                <a href={`#/${s.path}`} aria-current={s === screen ? 'page' : undefined}>
                  {s.title}
                  {s.path === 'approvals' && pending > 0 ? (
                    <span className="badge" aria-label={`${pending} pending`}>
                      {pending}
                    </span>
                  ) : null}
                </a>
              </li>
            ))}
          </ul>
        </nav>
        <p className="who">
          <span>
            {session.principal.name} ({roles.join(', ')})
          </span>
          <button type="button" onClick={() => void signOut()}>
            Sign out
          </button>
        </p>
      </header>
      <IdleWarning lastActivity={lastActivity} onRenewed={onRenewed} onExpired={onSignedOut} />
      <main>
        <ErrorMessage error={error} />
        {screen ? (
          <ScreenBody path={screen.path} session={session} />
        ) : (
          <p>Your roles have no screen in the console.</p>
        )}
      </main>
    </>
  );
}

function ScreenBody({ path, session }: { path: string; session: Session }) {
  switch (path) {
    case 'approvals':
      return <ApprovalsScreen session={session} />;
    case 'keys':
      return <KeysScreen session={session} />;
    case 'ceremonies':
      return <CeremoniesScreen session={session} />;
    case 'audit':
      return <AuditScreen />;
    case 'inventory':
      return <InventoryScreen />;
    case 'principals':
      return <PrincipalsScreen session={session} />;
    default:
      return null;
  }
}
