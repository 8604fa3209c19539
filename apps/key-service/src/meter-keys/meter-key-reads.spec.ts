import type { EntityManager } from 'typeorm';
import { MeterKeyReads, type PurchaseRowRaw } from './meter-key-reads';

function fakeDatabase(rows: PurchaseRowRaw[], fail = false) {
  const statements: { sql: string; params: unknown[] }[] = [];
  const em = {
    connection: { options: { type: 'better-sqlite3' } },
    query: (sql: string, params: unknown[]) => {
      statements.push({ sql, params });
      return fail ? Promise.reject(new Error('down')) : Promise.resolve(rows);
    },
  } as unknown as EntityManager;
  const read = <T>(work: (m: EntityManager) => Promise<T>) => work(em);
  return { statements, reads: new MeterKeyReads(read) };
}

const row = (drn: string): PurchaseRowRaw => ({
  iin: '600727',
  drn,
  sgc: '600727',
  krn: 2,
  tariff_index: '01',
  ea: '07',
  vending_key_id: 'k2',
  change_id: null,
  change_state: null,
  change_to_key_id: null,
  change_to_ti: null,
});

describe('MeterKeyReads', () => {
  it('reads the rows asked for in one turn in one statement, each caller its own', async () => {
    const { statements, reads } = fakeDatabase([row('00000000018'), row('00000000026')]);
    const got = await Promise.all([
      reads.row('600727', '00000000026'),
      reads.row('600727', '00000000034'),
      reads.row('600727', '00000000018'),
    ]);
    expect(got.map((r) => r?.drn)).toEqual(['00000000026', undefined, '00000000018']);
    expect(statements).toHaveLength(1);
    expect(statements[0].sql).toContain('WHERE (iin, drn) IN (VALUES (?, ?), (?, ?), (?, ?))');
    expect(statements[0].params).toEqual([
      '600727',
      '00000000026',
      '600727',
      '00000000034',
      '600727',
      '00000000018',
    ]);
    await reads.row('600727', '00000000018');
    expect(statements).toHaveLength(2);
  });

  it('gives every caller of a failed read its error', async () => {
    const { reads } = fakeDatabase([], true);
    const results = await Promise.allSettled([
      reads.row('600727', '00000000018'),
      reads.row('600727', '00000000026'),
    ]);
    expect(results.map((r) => r.status)).toEqual(['rejected', 'rejected']);
  });
});
