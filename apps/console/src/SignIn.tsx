import { type FormEvent, useRef, useState } from 'react';
import { api, dataOf, type Session } from './api/client';
import { ErrorMessage, Notice } from './components';

/**
 * Sign-in: the person pastes their API key once; the service answers with a session cookie
 * (HttpOnly) and the key is dropped from the page at once. Nothing goes to browser storage.
 */
export function SignIn({
  onSignedIn,
  ended,
}: {
  onSignedIn: (s: Session) => void;
  ended: string | undefined;
}) {
  const field = useRef<HTMLInputElement>(null);
  const [error, setError] = useState<string>();
  const [busy, setBusy] = useState(false);

  async function submit(e: FormEvent) {
    e.preventDefault();
    const key = field.current?.value.trim() ?? '';
    if (field.current) field.current.value = '';
    setBusy(true);
    setError(undefined);
    try {
      onSignedIn(
        dataOf(await api.POST('/api/v1/sessions', { headers: { Authorization: `Bearer ${key}` } })),
      );
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="sign-in">
      <h1>STS key console</h1>
      <Notice text={ended} />
      <form onSubmit={(e) => void submit(e)}>
        <label htmlFor="api-key">Your API key</label>
        <input
          id="api-key"
          ref={field}
          type="password"
          autoComplete="off"
          spellCheck={false}
          required
          aria-describedby="api-key-help"
        />
        <p id="api-key-help" className="help">
          Used once to open a session; the console never stores it. Sessions end after 15 minutes
          without activity.
        </p>
        <button type="submit" disabled={busy}>
          Sign in
        </button>
      </form>
      <ErrorMessage error={error} />
    </main>
  );
}
