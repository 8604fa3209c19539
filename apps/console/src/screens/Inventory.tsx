import { api, dataOf } from '../api/client';
import { ErrorMessage, formatTime, Pager, useCursor, useLoad } from '../components';

/** The key inventory report: a page, a CSV download and a print layout. */
export function InventoryScreen() {
  const paging = useCursor();
  const report = useLoad(
    async () =>
      dataOf(
        await api.GET('/api/v1/reports/key-inventory', {
          params: { query: { limit: 100, ...(paging.cursor ? { cursor: paging.cursor } : {}) } },
        }),
      ),
    [paging.cursor],
  );
  return (
    <>
      <h1>Key inventory</h1>
      <p className="no-print">
        <a className="button" href="/api/v1/reports/key-inventory.csv" download="key-inventory.csv">
          Download the inventory (CSV)
        </a>{' '}
        <button type="button" onClick={() => window.print()}>
          Print
        </button>
      </p>
      <p className="print-only">Printed {new Date().toISOString()}</p>
      <ErrorMessage error={report.error} />
      <table className="inventory">
        <caption className="visually-hidden">Every vending key</caption>
        <thead>
          <tr>
            <th scope="col">SGC</th>
            <th scope="col">KRN</th>
            <th scope="col">Type</th>
            <th scope="col">DKGA</th>
            <th scope="col">State</th>
            <th scope="col">KCV</th>
            <th scope="col">Loaded</th>
            <th scope="col">Active from</th>
            <th scope="col">Issue until</th>
            <th scope="col">Expiry</th>
            <th scope="col">Started by</th>
            <th scope="col">Custodians</th>
            <th scope="col">Approvers</th>
          </tr>
        </thead>
        <tbody>
          {report.data?.items.map((k) => (
            <tr key={k.id}>
              <td>{k.sgc}</td>
              <td>{k.krn}</td>
              <td>{k.keyType}</td>
              <td>{k.dkga}</td>
              <td>{k.state}</td>
              <td>
                <code>{k.kcv ?? '—'}</code>
              </td>
              <td>
                {k.loadMethod}, {formatTime(k.createdAt)}
              </td>
              <td>{formatTime(k.activateAt)}</td>
              <td>{formatTime(k.issueUntil)}</td>
              <td>{formatTime(k.expiresAt)}</td>
              <td>{k.requestedBy}</td>
              <td>{k.custodians.join(', ') || '—'}</td>
              <td>{k.approvers.join(', ') || '—'}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager
        hasPrevious={paging.hasPrevious}
        next={report.data?.next}
        onPrevious={paging.previous}
        onNext={paging.next}
      />
    </>
  );
}
