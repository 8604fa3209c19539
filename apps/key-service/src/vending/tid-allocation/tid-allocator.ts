import { MAX_TID } from '@sts/core';
import type { EntityManager } from 'typeorm';
import { DomainError } from '../../common/domain-error';
import { ErrorCode } from '../../common/error-codes';
import { type BulkColumn, type Dialect, dialectOf, perDialect } from '../../database/dialect';
import { queryPrepared } from '../../database/prepared-query';

/** A meter, as TIDs are counted per meter. */
export interface MeterRef {
  readonly iin: string;
  readonly drn: string;
}

/**
 * STS-SPEC §6: a meter refuses a TID it has seen (USED) or one older than its memory (OLD), so
 * every token for one meter needs a new, larger TID. The TID is the issue minute; several tokens
 * in one minute take the next free minutes, up to `windowMinutes` ahead of now.
 *
 * Checks the TID the database allocated: within the window and the 24-bit range. A refusal for
 * the window says when the window has room again: the start of the minute from which `allocated`
 * is less than `windowMinutes` ahead (`at`, the issue time, places now within its minute; TID
 * minutes are UTC minutes).
 */
export function checkAllocatedTid(
  allocated: number,
  nowTid: number,
  windowMinutes: number,
  at?: string,
): number {
  if (allocated > MAX_TID) {
    throw new DomainError(
      ErrorCode.STS_TID_OUT_OF_RANGE,
      `The next free TID for this meter (${allocated}) is past the 24-bit range of the key's base date`,
      { tid: allocated },
    );
  }
  if (allocated - nowTid >= windowMinutes) {
    throw new DomainError(
      ErrorCode.STS_TID_WINDOW_EXHAUSTED,
      `This meter has tokens for the next ${windowMinutes} minutes already; retry later`,
      {
        nextFreeTid: allocated,
        nowTid,
        windowMinutes,
        retryAfterSeconds: retryAfterSeconds(allocated, nowTid, windowMinutes, at),
      },
    );
  }
  return allocated;
}

/** Whole seconds until a TID `allocated` is within the window (at least 1). */
export function retryAfterSeconds(
  allocated: number,
  nowTid: number,
  windowMinutes: number,
  at?: string,
): number {
  const intoMinute = at === undefined ? 0 : Math.floor((Date.parse(at) % 60_000) / 1000);
  return Math.max(1, (allocated - nowTid - windowMinutes + 1) * 60 - intoMinute);
}

/**
 * The allocating upsert: the row's next TID, or the TID of now when that is later. `rows` is the
 * row source (one VALUES tuple, or the rows of allocateMany); `returning` what it answers.
 */
function upsertSql(d: Dialect, rows: string, returning: string): string {
  return (
    `INSERT INTO vending_tid_allocations (vending_key_id, iin, drn, last_tid, updated_at) ${rows} ` +
    'ON CONFLICT (vending_key_id, iin, drn) DO UPDATE SET ' +
    `last_tid = ${d.greatest('vending_tid_allocations.last_tid + 1', 'excluded.last_tid')}, ` +
    `updated_at = excluded.updated_at RETURNING ${returning}`
  );
}

const upsertOne = perDialect((d) =>
  upsertSql(d, `VALUES (${[1, 2, 3, 4, 5].map((n) => d.param(n)).join(', ')})`, 'last_tid'),
);

/** The columns of an upsert's rows (allocateMany). */
const TID_COLUMNS: readonly BulkColumn[] = [
  { name: 'vending_key_id', type: 'text' },
  { name: 'iin', type: 'text' },
  { name: 'drn', type: 'text' },
  { name: 'last_tid', type: 'integer' },
  { name: 'updated_at', type: 'text' },
];

/** The floor-raising upsert: the row's last TID becomes at least the one given. */
function floorSql(d: Dialect, tuples: string): string {
  return (
    'INSERT INTO vending_tid_allocations (vending_key_id, iin, drn, last_tid, updated_at) ' +
    `VALUES ${tuples} ON CONFLICT (vending_key_id, iin, drn) DO UPDATE SET ` +
    `last_tid = ${d.greatest('vending_tid_allocations.last_tid', 'excluded.last_tid')}, ` +
    'updated_at = excluded.updated_at'
  );
}

/** One (vending key, meter) pair of {@link TidAllocator.allocateMany}. */
export interface AllocationRequest {
  readonly meter: MeterRef;
  readonly vendingKeyId: string;
  readonly nowTid: number;
}

/** A row the allocating upsert returns. */
export interface AllocatedRow {
  readonly vending_key_id: string;
  readonly iin: string;
  readonly drn: string;
  readonly last_tid: number | string;
}

/** Meters per statement when floors are read or raised for many meters (a campaign chunk). */
export const FLOOR_BATCH = 1000;

/**
 * Database-backed TID allocation. One statement (an upsert that returns the new value) both
 * allocates and locks: on PostgreSQL the row stays locked until the issuing transaction ends, so
 * concurrent requests for one meter queue on it and each gets the next TID; on SQLite the write
 * transaction serialises them. A transaction that fails (rule, token, database) rolls its TID back
 * together with everything else, so no TID is ever handed out twice.
 */
export class TidAllocator {
  constructor(private readonly windowMinutes: number) {}

  /** Allocates the next TID for `meter` under `vendingKeyId`, at or after `nowTid`. */
  async allocate(
    em: EntityManager,
    meter: MeterRef,
    vendingKeyId: string,
    nowTid: number,
    at: string,
  ): Promise<number> {
    const rows = await queryPrepared<{ last_tid: number | string }>(em, upsertOne(dialectOf(em)), [
      vendingKeyId,
      meter.iin,
      meter.drn,
      nowTid,
      at,
    ]);
    const allocated = Number(rows[0]?.last_tid);
    if (!Number.isInteger(allocated)) throw new Error('TID upsert returned no row');
    return checkAllocatedTid(allocated, nowTid, this.windowMinutes, at);
  }

  /**
   * {@link TidAllocator.allocate} for several (vending key, meter) pairs in one statement; the pairs
   * must be distinct. Rows are locked in the order given. Answers in the order given; a TID past
   * the window or the range throws (the caller rolls the whole statement back).
   */
  async allocateMany(
    em: EntityManager,
    requests: readonly AllocationRequest[],
    at: string,
  ): Promise<number[]> {
    if (requests.length === 0) return [];
    const upsert = this.upsertMany(dialectOf(em), requests, at);
    return this.allocatedFrom(
      await queryPrepared<AllocatedRow>(em, upsert.sql, upsert.params),
      requests,
      at,
    );
  }

  /**
   * The statement of {@link TidAllocator.allocateMany} (it returns {@link AllocatedRow}s), for a
   * caller that runs it as part of a larger statement; read its rows with
   * {@link TidAllocator.allocatedFrom}.
   */
  upsertMany(
    dialect: Dialect,
    requests: readonly AllocationRequest[],
    at: string,
  ): { readonly sql: string; readonly params: unknown[] } {
    const source = dialect.rowSource(
      TID_COLUMNS,
      requests.map((r) => [r.vendingKeyId, r.meter.iin, r.meter.drn, r.nowTid, at]),
    );
    const sql = upsertSql(dialect, source.sql, 'vending_key_id, iin, drn, last_tid');
    return { sql, params: source.params };
  }

  /** The TIDs of `requests`, in their order, from the upsert's rows (checked as `allocate` does). */
  allocatedFrom(
    rows: readonly AllocatedRow[],
    requests: readonly AllocationRequest[],
    at?: string,
  ): number[] {
    const got = new Map(
      rows.map((r) => [`${r.vending_key_id}|${r.iin}|${r.drn}`, Number(r.last_tid)]),
    );
    return requests.map((r) => {
      const allocated = got.get(`${r.vendingKeyId}|${r.meter.iin}|${r.meter.drn}`);
      if (allocated === undefined || !Number.isInteger(allocated)) {
        throw new Error('TID upsert returned no row');
      }
      return checkAllocatedTid(allocated, r.nowTid, this.windowMinutes, at);
    });
  }

  /**
   * After a key change without rollover (RO = 0) the meter keeps its TID memory, so TIDs under the
   * new key must continue above those issued under the old one: raises the new key's floor.
   */
  async raiseFloor(
    em: EntityManager,
    meter: MeterRef,
    vendingKeyId: string,
    lastTid: number,
    at: string,
  ): Promise<void> {
    const d = dialectOf(em);
    const tuple = `(${[1, 2, 3, 4, 5].map((n) => d.param(n)).join(', ')})`;
    await em.query(floorSql(d, tuple), [vendingKeyId, meter.iin, meter.drn, lastTid, at]);
  }

  /**
   * {@link TidAllocator.raiseFloor} for many meters of one vending key (a meter named twice keeps
   * the higher floor), a statement per {@link FLOOR_BATCH} meters. Rows are locked in the order the issuing path locks them (by
   * `vendingKeyId|iin|drn`), so this and concurrent token batches do not deadlock each other.
   */
  async raiseFloors(
    em: EntityManager,
    vendingKeyId: string,
    floors: readonly { readonly meter: MeterRef; readonly lastTid: number }[],
    at: string,
  ): Promise<void> {
    const highest = new Map<string, { meter: MeterRef; lastTid: number }>();
    for (const f of floors) {
      const k = `${f.meter.iin}|${f.meter.drn}`;
      const seen = highest.get(k);
      if (!seen || seen.lastTid < f.lastTid) highest.set(k, f);
    }
    const ordered = [...highest.values()].sort((a, b) => {
      const x = `${vendingKeyId}|${a.meter.iin}|${a.meter.drn}`;
      const y = `${vendingKeyId}|${b.meter.iin}|${b.meter.drn}`;
      return x < y ? -1 : x > y ? 1 : 0;
    });
    const d = dialectOf(em);
    for (let i = 0; i < ordered.length; i += FLOOR_BATCH) {
      const params: unknown[] = [];
      const tuples = ordered.slice(i, i + FLOOR_BATCH).map((f) => {
        params.push(vendingKeyId, f.meter.iin, f.meter.drn, f.lastTid, at);
        const n = params.length;
        return `(${d.param(n - 4)}, ${d.param(n - 3)}, ${d.param(n - 2)}, ${d.param(n - 1, 'integer')}, ${d.param(n)})`;
      });
      await em.query(floorSql(d, tuples.join(', ')), params);
    }
  }

  /**
   * {@link TidAllocator.lastTid} for many meters: the last TID issued under `vendingKeyId` to each
   * of `meters` that has one, keyed `iin|drn`. A statement per {@link FLOOR_BATCH} meters.
   */
  async lastTids(
    em: EntityManager,
    vendingKeyId: string,
    meters: readonly MeterRef[],
  ): Promise<Map<string, number>> {
    const found = new Map<string, number>();
    const d = dialectOf(em);
    for (let i = 0; i < meters.length; i += FLOOR_BATCH) {
      const params: unknown[] = [vendingKeyId];
      const pairs = meters.slice(i, i + FLOOR_BATCH).map((m) => {
        params.push(m.iin, m.drn);
        const n = params.length;
        return `(${d.param(n - 1)}, ${d.param(n)})`;
      });
      const rows = await em.query<{ iin: string; drn: string; last_tid: number | string }[]>(
        'SELECT iin, drn, last_tid FROM vending_tid_allocations WHERE vending_key_id = ' +
          `${d.param(1)} AND (iin, drn) IN (${pairs.join(', ')})`,
        params,
      );
      for (const r of rows) found.set(`${r.iin}|${r.drn}`, Number(r.last_tid));
    }
    return found;
  }

  /** The last TID issued to `meter` under `vendingKeyId`, if any. */
  async lastTid(
    em: EntityManager,
    meter: MeterRef,
    vendingKeyId: string,
  ): Promise<number | undefined> {
    const d = dialectOf(em);
    const rows = await em.query<{ last_tid: number | string }[]>(
      'SELECT last_tid FROM vending_tid_allocations ' +
        `WHERE vending_key_id = ${d.param(1)} AND iin = ${d.param(2)} AND drn = ${d.param(3)}`,
      [vendingKeyId, meter.iin, meter.drn],
    );
    return rows.length === 0 ? undefined : Number(rows[0].last_tid);
  }
}
