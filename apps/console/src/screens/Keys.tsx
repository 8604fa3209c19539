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

type VendingKey = Schemas['VendingKeyDto'];
type StartRevision = Schemas['StartRevisionDto'];

/** Supply groups and, per group, the key revision timeline; officers start and activate revisions. */
export function KeysScreen({ session }: { session: Session }) {
  const officer = session.principal.roles.includes('security-officer');
  const paging = useCursor();
  const [sgc, setSgc] = useState<string>();
  const groups = useLoad(
    async () =>
      dataOf(
        await api.GET('/api/v1/supply-groups', {
          params: { query: { limit: 50, ...(paging.cursor ? { cursor: paging.cursor } : {}) } },
        }),
      ),
    [paging.cursor],
  );
  return (
    <>
      <h1>Key revisions</h1>
      <Section title="Supply groups">
        <ErrorMessage error={groups.error} />
        <table>
          <caption className="visually-hidden">Supply groups</caption>
          <thead>
            <tr>
              <th scope="col">SGC</th>
              <th scope="col">Name</th>
              <th scope="col">State</th>
              <th scope="col">Revisions</th>
            </tr>
          </thead>
          <tbody>
            {groups.data?.items.map((g) => (
              <tr key={g.sgc} aria-selected={g.sgc === sgc}>
                <td>{g.sgc}</td>
                <td>{g.name}</td>
                <td>{g.state}</td>
                <td>
                  <button type="button" onClick={() => setSgc(g.sgc)}>
                    Show revisions of {g.sgc}
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
        <Pager
          hasPrevious={paging.hasPrevious}
          next={groups.data?.next}
          onPrevious={paging.previous}
          onNext={paging.next}
        />
        {officer ? <CreateGroup onCreated={groups.reload} /> : null}
      </Section>
      {sgc ? <Revisions sgc={sgc} officer={officer} /> : null}
    </>
  );
}

function CreateGroup({ onCreated }: { onCreated: () => void }) {
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const form = new FormData(e.currentTarget);
    setError(undefined);
    try {
      const g = dataOf(
        await api.POST('/api/v1/supply-groups', {
          body: { sgc: fieldText(form, 'sgc'), name: fieldText(form, 'name') },
        }),
      );
      setDone(`Supply group ${g.sgc} created.`);
      onCreated();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }
  return (
    <form className="inline" onSubmit={(e) => void submit(e)} aria-label="New supply group">
      <label htmlFor="new-sgc">SGC</label>
      <input id="new-sgc" name="sgc" required pattern="[0-9]{6}" inputMode="numeric" />
      <label htmlFor="new-sgc-name">Name</label>
      <input id="new-sgc-name" name="name" required maxLength={100} />
      <button type="submit">Create supply group</button>
      <Notice text={done} />
      <ErrorMessage error={error} />
    </form>
  );
}

function Revisions({ sgc, officer }: { sgc: string; officer: boolean }) {
  const keys = useLoad(
    async () =>
      dataOf(await api.GET('/api/v1/vending-keys', { params: { query: { sgc, limit: 100 } } })),
    [sgc],
  );
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();

  async function requestActivation(key: VendingKey) {
    setError(undefined);
    try {
      const a = dataOf(
        await api.POST('/api/v1/vending-keys/{id}/activate', {
          params: { path: { id: key.id } },
          body: {},
        }),
      );
      setDone(
        `Activation of KRN ${key.krn} requested (${a.action}): a second officer approves it in the inbox.`,
      );
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    }
  }

  return (
    <Section title={`Revisions of SGC ${sgc}`}>
      <ErrorMessage error={keys.error ?? error} />
      <Notice text={done} />
      <table>
        <caption className="visually-hidden">Key revisions of {sgc}</caption>
        <thead>
          <tr>
            <th scope="col">KRN</th>
            <th scope="col">State</th>
            <th scope="col">Type</th>
            <th scope="col">DKGA</th>
            <th scope="col">KCV</th>
            <th scope="col">Loaded</th>
            <th scope="col">Activation</th>
            <th scope="col">Issue until</th>
            <th scope="col">Expiry</th>
            {officer ? <th scope="col">Action</th> : null}
          </tr>
        </thead>
        <tbody>
          {keys.data?.items.map((k) => (
            <tr key={k.id}>
              <td>{k.krn}</td>
              <td>
                <span className={`state state-${k.state}`}>{k.state}</span>
              </td>
              <td>{k.keyType}</td>
              <td>{k.dkga}</td>
              <td>
                <code>{k.kcv ?? `expected ${k.expectedKcv}`}</code>
              </td>
              <td>
                {k.loadMethod}, {formatTime(k.createdAt)}
              </td>
              <td>{formatTime(k.activateAt)}</td>
              <td>{formatTime(k.issueUntil)}</td>
              <td>{formatTime(k.expiresAt)}</td>
              {officer ? (
                <td>
                  {k.state === 'pending-approval' ? (
                    <button type="button" onClick={() => void requestActivation(k)}>
                      Request activation of KRN {k.krn}
                    </button>
                  ) : null}
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
      {officer ? <StartRevision sgc={sgc} onStarted={keys.reload} /> : null}
    </Section>
  );
}

function StartRevision({ sgc, onStarted }: { sgc: string; onStarted: () => void }) {
  const [error, setError] = useState<string>();
  const [done, setDone] = useState<string>();
  async function submit(e: FormEvent<HTMLFormElement>) {
    e.preventDefault();
    const f = new FormData(e.currentTarget);
    setError(undefined);
    try {
      const started = dataOf(
        await api.POST('/api/v1/supply-groups/{sgc}/vending-keys', {
          params: { path: { sgc } },
          body: {
            keyType: fieldText(f, 'keyType') as StartRevision['keyType'],
            dkga: fieldText(f, 'dkga') as StartRevision['dkga'],
            allowedEas: f.getAll('allowedEas').filter((v): v is string => typeof v === 'string'),
            baseDate: Number(f.get('baseDate')) as StartRevision['baseDate'],
            ken: Number(f.get('ken')),
            expectedKcv: fieldText(f, 'expectedKcv'),
            loadMethod: 'ceremony',
            componentCount: Number(f.get('componentCount')),
          },
        }),
      );
      setDone(
        `KRN ${started.vendingKey.krn} started: its ceremony waits for ${started.ceremony?.componentCount ?? '?'} custodians.`,
      );
      onStarted();
    } catch (err) {
      setError(err instanceof Error ? err.message : String(err));
    }
  }
  return (
    <form onSubmit={(e) => void submit(e)} aria-label="Start a key revision by ceremony">
      <h3>Start the next revision (key ceremony)</h3>
      <div className="grid">
        <label htmlFor="rev-type">Key type</label>
        <select id="rev-type" name="keyType" defaultValue="VUDK">
          <option>VUDK</option>
          <option>VDDK</option>
          <option>VCDK</option>
        </select>
        <label htmlFor="rev-dkga">DKGA</label>
        <select id="rev-dkga" name="dkga" defaultValue="02">
          <option>02</option>
          <option>04</option>
        </select>
        <fieldset>
          <legend>Encryption algorithms</legend>
          {['07', '09', '11'].map((ea) => (
            <label key={ea}>
              <input type="checkbox" name="allowedEas" value={ea} defaultChecked={ea === '07'} /> EA
              {ea}
            </label>
          ))}
        </fieldset>
        <label htmlFor="rev-base">Base date</label>
        <select id="rev-base" name="baseDate" defaultValue="1993">
          <option>1993</option>
          <option>2014</option>
          <option>2035</option>
        </select>
        <label htmlFor="rev-ken">KEN</label>
        <input id="rev-ken" name="ken" type="number" min={0} max={255} defaultValue={255} />
        <label htmlFor="rev-kcv">Expected KCV of the combined key</label>
        <input id="rev-kcv" name="expectedKcv" required pattern="[0-9a-fA-F]{6}" />
        <label htmlFor="rev-count">Components</label>
        <input
          id="rev-count"
          name="componentCount"
          type="number"
          min={2}
          max={3}
          defaultValue={2}
        />
      </div>
      <button type="submit">Start revision</button>
      <Notice text={done} />
      <ErrorMessage error={error} />
    </form>
  );
}
