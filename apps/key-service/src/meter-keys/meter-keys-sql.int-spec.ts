/**
 * The registry's hand-written SQL on both databases: a campaign's moves upserted in bulk (new
 * rows and rows the registry had), and the meters a campaign finds on its target already.
 */
import { forEachDatabase, scratchDatabase } from '../../../../test/helpers/databases';
import type { DatabaseKind } from '../../../../test/helpers/key-service-app';
import { Clock } from '../common/clock';
import { TransactionRunner } from '../database/transaction-runner';
import { MeterKeyRecord } from './meter-key.entity';
import type { HeldKey } from './meter-key-transitions';
import { MeterKeyMoves } from './meter-key-moves';

jest.setTimeout(60_000);

const AT = '2026-12-08T10:00:00.000Z';
const KRN1: HeldKey = {
  vendingKeyId: 'k1',
  sgc: '600727',
  krn: 1,
  keyType: 2,
  baseDate: 1993,
  tariffIndex: '01',
};
const KRN2: HeldKey = {
  vendingKeyId: 'k2',
  sgc: '600727',
  krn: 2,
  keyType: 2,
  baseDate: 2014,
  tariffIndex: '02',
};

forEachDatabase('meter key registry SQL', (kind: DatabaseKind) => {
  const db = scratchDatabase(kind, 'meter-keys-sql', { migrate: true });
  let service: MeterKeyMoves;

  beforeAll(() => {
    service = new MeterKeyMoves(new TransactionRunner(db.ds), new Clock());
  });

  it('moves many meters in one upsert and finds those on the target', async () => {
    await db.ds.manager.insert(MeterKeyRecord, {
      iin: '600727',
      drn: '00000000018',
      sgc: '600727',
      krn: 1,
      tariffIndex: '01',
      keyType: 2,
      ea: '07',
      baseDate: 1993,
      vendingKeyId: 'k1',
      source: 'registered',
      sourceId: null,
      recordedBy: 'officer',
      updatedAt: AT,
      changeId: null,
      changeState: null,
      changeFromKeyId: null,
      changeFromTi: null,
      changeToKeyId: null,
      changeToTi: null,
    });
    const meters = ['00000000018', '00000000026', '00000000034'].map((drn) => ({
      iin: '600727',
      drn,
      ea: '07',
    }));
    await db.ds.transaction((em) =>
      service.recordCampaignMoves(em, {
        meters: meters.slice(0, 2),
        from: KRN1,
        to: KRN2,
        campaignId: 'c1',
        recordedBy: 'officer-b',
        at: AT,
      }),
    );
    const rows = await db.ds.manager.find(MeterKeyRecord, { order: { drn: 'ASC' } });
    expect(
      rows.map((r) => [r.drn, r.krn, r.tariffIndex, r.source, r.changeId, r.changeState]),
    ).toEqual([
      ['00000000018', 2, '02', 'campaign', 'c1', 'issued'],
      ['00000000026', 2, '02', 'campaign', 'c1', 'issued'],
    ]);
    expect(rows[0]).toMatchObject({
      baseDate: 2014,
      vendingKeyId: 'k2',
      changeFromKeyId: 'k1',
      changeFromTi: '01',
      changeToKeyId: 'k2',
      changeToTi: '02',
      recordedBy: 'officer-b',
    });
    const on = await db.ds.transaction((em) => service.onKey(em, meters, 'k2', '02'));
    expect([...on].sort()).toEqual(['600727|00000000018', '600727|00000000026']);
    expect(await db.ds.transaction((em) => service.onKey(em, meters, 'k2', '01'))).toEqual(
      new Set(),
    );
  });
});
