import { type ReactNode, useCallback, useEffect, useState } from 'react';

/** The service's message for a failed call, announced to screen readers. */
export function ErrorMessage({ error }: { error: string | undefined }) {
  if (!error) return null;
  return (
    <p className="error" role="alert">
      {error}
    </p>
  );
}

/** A confirmation of a done action, announced politely. */
export function Notice({ text }: { text: string | undefined }) {
  if (!text) return null;
  return (
    <p className="notice" role="status">
      {text}
    </p>
  );
}

/**
 * Loads data with `load` (again when `deps` change or on `reload`), keeping the service's message
 * when it fails.
 */
export function useLoad<T>(load: () => Promise<T>, deps: readonly unknown[]) {
  const [data, setData] = useState<T>();
  const [error, setError] = useState<string>();
  const [round, setRound] = useState(0);
  const run = useCallback(load, deps);
  useEffect(() => {
    let live = true;
    setError(undefined);
    run().then(
      (value) => live && setData(value),
      (e: unknown) => live && setError(e instanceof Error ? e.message : String(e)),
    );
    return () => {
      live = false;
    };
  }, [run, round]);
  return { data, error, reload: () => setRound((r) => r + 1) };
}

/** Next/previous page controls for cursor-paged lists. */
export function Pager({
  hasPrevious,
  next,
  onPrevious,
  onNext,
}: {
  hasPrevious: boolean;
  next: string | null | undefined;
  onPrevious: () => void;
  onNext: (cursor: string) => void;
}) {
  return (
    <nav className="pager" aria-label="Pages">
      <button type="button" disabled={!hasPrevious} onClick={onPrevious}>
        Previous page
      </button>
      <button type="button" disabled={!next} onClick={() => next && onNext(next)}>
        Next page
      </button>
    </nav>
  );
}

/** Cursor paging state: the cursors of the pages before this one. */
export function useCursor() {
  const [stack, setStack] = useState<(string | undefined)[]>([]);
  const [cursor, setCursor] = useState<string>();
  return {
    cursor,
    hasPrevious: stack.length > 0,
    next: (c: string) => {
      setStack((s) => [...s, cursor]);
      setCursor(c);
    },
    previous: () => {
      setStack((s) => {
        setCursor(s[s.length - 1]);
        return s.slice(0, -1);
      });
    },
    reset: () => {
      setStack([]);
      setCursor(undefined);
    },
  };
}

export function Section({ title, children }: { title: string; children: ReactNode }) {
  return (
    <section aria-labelledby={`h-${title.replace(/\W+/g, '-')}`}>
      <h2 id={`h-${title.replace(/\W+/g, '-')}`}>{title}</h2>
      {children}
    </section>
  );
}

export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  return iso.replace('T', ' ').replace(/:\d\d\.\d{3}Z$/, ' UTC');
}

/** A text field of a submitted form ('' when absent). */
export function fieldText(form: FormData, name: string): string {
  const value = form.get(name);
  return typeof value === 'string' ? value : '';
}
