import { type FormEvent, useEffect, useRef, useState } from 'react';
import { api, dataOf, type Schemas, type Session } from '../api/client';
import { ErrorMessage, formatTime, Notice, useLoad } from '../components';
import { checkValueOf, hexBytes } from '../kcv';

type Ceremony = Schemas['CeremonyDto'];
type Released = Schemas['ReleasedComponentDto'];

/** Whether `me` may act in `c`: named as one of its custodians, or any custodian when none is. */
function isMine(c: Ceremony, me: string): boolean {
  return c.custodians.length === 0 || c.custodians.includes(me);
}

/** The custodian's ceremonies: enter a component (checked in the page first) or collect one. */
export function CeremoniesScreen({ session }: { session: Session }) {
  const me = session.principal.id;
  const list = useLoad(async () => {
    const [open, releasing] = await Promise.all([
      api.GET('/api/v1/ceremonies', { params: { query: { state: 'open', limit: 100 } } }),
      api.GET('/api/v1/ceremonies', { params: { query: { state: 'releasing', limit: 100 } } }),
    ]);
    return [...dataOf(open).items, ...dataOf(releasing).items].filter((c) => isMine(c, me));
  }, [me]);
  const [done, setDone] = useState<string>();
  const changed = (message: string) => {
    setDone(message);
    list.reload();
  };
  return (
    <>
      <h1>My ceremonies</h1>
      <ErrorMessage error={list.error} />
      <Notice text={done} />
      {list.data && list.data.length === 0 ? <p>No ceremony waits for you.</p> : null}
      <ul className="cards">
        {list.data?.map((c) => (
          <li key={c.id}>
            <CeremonyCard ceremony={c} me={me} onChanged={changed} />
          </li>
        ))}
      </ul>
    </>
  );
}

function CeremonyCard({
  ceremony,
  me,
  onChanged,
}: {
  ceremony: Ceremony;
  me: string;
  onChanged: (message: string) => void;
}) {
  const entered = ceremony.components.find((x) => x.custodianId === me);
  return (
    <article className="card" aria-label={`Ceremony ${ceremony.id}`}>
      <h2>
        {ceremony.purpose} {ceremony.algorithm} key, {ceremony.lengthBytes} bytes:{' '}
        {ceremony.components.length} of {ceremony.componentCount} components
      </h2>
      <dl>
        <dt>Ceremony</dt>
        <dd>
          <code>{ceremony.id}</code>
        </dd>
        <dt>Opened</dt>
        <dd>{formatTime(ceremony.createdAt)}</dd>
        <dt>Expected check value of the combined key</dt>
        <dd>
          <code>{ceremony.expectedKcv}</code>
        </dd>
      </dl>
      {entered ? (
        <p>
          You entered component {entered.index} (check value <code>{entered.kcv}</code>) at{' '}
          {formatTime(entered.submittedAt)}.
        </p>
      ) : ceremony.state === 'open' ? (
        <ComponentForm ceremony={ceremony} onSubmitted={onChanged} />
      ) : (
        <Release ceremony={ceremony} me={me} onCollected={onChanged} />
      )}
    </article>
  );
}

/**
 * The component form: the check value is computed in the page (nothing is sent) and compared with
 * the one on the custodian's paperwork; only a match can be submitted. The component field is
 * never autocompleted and is cleared on submit and when the form goes away.
 */
function ComponentForm({
  ceremony,
  onSubmitted,
}: {
  ceremony: Ceremony;
  onSubmitted: (message: string) => void;
}) {
  const component = useRef<HTMLInputElement>(null);
  const [paperKcv, setPaperKcv] = useState('');
  const [computed, setComputed] = useState<string>();
  const [problem, setProblem] = useState<string>();
  const [error, setError] = useState<string>();
  const fieldId = `component-${ceremony.id}`;

  useEffect(() => {
    const field = component.current;
    const clear = () => {
      if (field) field.value = '';
    };
    window.addEventListener('pagehide', clear);
    return () => {
      clear();
      window.removeEventListener('pagehide', clear);
    };
  }, []);

  async function recompute() {
    const bytes = hexBytes(component.current?.value ?? '');
    if (!bytes) {
      setComputed(undefined);
      setProblem(component.current?.value ? 'The component is not whole bytes of hex.' : undefined);
      return;
    }
    try {
      setComputed(await checkValueOf(ceremony.algorithm, bytes));
      setProblem(undefined);
    } catch (e) {
      setComputed(undefined);
      setProblem(e instanceof Error ? e.message : String(e));
    } finally {
      bytes.fill(0);
    }
  }

  const matches = computed !== undefined && computed === paperKcv.trim().toLowerCase();

  async function submit(e: FormEvent) {
    e.preventDefault();
    setError(undefined);
    const value = component.current?.value.trim() ?? '';
    if (component.current) component.current.value = '';
    setComputed(undefined);
    if (!matches) {
      setError(
        'The check value computed from the component differs from your paperwork: nothing was sent. Enter the component again.',
      );
      return;
    }
    try {
      const after = dataOf(
        await api.POST('/api/v1/ceremonies/{id}/components', {
          params: { path: { id: ceremony.id } },
          body: { component: value, kcv: paperKcv.trim().toLowerCase() },
        }),
      );
      setPaperKcv('');
      onSubmitted(
        `Component accepted: ${after.components.length} of ${after.componentCount} entered; the ceremony is ${after.state}.`,
      );
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  return (
    <form onSubmit={(e) => void submit(e)} aria-label="Enter your component" autoComplete="off">
      <label htmlFor={fieldId}>Your component (hex)</label>
      <input
        id={fieldId}
        ref={component}
        type="password"
        autoComplete="off"
        autoCorrect="off"
        autoCapitalize="off"
        spellCheck={false}
        inputMode="text"
        onInput={() => void recompute()}
        aria-describedby={`${fieldId}-kcv`}
      />
      <label htmlFor={`${fieldId}-paper`}>Check value on your paperwork</label>
      <input
        id={`${fieldId}-paper`}
        value={paperKcv}
        onChange={(e) => setPaperKcv(e.target.value)}
        autoComplete="off"
        spellCheck={false}
        maxLength={6}
        pattern="[0-9a-fA-F]{6}"
        required
      />
      <p id={`${fieldId}-kcv`} className={matches ? 'match' : 'help'} aria-live="polite">
        Computed in this page: <code>{computed ?? '——'}</code>
        {computed && paperKcv.length === 6
          ? matches
            ? ' — matches your paperwork'
            : ' — does NOT match your paperwork'
          : ''}
      </p>
      {problem ? <p className="help">{problem}</p> : null}
      <button type="submit" disabled={!matches}>
        Submit component
      </button>
      <ErrorMessage error={error} />
    </form>
  );
}

/** A generated key's component: collected once, shown once, with a print layout for the envelope. */
function Release({
  ceremony,
  me,
  onCollected,
}: {
  ceremony: Ceremony;
  me: string;
  onCollected: (message: string) => void;
}) {
  const index = ceremony.custodians.indexOf(me) + 1;
  const [released, setReleased] = useState<Released>();
  const [error, setError] = useState<string>();
  if (index === 0) return <p>Another custodian collects the components of this key.</p>;

  async function collect() {
    setError(undefined);
    try {
      setReleased(
        dataOf(
          await api.POST('/api/v1/ceremonies/{id}/components/{index}/release', {
            params: { path: { id: ceremony.id, index } },
          }),
        ),
      );
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  if (released) {
    return (
      <div className="envelope">
        <p>
          Component {released.index} of ceremony <code>{ceremony.id}</code>, shown once: the token
          has destroyed its copy.
        </p>
        <p className="secret">
          <code>{released.component}</code>
        </p>
        <p>
          Check value <code>{released.kcv}</code>
        </p>
        <p className="print-only">
          Sealed by: ____________________ Date: __________ Bag serial: __________
        </p>
        <button type="button" className="no-print" onClick={() => window.print()}>
          Print for the sealed envelope
        </button>{' '}
        <button
          type="button"
          className="no-print"
          onClick={() => {
            setReleased(undefined);
            onCollected(`Component ${released.index} collected and put away.`);
          }}
        >
          I have sealed it: hide the component
        </button>
      </div>
    );
  }
  return (
    <>
      <button type="button" onClick={() => void collect()}>
        Collect component {index} (once)
      </button>
      <ErrorMessage error={error} />
    </>
  );
}
