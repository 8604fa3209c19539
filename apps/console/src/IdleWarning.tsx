import { useEffect, useState } from 'react';
import { api, dataOf, type Session } from './api/client';

/** The service ends a session after 15 minutes without a request. */
export const IDLE_MS = 15 * 60_000;
/** The warning shows this long before. */
export const WARN_MS = 2 * 60_000;

/** A warning before the idle timeout, with a button that renews the session. */
export function IdleWarning({
  lastActivity,
  onRenewed,
  onExpired,
}: {
  lastActivity: number;
  onRenewed: (s: Session) => void;
  onExpired: (why?: string) => void;
}) {
  const [now, setNow] = useState(Date.now());
  const [error, setError] = useState<string>();
  useEffect(() => {
    const timer = window.setInterval(() => setNow(Date.now()), 1000);
    return () => window.clearInterval(timer);
  }, []);
  const left = lastActivity + IDLE_MS - now;
  useEffect(() => {
    if (left <= 0)
      onExpired('Your session ended after 15 minutes without activity: sign in again.');
  }, [left, onExpired]);
  if (left > WARN_MS) return null;

  async function renew() {
    try {
      onRenewed(dataOf(await api.POST('/api/v1/sessions/current/renew')));
      setError(undefined);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  const seconds = Math.max(0, Math.ceil(left / 1000));
  return (
    <div className="idle" role="alertdialog" aria-labelledby="idle-title" aria-live="assertive">
      <p id="idle-title">
        Your session ends in {Math.floor(seconds / 60)}:{String(seconds % 60).padStart(2, '0')}{' '}
        without activity.
      </p>
      <button type="button" onClick={() => void renew()}>
        Stay signed in
      </button>
      {error ? <p role="alert">{error}</p> : null}
    </div>
  );
}
