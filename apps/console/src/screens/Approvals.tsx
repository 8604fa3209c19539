import { useEffect, useState } from 'react';
import { api, dataOf, type Schemas, type Session } from '../api/client';
import { describeApproval, ruleOf } from '../approval-text';
import { ErrorMessage, formatTime, Notice, Pager, useCursor, useLoad } from '../components';

type Approval = Schemas['ApprovalDto'];

/** Pending requests, counted for the badge whenever the screen changes. */
export function usePendingCount(enabled: boolean, path: string): number {
  const [count, setCount] = useState(0);
  useEffect(() => {
    if (!enabled) return;
    let live = true;
    void api
      .GET('/api/v1/approvals', { params: { query: { state: 'pending', limit: 100 } } })
      .then((r) => live && r.data && setCount(r.data.items.length));
    return () => {
      live = false;
    };
  }, [enabled, path]);
  return count;
}

/**
 * The approvals inbox: pending requests with their payload in STS terms, the rule that requires
 * the approval and the payload hash; approving sends back the hash shown on this screen.
 */
export function ApprovalsScreen({ session }: { session: Session }) {
  const paging = useCursor();
  const [state, setState] = useState<'pending' | 'approved' | 'rejected' | 'failed'>('pending');
  const { data, error, reload } = useLoad(
    async () =>
      dataOf(
        await api.GET('/api/v1/approvals', {
          params: {
            query: { state, limit: 20, ...(paging.cursor ? { cursor: paging.cursor } : {}) },
          },
        }),
      ),
    [state, paging.cursor],
  );
  const decides = session.principal.roles.some((r) => r === 'security-officer' || r === 'admin');
  const [done, setDone] = useState<string>();
  return (
    <>
      <h1>Approvals</h1>
      <label htmlFor="approval-state">Show</label>{' '}
      <select
        id="approval-state"
        value={state}
        onChange={(e) => {
          setState(e.target.value as typeof state);
          paging.reset();
        }}
      >
        <option value="pending">pending requests</option>
        <option value="approved">approved</option>
        <option value="rejected">rejected</option>
        <option value="failed">failed</option>
      </select>
      <ErrorMessage error={error} />
      <Notice text={done} />
      {data && data.items.length === 0 ? <p>No {state} requests.</p> : null}
      <ul className="cards">
        {data?.items.map((a) => (
          <li key={a.id}>
            <ApprovalCard
              approval={a}
              session={session}
              decides={decides}
              onDecided={(message) => {
                setDone(message);
                reload();
              }}
            />
          </li>
        ))}
      </ul>
      <Pager
        hasPrevious={paging.hasPrevious}
        next={data?.next}
        onPrevious={paging.previous}
        onNext={paging.next}
      />
    </>
  );
}

function ApprovalCard({
  approval,
  session,
  decides,
  onDecided,
}: {
  approval: Approval;
  session: Session;
  decides: boolean;
  onDecided: (message: string) => void;
}) {
  const [error, setError] = useState<string>();
  const [reason, setReason] = useState('');
  const mine = approval.requestedBy === session.principal.id;
  const voted = approval.votes.some((v) => v.principalId === session.principal.id);
  const title = describeApproval(approval);

  async function decide(decision: 'approve' | 'reject') {
    setError(undefined);
    try {
      const answer =
        decision === 'approve'
          ? dataOf(
              await api.POST('/api/v1/approvals/{id}/approve', {
                params: { path: { id: approval.id } },
                // Exactly the hash this card shows.
                body: { payloadHash: approval.payloadHash },
              }),
            )
          : dataOf(
              await api.POST('/api/v1/approvals/{id}/reject', {
                params: { path: { id: approval.id } },
                body: reason ? { reason } : {},
              }),
            );
      onDecided(
        `${decision === 'approve' ? 'Approved' : 'Rejected'} “${title}”: the request is now ${answer.state}.` +
          (answer.result
            ? ` Second part of the new API key, shown once: ${answer.result.apiKeyPart}`
            : ''),
      );
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  return (
    <article className="card" aria-label={title}>
      <h2>{title}</h2>
      <dl>
        <dt>Action</dt>
        <dd>{approval.action}</dd>
        <dt>Requested by</dt>
        <dd>{mine ? 'you' : (approval.requestedByName ?? approval.requestedBy)}</dd>
        <dt>Rule</dt>
        <dd>{ruleOf(approval)}</dd>
        <dt>Requested</dt>
        <dd>{formatTime(approval.createdAt)}</dd>
        <dt>Expires</dt>
        <dd>{formatTime(approval.expiresAt)}</dd>
        <dt>Votes</dt>
        <dd>
          {approval.votes.length
            ? approval.votes
                .map((v) => `${v.decision} by ${v.principalName ?? v.principalId}`)
                .join('; ')
            : `none yet (${approval.quorum} needed)`}
        </dd>
        <dt>Payload hash (SHA-256)</dt>
        <dd>
          <code className="hash">{approval.payloadHash}</code>
        </dd>
      </dl>
      <details>
        <summary>Exact payload</summary>
        <pre>{JSON.stringify(approval.payload, null, 2)}</pre>
      </details>
      {approval.state === 'pending' && decides && !mine && !voted ? (
        <div className="actions">
          <button type="button" onClick={() => void decide('approve')}>
            Approve this payload
          </button>
          <label htmlFor={`reason-${approval.id}`}>Reason to reject</label>
          <input
            id={`reason-${approval.id}`}
            value={reason}
            maxLength={500}
            onChange={(e) => setReason(e.target.value)}
          />
          <button type="button" className="danger" onClick={() => void decide('reject')}>
            Reject
          </button>
        </div>
      ) : null}
      {mine && approval.state === 'pending' ? (
        <p className="help">Your own request: another person decides it.</p>
      ) : null}
      <ErrorMessage error={error} />
    </article>
  );
}
