/**
 * writeAppend on both databases: events, the head and the rows written alongside them (a batch's
 * issuance records) land together or not at all.
 */
import { forEachDatabase, scratchDatabase } from '../../../../test/helpers/databases';
import type { DatabaseKind } from '../../../../test/helpers/key-service-app';
import { isUniqueViolation } from '../common/domain-error';
import type { BulkRows } from '../database/bulk-rows';
import type { AuditEventRow } from './audit-event.entity';
import { writeAppend } from './audit-sql';

jest.setTimeout(60_000);

function event(seq: number): AuditEventRow {
  return {
    seq,
    at: '2026-12-02T10:00:00.000Z',
    actorId: 'client-1',
    actorName: 'vendor',
    action: 'vending.token.credit',
    subjectType: 'issuance',
    subjectId: `issuance-${seq}`,
    outcome: 'success',
    requestId: `request-${seq}`,
    details: '{}',
    prevHash: `${seq - 1}`.padStart(64, '0'),
    hash: `${seq}`.padStart(64, '0'),
  };
}

const notes = (ids: number[]): BulkRows => ({
  table: 'notes',
  columns: [
    { name: 'id', type: 'integer' },
    { name: 'body', type: 'text' },
  ],
  rows: ids.map((id) => [id, `note ${id}`]),
});

forEachDatabase('writeAppend', (kind: DatabaseKind) => {
  const db = scratchDatabase(kind, 'append', { migrate: true });
  const isPostgres = db.isPostgres;

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

  beforeAll(async () => {
    await db.ds.query('CREATE TABLE notes (id integer PRIMARY KEY, body text NOT NULL)');
  });

  it('writes the events, the rows alongside them and the new head together', async () => {
    await db.ds.transaction((em) =>
      writeAppend(
        em,
        isPostgres,
        [event(1), event(2)],
        { seq: 2, hash: event(2).hash },
        notes([1, 2, 3]),
      ),
    );
    expect(await head()).toEqual({ seq: 2, hash: event(2).hash });
    expect(await count('audit_events')).toBe(2);
    expect(await db.ds.query('SELECT id, body FROM notes ORDER BY id')).toEqual([
      { id: 1, body: 'note 1' },
      { id: 2, body: 'note 2' },
      { id: 3, body: 'note 3' },
    ]);
    // Without rows alongside: the events and the head alone.
    await db.ds.transaction((em) =>
      writeAppend(em, isPostgres, [event(3)], { seq: 3, hash: event(3).hash }, notes([])),
    );
    expect(await head()).toEqual({ seq: 3, hash: event(3).hash });
    expect(await count('notes')).toBe(3);
  });

  it('writes nothing when a row alongside fails: no event, the head unmoved', async () => {
    const error = await db.ds
      .transaction((em) =>
        writeAppend(em, isPostgres, [event(4)], { seq: 4, hash: event(4).hash }, notes([4, 1])),
      )
      .then(
        () => undefined,
        (e: unknown) => e,
      );
    expect(isUniqueViolation(error)).toBe(true);
    expect(await head()).toEqual({ seq: 3, hash: event(3).hash });
    expect(await count('audit_events')).toBe(3);
    expect(await count('notes')).toBe(3);
  });

  it('refuses an append without events', async () => {
    await expect(
      db.ds.transaction((em) => writeAppend(em, isPostgres, [], { seq: 3, hash: '' }, notes([9]))),
    ).rejects.toThrow(RangeError);
    expect(await count('notes')).toBe(3);
  });
});
