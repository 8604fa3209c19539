import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { DomainError } from '../../common/domain-error';
import { ErrorCode } from '../../common/error-codes';
import { VendingSchema1732600000000 } from '../../database/migrations/1732600000000-vending-schema';
import { checkAllocatedTid, retryAfterSeconds, TidAllocator } from './tid-allocator';

const AT = '2025-01-01T00:00:00.000Z';
const meter = { iin: '600727', drn: '00000000000' };

function code(fn: () => unknown): string {
  try {
    fn();
    return 'none';
  } catch (error) {
    return error instanceof DomainError ? error.code : 'other';
  }
}

describe('checkAllocatedTid', () => {
  it('accepts TIDs inside the window and refuses the first one beyond it', () => {
    expect(checkAllocatedTid(100, 100, 3)).toBe(100);
    expect(checkAllocatedTid(102, 100, 3)).toBe(102);
    expect(code(() => checkAllocatedTid(103, 100, 3))).toBe(ErrorCode.STS_TID_WINDOW_EXHAUSTED);
  });

  it('says when the window has room again: the start of the next free minute', () => {
    let caught: unknown;
    try {
      checkAllocatedTid(103, 100, 3, '2025-01-01T10:00:20.500Z');
    } catch (error) {
      caught = error;
    }
    expect(caught).toBeInstanceOf(DomainError);
    expect((caught as DomainError).details).toMatchObject({
      nextFreeTid: 103,
      nowTid: 100,
      windowMinutes: 3,
      retryAfterSeconds: 40,
    });
  });

  it('counts Retry-After from the issue time within its minute, never less than 1 s', () => {
    // The window frees TID 103 when TID 101 begins; 20.5 s of minute 100 have passed.
    expect(retryAfterSeconds(103, 100, 3, '2025-01-01T10:00:20.500Z')).toBe(40);
    expect(retryAfterSeconds(103, 100, 3, '2025-01-01T10:00:00.000Z')).toBe(60);
    // Two minutes too far ahead: the next minute and one more.
    expect(retryAfterSeconds(104, 100, 3, '2025-01-01T10:00:59.999Z')).toBe(61);
    expect(retryAfterSeconds(103, 100, 3)).toBe(60);
    expect(retryAfterSeconds(103, 100, 3, '2025-01-01T10:00:59.999Z')).toBe(1);
  });

  it('refuses a TID past 24 bits', () => {
    expect(code(() => checkAllocatedTid(0x1000000, 0xffffff, 10))).toBe(
      ErrorCode.STS_TID_OUT_OF_RANGE,
    );
  });
});

describe('TidAllocator on SQLite', () => {
  let dir: string;
  let ds: DataSource;
  const allocator = new TidAllocator(5);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'sts-tid-'));
    ds = new DataSource({
      type: 'better-sqlite3',
      database: join(dir, 'tid.sqlite'),
      migrations: [VendingSchema1732600000000],
    });
    await ds.initialize();
    await ds.runMigrations();
  });
  afterAll(async () => {
    await ds.destroy();
    rmSync(dir, { recursive: true, force: true });
  });

  const allocate = (key: string, now: number) =>
    ds.transaction((em) => allocator.allocate(em, meter, key, now, AT));

  it('takes the current minute, then the next free minutes, then refuses beyond the window', async () => {
    const tids = [];
    for (let i = 0; i < 5; i++) tids.push(await allocate('k1', 1000));
    expect(tids).toEqual([1000, 1001, 1002, 1003, 1004]);
    await expect(allocate('k1', 1000)).rejects.toMatchObject({
      code: ErrorCode.STS_TID_WINDOW_EXHAUSTED,
    });
    // The refused allocation was rolled back: a minute later exactly one more minute is free.
    expect(await allocate('k1', 1001)).toBe(1005);
  });

  it('jumps to the current minute when time has moved past the last TID', async () => {
    expect(await allocate('k1', 5000)).toBe(5000);
  });

  it('counts separately per vending key and per meter', async () => {
    expect(await allocate('k2', 1000)).toBe(1000);
    const other = await ds.transaction((em) =>
      allocator.allocate(em, { iin: '600727', drn: '00000000019' }, 'k1', 1000, AT),
    );
    expect(other).toBe(1000);
  });

  it('never goes back, even when the clock does', async () => {
    expect(await allocate('k1', 4998)).toBe(5001);
    // A clock far behind the last TID is refused rather than answered with a far-future TID.
    await expect(allocate('k1', 10)).rejects.toMatchObject({
      code: ErrorCode.STS_TID_WINDOW_EXHAUSTED,
    });
  });

  it('allocates for several meters in one statement, in the order asked, with the same rules', async () => {
    const m2 = { iin: '600727', drn: '00000000027' };
    const m3 = { iin: '600727', drn: '00000000035' };
    await ds.transaction((em) => allocator.allocate(em, m3, 'k4', 2000, AT));
    const got = await ds.transaction((em) =>
      allocator.allocateMany(
        em,
        [
          { meter: m2, vendingKeyId: 'k4', nowTid: 2000 },
          { meter: m3, vendingKeyId: 'k4', nowTid: 2000 },
        ],
        AT,
      ),
    );
    expect(got).toEqual([2000, 2001]);
    await ds.transaction((em) => allocator.allocate(em, m3, 'k4', 2000, AT)); // 2002
    await ds.transaction((em) => allocator.allocate(em, m3, 'k4', 2000, AT)); // 2003
    await ds.transaction((em) => allocator.allocate(em, m3, 'k4', 2000, AT)); // 2004 (window 5)
    await expect(
      ds.transaction((em) =>
        allocator.allocateMany(
          em,
          [
            { meter: m2, vendingKeyId: 'k4', nowTid: 2000 },
            { meter: m3, vendingKeyId: 'k4', nowTid: 2000 },
          ],
          AT,
        ),
      ),
    ).rejects.toMatchObject({ code: ErrorCode.STS_TID_WINDOW_EXHAUSTED });
    // The refused statement was rolled back as a whole: m2 still stands at 2000.
    expect(await ds.transaction((em) => allocator.lastTid(em, m2, 'k4'))).toBe(2000);
  });

  it('raises the floor of a new key after a key change without rollover', async () => {
    await ds.transaction((em) => allocator.raiseFloor(em, meter, 'k3', 7000, AT));
    await ds.transaction((em) => allocator.raiseFloor(em, meter, 'k3', 6000, AT));
    expect(await ds.transaction((em) => allocator.lastTid(em, meter, 'k3'))).toBe(7000);
    expect(await allocate('k3', 6999)).toBe(7001);
  });
});
