import { type FormEvent, useState } from 'react';
import { api, dataOf, type Schemas, type Session } from '../api/client';
import {
  ErrorMessage,
  fieldText,
  formatTime,
  Notice,
  Pager,
  Section,
  useCursor,
  useLoad,
} from '../components';

type Role = Schemas['PrincipalDto']['roles'][number];

const ROLES: readonly Role[] = [
  'admin',
  'security-officer',
  'custodian',
  'auditor',
  'vending-client',
];
/** Roles whose grant waits for a second admin (docs/adr/0006-dual-control-and-principals.md). */
const SECOND_ADMIN: readonly Role[] = ['admin', 'security-officer', 'custodian'];

/** Admins: principals, their roles and scopes, new principals and API keys. */
export function PrincipalsScreen({ session }: { session: Session }) {
  const paging = useCursor();
  const list = useLoad(
    async () =>
      dataOf(
        await api.GET('/api/v1/principals', {
          params: { query: { limit: 50, ...(paging.cursor ? { cursor: paging.cursor } : {}) } },
        }),
      ),
    [paging.cursor],
  );
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();

  async function requestKey(id: string, name: string) {
    setError(undefined);
    try {
      const issued = dataOf(
        await api.POST('/api/v1/principals/{id}/api-key', { params: { path: { id } } }),
      );
      setDone(
        `New key for ${name} requested: first part, shown once: ${issued.apiKeyPart}. A second admin approves it in the inbox and receives the second part.`,
      );
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  return (
    <>
      <h1>Principals</h1>
      <Section title="People and systems">
        <ErrorMessage error={list.error ?? error} />
        <Notice text={done} />
        <table>
          <caption className="visually-hidden">Principals by name</caption>
          <thead>
            <tr>
              <th scope="col">Name</th>
              <th scope="col">Roles</th>
              <th scope="col">Scope</th>
              <th scope="col">State</th>
              <th scope="col">Created</th>
              <th scope="col">API key</th>
            </tr>
          </thead>
          <tbody>
            {list.data?.items.map((p) => (
              <tr key={p.id}>
                <td>{p.name}</td>
                <td>{p.roles.join(', ')}</td>
                <td>{p.sgcScope.join(', ') || '—'}</td>
                <td>{p.state}</td>
                <td>{formatTime(p.createdAt)}</td>
                <td>
                  {p.id === session.principal.id ? (
                    'you'
                  ) : (
                    <button type="button" onClick={() => void requestKey(p.id, p.name)}>
                      Issue a new key for {p.name}
                    </button>
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <Pager
          hasPrevious={paging.hasPrevious}
          next={list.data?.next}
          onPrevious={paging.previous}
          onNext={paging.next}
        />
      </Section>
      <CreatePrincipal onCreated={list.reload} />
    </>
  );
}

function CreatePrincipal({ onCreated }: { onCreated: () => void }) {
  const [roles, setRoles] = useState<Role[]>([]);
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  const needsSecond = roles.some((r) => SECOND_ADMIN.includes(r));

  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    const scope = fieldText(f, 'sgcScope')
      .split(/[\s,]+/)
      .filter(Boolean);
    setError(undefined);
    try {
      const r = await api.POST('/api/v1/principals', {
        body: { name: fieldText(f, 'name'), roles, ...(scope.length ? { sgcScope: scope } : {}) },
      });
      const answer = dataOf(r) as Partial<
        Schemas['PrincipalWithKeyDto'] & Schemas['PrincipalKeyPartDto']
      >;
      setDone(
        answer.apiKey
          ? `Created. Enrolment key, shown once (its holder exchanges it for their own): ${answer.apiKey}`
          : `Requested: a second admin approves it in the inbox. First part of the enrolment key, shown once: ${answer.apiKeyPart ?? ''}`,
      );
      onCreated();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }

  return (
    <Section title="New principal">
      <form onSubmit={(e) => void submit(e)} aria-label="New principal">
        <label htmlFor="p-name">Name</label>
        <input id="p-name" name="name" required maxLength={100} />
        <fieldset>
          <legend>Roles</legend>
          {ROLES.map((r) => (
            <label key={r}>
              <input
                type="checkbox"
                checked={roles.includes(r)}
                onChange={(e) =>
                  setRoles((rs) => (e.target.checked ? [...rs, r] : rs.filter((x) => x !== r)))
                }
              />{' '}
              {r}
            </label>
          ))}
        </fieldset>
        <label htmlFor="p-scope">Supply groups (vending clients only)</label>
        <input id="p-scope" name="sgcScope" placeholder="600727, 600728" />
        <p className="help" aria-live="polite">
          {needsSecond
            ? 'Admin, security-officer and custodian grants wait for a second admin; an admin cannot also be an officer or custodian.'
            : 'Auditor and vending-client grants apply at once.'}
        </p>
        <button type="submit" disabled={roles.length === 0}>
          Create principal
        </button>
        <Notice text={done} />
        <ErrorMessage error={error} />
      </form>
    </Section>
  );
}
