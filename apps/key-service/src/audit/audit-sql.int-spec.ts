/**
 * appendEvents on both databases: events are chained after the head exactly as eventHash chains
 * them (on PostgreSQL the database computes the hashes), and the events, the new head and the
 * rows written alongside them (a batch's issuance records) land together or not at all.
 */
import { forEachDatabase, scratchDatabase } from '../../../../test/helpers/databases';
import type { DatabaseKind } from '../../../../test/helpers/key-service-app';
import { isUniqueViolation } from '../common/domain-error';
import type { BulkRows } from '../database/bulk-rows';
import { TransactionRunner } from '../database/transaction-runner';
import { GENESIS_HASH, eventHash } from './audit-chain';
import { appendEvents, type UnchainedEvent } from './audit-sql';

jest.setTimeout(60_000);

function event(n: number, details = '{}'): UnchainedEvent {
  return {
    at: '2026-12-02T10:00:00.000Z',
    actorId: 'client-1',
    actorName: 'vendor',
    action: 'vending.token.credit',
    subjectType: 'issuance',
    subjectId: `issuance-${n}`,
    outcome: 'success',
    requestId: `request-${n}`,
    details,
  };
}

/** Field values that JSON escapes or that are not ASCII. */
const AWKWARD = [
  event(100, '{"amount":"25.6","note":"quote \\" backslash \\\\ newline \\n tab \\t"}'),
  { ...event(101), actorName: 'Zoë Müller ✓ 𝄞', subjectId: 'línea\nnueva', requestId: '' },
  { ...event(102), details: '{"emoji":"😀","nul":"\\u0000","ctl":"\\u001f"}' },
];

const notes = (ids: number[]): BulkRows[] => [
  {
    table: 'notes',
    columns: [
      { name: 'id', type: 'integer' },
      { name: 'body', type: 'text' },
    ],
    rows: ids.map((id) => [id, `note ${id}`]),
  },
];

interface StoredEvent extends UnchainedEvent {
  seq: number | string;
  prevHash: string;
  hash: string;
}

forEachDatabase('appendEvents', (kind: DatabaseKind) => {
  const db = scratchDatabase(kind, 'append', { migrate: true });

  const head = async () =>
    (
      await db.ds.query<{ seq: number | string; hash: string }[]>(
        'SELECT seq, hash FROM audit_head',
      )
    )
      .map((r) => ({ seq: Number(r.seq), hash: r.hash }))
      .at(0);
  const count = async (table: string) =>
    Number(
      (await db.ds.query<{ n: number | string }[]>(`SELECT COUNT(*) AS n FROM ${table}`))[0].n,
    );
  /** Every stored event, re-hashed here: the chain must be exactly eventHash's. */
  const verifyChain = async () => {
    const rows = await db.ds.query<StoredEvent[]>(
      'SELECT seq, at, actor_id AS "actorId", actor_name AS "actorName", action, ' +
        'subject_type AS "subjectType", subject_id AS "subjectId", outcome, ' +
        'request_id AS "requestId", details, prev_hash AS "prevHash", hash ' +
        'FROM audit_events ORDER BY seq',
    );
    let previous = GENESIS_HASH;
    for (const [i, row] of rows.entries()) {
      const { prevHash, hash, ...fields } = row;
      expect(Number(fields.seq)).toBe(i + 1);
      expect(prevHash).toBe(previous);
      expect(hash).toBe(eventHash(prevHash, { ...fields, seq: Number(fields.seq) }));
      previous = hash;
    }
    expect(await head()).toEqual({ seq: rows.length, hash: previous });
    return rows;
  };

  beforeAll(async () => {
    await db.ds.query('CREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL)');
  });

  it('chains the events as eventHash does and writes the rows alongside them', async () => {
    const answered = await db.ds.transaction(async (em) => {
      const { head: after } = await appendEvents(em, [event(1), event(2)], notes([1, 2, 3]));
      return after;
    });
    const rows = await verifyChain();
    expect(rows.map((r) => r.subjectId)).toEqual(['issuance-1', 'issuance-2']);
    expect(answered).toEqual(await head());
    expect(await db.ds.query('SELECT id, body FROM notes ORDER BY id')).toEqual([
      { id: 1, body: 'note 1' },
      { id: 2, body: 'note 2' },
      { id: 3, body: 'note 3' },
    ]);
  });

  it('hashes escaped, non-ASCII and control characters the same way, without rows alongside', async () => {
    await db.ds.transaction((em) => appendEvents(em, AWKWARD, notes([])));
    await db.ds.transaction((em) => appendEvents(em, [event(3)]));
    const rows = await verifyChain();
    expect(rows.slice(2, 5).map((r) => r.actorName)).toEqual(AWKWARD.map((e) => e.actorName));
    expect(rows.slice(2, 5).map((r) => r.details)).toEqual(AWKWARD.map((e) => e.details));
    expect(await count('notes')).toBe(3);
  });

  it('writes nothing when a row alongside fails: no event, the head unmoved', async () => {
    const before = await head();
    const error = await db.ds
      .transaction((em) => appendEvents(em, [event(4)], notes([4, 1])))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isUniqueViolation(error)).toBe(true);
    expect(await head()).toEqual(before);
    expect(await count('audit_events')).toBe(6);
    expect(await count('notes')).toBe(3);
  });

  it('in a pipelined transaction: answers the head at commit, or fails the commit', async () => {
    const tx = new TransactionRunner(db.ds);
    // The work hands the answer on without waiting for it: it settles once the COMMIT went out.
    const appended = await tx.runPipelined((em) =>
      appendEvents(em, [event(5), event(6)], notes([5])),
    );
    expect(await appended.head).toEqual({ seq: 8, hash: (await head())?.hash });
    const error = await tx
      .runPipelined((em) => appendEvents(em, [event(7)], notes([6, 5])))
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isUniqueViolation(error)).toBe(true);
    await verifyChain();
    expect(await count('audit_events')).toBe(8);
  });

  it('keeps one chain when concurrent transactions append (several connections on PostgreSQL)', async () => {
    const tx = new TransactionRunner(db.ds);
    await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        tx.run((em) => appendEvents(em, [event(200 + i), event(300 + i)])),
      ),
    );
    const rows = await verifyChain();
    expect(rows).toHaveLength(32);
  });

  it('fails, writing nothing, when the head row is missing', async () => {
    const error = await db.ds
      .transaction(async (em) => {
        await em.query('DELETE FROM audit_head');
        await appendEvents(em, [event(8)], notes([8]));
      })
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    // PostgreSQL: the NOT NULL sequence column refuses the unchained event; SQLite: the read.
    if (kind === 'postgres') expect(error).toMatchObject({ code: '23502', column: 'seq' });
    else expect(error).toMatchObject({ message: 'audit_head is missing: run the migrations' });
    expect(await count('audit_events')).toBe(32);
    expect(await count('notes')).toBe(4);
    await verifyChain();
  });

  it('refuses an append without events', async () => {
    await expect(db.ds.transaction((em) => appendEvents(em, [], notes([9])))).rejects.toThrow(
      RangeError,
    );
    expect(await count('notes')).toBe(4);
  });
});
