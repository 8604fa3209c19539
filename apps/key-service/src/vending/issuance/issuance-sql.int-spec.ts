/**
 * allocateReadingKeys on both databases: the keys it reads (as JSON beside the TID upsert's rows
 * on PostgreSQL) are the keys readKeysById reads, supply-group state included, and the keys are
 * checked before the TIDs' windows.
 */
import { forEachDatabase, scratchDatabase } from '../../../../../test/helpers/databases';
import type { DatabaseKind } from '../../../../../test/helpers/key-service-app';
import { DomainError } from '../../common/domain-error';
import { ErrorCode } from '../../common/error-codes';
import { SupplyGroup } from '../../supply-groups/supply-group.entity';
import { VendingKey } from '../../vending-keys/vending-key.entity';
import { TidAllocator } from '../tid-allocation/tid-allocator';
import { allocateReadingKeys, type KeysById, readKeysById } from './issuance-sql';

jest.setTimeout(60_000);

const AT = '2026-12-02T10:00:00.000Z';
const meter = (drn: string) => ({ iin: '600727', drn });

forEachDatabase('allocateReadingKeys', (kind: DatabaseKind) => {
  const db = scratchDatabase(kind, 'issuance-sql', { migrate: true });
  const allocator = new TidAllocator(10);

  beforeAll(async () => {
    await db.ds.manager.insert(SupplyGroup, {
      id: 'sg-1',
      sgc: '600727',
      name: 'Test',
      cluster: null,
      state: 'suspended',
      pendingRevisionId: null,
      createdAt: AT,
      updatedAt: AT,
    });
    for (const [id, krn] of [
      ['key-1', 1],
      ['key-2', 2],
    ] as const) {
      await db.ds.manager.insert(VendingKey, {
        id,
        supplyGroupId: 'sg-1',
        sgc: '600727',
        krn,
        liveKrn: krn,
        keyType: 'VUDK',
        dkga: '02',
        keyLengthBytes: 8,
        allowedEas: ['07', '11'],
        baseDate: 2014,
        ken: 255,
        activateAt: null,
        issueUntil: '2030-01-01T00:00:00.000Z',
        expiresAt: null,
        state: 'active',
        expectedKcv: 'abcdef',
        kcv: 'abcdef',
        tokenLabel: `label-${id}`,
        loadMethod: 'ceremony',
        supersedesId: null,
        supersedeAt: null,
        createdBy: 'test',
        createdAt: AT,
        updatedAt: AT,
        destroyedAt: null,
      });
    }
  });

  it('reads the keys as readKeysById does and allocates each TID', async () => {
    const expected = await readKeysById(db.ds.manager, ['key-1', 'key-2']);
    let seen: KeysById | undefined;
    const tids = await db.ds.transaction((em) =>
      allocateReadingKeys(
        em,
        allocator,
        [
          { vendingKeyId: 'key-1', meter: meter('01234567890'), nowTid: 100 },
          { vendingKeyId: 'key-2', meter: meter('01234567890'), nowTid: 100 },
          { vendingKeyId: 'key-1', meter: meter('09876543210'), nowTid: 105 },
        ],
        AT,
        { ids: ['key-1', 'key-2', 'no-such-key'], check: (keys) => (seen = keys) },
      ),
    );
    expect(tids).toEqual([100, 100, 105]);
    expect(seen && [...seen.keys()].sort()).toEqual(['key-1', 'key-2']);
    for (const id of ['key-1', 'key-2']) {
      const live = seen?.get(id);
      expect(live?.key).toBeInstanceOf(VendingKey);
      expect(live).toEqual(expected.get(id));
      expect(live?.key.allowedEas).toEqual(['07', '11']);
      expect(live?.groupState).toBe('suspended');
    }
  });

  it('checks the keys before the TID windows, and writes nothing when either refuses', async () => {
    const refuse = new DomainError(ErrorCode.STS_KEY_NOT_ACTIVE, 'refused');
    const exhausted = [{ vendingKeyId: 'key-1', meter: meter('01234567890'), nowTid: 80 }];
    const run = (check: () => void) =>
      db.ds
        .transaction((em) =>
          allocateReadingKeys(em, allocator, exhausted, AT, { ids: ['key-1'], check }),
        )
        .then(
          () => 'allocated',
          (e: unknown) => (e instanceof DomainError ? e.code : String(e)),
        );
    expect(
      await run(() => {
        throw refuse;
      }),
    ).toBe('STS_KEY_NOT_ACTIVE');
    expect(await run(() => undefined)).toBe('STS_TID_WINDOW_EXHAUSTED');
    const [row] = await db.ds.query<{ last_tid: number | string }[]>(
      "SELECT last_tid FROM vending_tid_allocations WHERE vending_key_id = 'key-1' AND drn = '01234567890'",
    );
    expect(Number(row.last_tid)).toBe(100);
  });
});
