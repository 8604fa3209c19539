import { type FormEvent, useState } from 'react';
import { api, dataOf } from '../api/client';
import { ErrorMessage, formatTime, Section, useLoad, fieldText } from '../components';

interface Filters {
  actorId?: string;
  action?: string;
  subjectId?: string;
  from?: string;
  to?: string;
}

const PAGE = 50;

/** The auditor's view: events with filters and paging, the chain's verification, the export. */
export function AuditScreen() {
  const [filters, setFilters] = useState<Filters>({});
  const [afters, setAfters] = useState<number[]>([]);
  const after = afters[afters.length - 1];
  const events = useLoad(
    async () =>
      dataOf(
        await api.GET('/api/v1/audit/events', {
          params: { query: { ...filters, limit: PAGE, ...(after ? { after } : {}) } },
        }),
      ),
    [filters, after],
  );

  function apply(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const value = (name: string) => fieldText(f, name).trim() || undefined;
    const time = (name: string) => {
      const v = value(name);
      return v ? new Date(`${v}Z`).toISOString() : undefined;
    };
    setFilters(
      Object.fromEntries(
        Object.entries({
          actorId: value('actorId'),
          action: value('action'),
          subjectId: value('subjectId'),
          from: time('from'),
          to: time('to'),
        }).filter(([, v]) => v !== undefined),
      ),
    );
    setAfters([]);
  }

  return (
    <>
      <h1>Audit trail</h1>
      <Verification />
      <Section title="Events">
        <form className="filters" onSubmit={apply} aria-label="Filter events">
          <label htmlFor="f-actor">Actor id</label>
          <input id="f-actor" name="actorId" />
          <label htmlFor="f-action">Action</label>
          <input id="f-action" name="action" placeholder="e.g. key.activate" />
          <label htmlFor="f-subject">Subject id</label>
          <input id="f-subject" name="subjectId" />
          <label htmlFor="f-from">From (UTC)</label>
          <input id="f-from" name="from" type="datetime-local" step={1} />
          <label htmlFor="f-to">To (UTC)</label>
          <input id="f-to" name="to" type="datetime-local" step={1} />
          <button type="submit">Apply filters</button>
        </form>
        <ErrorMessage error={events.error} />
        <table className="events">
          <caption className="visually-hidden">Audit events, oldest first</caption>
          <thead>
            <tr>
              <th scope="col">Seq</th>
              <th scope="col">Time</th>
              <th scope="col">Actor</th>
              <th scope="col">Action</th>
              <th scope="col">Subject</th>
              <th scope="col">Outcome</th>
            </tr>
          </thead>
          <tbody>
            {events.data?.items.map((e) => (
              <tr key={e.seq}>
                <td>{e.seq}</td>
                <td>{formatTime(e.at)}</td>
                <td>{e.actorName}</td>
                <td>{e.action}</td>
                <td>
                  {e.subjectType} <code>{e.subjectId}</code>
                </td>
                <td>{e.outcome}</td>
              </tr>
            ))}
          </tbody>
        </table>
        {events.data && events.data.items.length === 0 ? <p>No event matches.</p> : null}
        <nav className="pager" aria-label="Pages">
          <button
            type="button"
            disabled={afters.length === 0}
            onClick={() => setAfters((a) => a.slice(0, -1))}
          >
            Previous page
          </button>
          <button
            type="button"
            disabled={!events.data?.next}
            onClick={() => {
              const next = events.data?.next;
              if (next) setAfters((a) => [...a, next]);
            }}
          >
            Next page
          </button>
        </nav>
      </Section>
      <Section title="Export">
        <p>
          The whole trail as signed JSON Lines, for the offline verifier (<code>verify-audit</code>
          ).
        </p>
        <a className="button" href="/api/v1/audit/export" download="audit-export.jsonl">
          Download the audit export
        </a>
      </Section>
    </>
  );
}

function Verification() {
  const [round, setRound] = useState(0);
  const result = useLoad(async () => dataOf(await api.GET('/api/v1/audit/verification')), [round]);
  const checkpoints = useLoad(
    async () => dataOf(await api.GET('/api/v1/audit/checkpoints')),
    [round],
  );
  const v = result.data;
  return (
    <Section title="Chain verification">
      <ErrorMessage error={result.error ?? checkpoints.error} />
      {v ? (
        <p className={v.ok ? 'verified' : 'error'} role="status">
          {v.ok
            ? `Chain verified: ${v.eventsChecked} events and ${v.checkpointsChecked} signed checkpoints intact (last event ${v.lastSeq}, last signed ${v.lastSignedSeq}).`
            : `Chain BROKEN at event ${v.firstBroken?.seq ?? '?'}: ${v.firstBroken?.message ?? ''}`}
        </p>
      ) : (
        <p>Verifying…</p>
      )}
      {v ? (
        <p className="help">
          Audit key fingerprint <code>{v.keyFingerprint}</code>
        </p>
      ) : null}
      <button type="button" onClick={() => setRound((r) => r + 1)}>
        Verify again
      </button>
      {checkpoints.data ? (
        <table>
          <caption>Signed checkpoints (newest 10)</caption>
          <thead>
            <tr>
              <th scope="col">Seq</th>
              <th scope="col">Time</th>
              <th scope="col">Hash</th>
            </tr>
          </thead>
          <tbody>
            {checkpoints.data.items
              .slice(-10)
              .reverse()
              .map((c) => (
                <tr key={c.seq}>
                  <td>{c.seq}</td>
                  <td>{formatTime(c.at)}</td>
                  <td>
                    <code className="hash">{c.hash}</code>
                  </td>
                </tr>
              ))}
          </tbody>
        </table>
      ) : null}
    </Section>
  );
}
