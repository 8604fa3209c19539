import type { EntityManager } from 'typeorm';
import { type BulkColumn, type BulkRows, insertBulk } from '../../database/bulk-rows';
import { dialectOf } from '../../database/dialect';
import { columnOf, perDataSource } from '../../database/entity-sql';
import { queryPrepared } from '../../database/prepared-query';
import { SupplyGroup, type SupplyGroupState } from '../../supply-groups/supply-group.entity';
import { VendingKey } from '../../vending-keys/vending-key.entity';
import type {
  AllocatedRow,
  AllocationRequest,
  TidAllocator,
} from '../tid-allocation/tid-allocator';
import type { Issuance } from './issuance.entity';

/**
 * The statements every token request runs, written out instead of built by the query builder
 * (which costs more CPU per request than the database round trip on the vending hot path). The
 * entity metadata still names the columns, so the mapping follows the entities.
 */

const ISSUANCE_COLUMNS: readonly BulkColumn[] = [
  { name: 'id', type: 'text' },
  { name: 'client_id', type: 'text' },
  { name: 'kind', type: 'text' },
  { name: 'iin', type: 'text' },
  { name: 'drn', type: 'text' },
  { name: 'sgc', type: 'text' },
  { name: 'krn', type: 'integer' },
  { name: 'vending_key_id', type: 'text' },
  { name: 'idempotency_key', type: 'text' },
  { name: 'request_hash', type: 'text' },
  { name: 'response', type: 'text' },
  { name: 'request_id', type: 'text' },
  { name: 'created_at', type: 'timestamptz' },
];

const TID_COLUMNS: readonly BulkColumn[] = [
  { name: 'issuance_id', type: 'text' },
  { name: 'position', type: 'integer' },
  { name: 'tid', type: 'integer' },
];

/** Inserts one issuance record (a unique violation on the Idempotency-Key surfaces as thrown). */
export async function insertIssuance(em: EntityManager, issued: IssuedRecord): Promise<void> {
  for (const rows of issuanceRows([issued])) await insertBulk(em, rows);
}

/** An issuance record and the TIDs its tokens carry, in token order. */
export interface IssuedRecord {
  readonly row: Issuance;
  readonly tids: readonly number[];
}

/**
 * Issuance records as bulk rows, the records first and then their TIDs (`vending_issuance_tids`,
 * one row per TID); written with the batch's audit events (`appendEvents`).
 */
export function issuanceRows(issued: readonly IssuedRecord[]): BulkRows[] {
  return [
    {
      table: 'vending_issuances',
      columns: ISSUANCE_COLUMNS,
      rows: issued.map(({ row }) => [
        row.id,
        row.clientId,
        row.kind,
        row.iin,
        row.drn,
        row.sgc,
        row.krn,
        row.vendingKeyId,
        row.idempotencyKey,
        row.requestHash,
        row.response,
        row.requestId,
        row.createdAt,
      ]),
    },
    {
      table: 'vending_issuance_tids',
      columns: TID_COLUMNS,
      rows: issued.flatMap(({ row, tids }) => tids.map((tid, i) => [row.id, i, tid])),
    },
  ];
}

interface ColumnMap {
  readonly property: string;
  readonly column: string;
  readonly from: (value: unknown) => unknown;
}

interface KeyPlan {
  /** SELECT ... FROM the keys (alias `k`) joined to their supply groups (alias `g`). */
  readonly select: string;
  readonly columns: readonly ColumnMap[];
}

/** A vending key as the issuing path reads it: the row, and its supply group's state beside it. */
export interface LiveKey {
  readonly key: VendingKey;
  /** Read in the same statement as the key, so a re-read sees a suspension as it sees a key's. */
  readonly groupState: SupplyGroupState;
}

/** The column the joined supply group's state is selected as. */
const GROUP_STATE_COLUMN = 'sg_state';

/**
 * The live vending key with `sgc` and live KRN `krn`, hydrated like `findOneBy` would, with its
 * supply group's state.
 */
export async function readLiveKey(
  em: EntityManager,
  sgc: string,
  krn: number,
): Promise<LiveKey | null> {
  const plan = keyPlan(em);
  const d = dialectOf(em);
  const rows = await em.query<Record<string, unknown>[]>(
    `${plan.select} WHERE k."sgc" = ${d.param(1)} AND k."live_krn" = ${d.param(2)}`,
    [sgc, krn],
  );
  return rows.length === 0 ? null : hydrate(plan.columns, rows[0]);
}

function hydrate(columns: readonly ColumnMap[], row: Record<string, unknown>): LiveKey {
  const key = new VendingKey();
  const fields = key as unknown as Record<string, unknown>;
  for (const c of columns) fields[c.property] = c.from(row[c.column]);
  return { key, groupState: row[GROUP_STATE_COLUMN] as SupplyGroupState };
}

const keyPlan = perDataSource((connection): KeyPlan => {
  const meta = connection.getMetadata(VendingKey);
  const groups = connection.getMetadata(SupplyGroup);
  const columns: ColumnMap[] = meta.columns.map((c) => {
    const transformer = c.transformer;
    const numeric = c.type === 'integer' || c.type === 'int' || c.type === Number;
    const from = (value: unknown): unknown => {
      let v = value;
      if (numeric && typeof v === 'string') v = Number(v);
      if (transformer && !Array.isArray(transformer)) v = transformer.from(v) as unknown;
      return v;
    };
    return { property: c.propertyName, column: c.databaseName, from };
  });
  const list = columns.map((c) => `k."${c.column}"`).join(', ');
  return {
    select:
      `SELECT ${list}, g."${columnOf(groups, 'state')}" AS "${GROUP_STATE_COLUMN}" ` +
      `FROM ${meta.tableName} k JOIN ${groups.tableName} g ` +
      `ON g."${columnOf(groups, 'id')}" = k."${columnOf(meta, 'supplyGroupId')}"`,
    columns,
  };
});

/** Vending keys by id. */
export type KeysById = ReadonlyMap<string, LiveKey>;

/**
 * The vending keys with these ids (any state), hydrated like `findBy` would, each with its supply
 * group's state.
 */
export async function readKeysById(
  em: EntityManager,
  ids: readonly string[],
): Promise<Map<string, LiveKey>> {
  const found = new Map<string, LiveKey>();
  if (ids.length === 0) return found;
  const plan = keyPlan(em);
  const which = dialectOf(em).oneOf('k."id"', ids, 1);
  const rows = await queryPrepared<Record<string, unknown>>(
    em,
    `${plan.select} WHERE ${which.sql}`,
    which.params,
  );
  for (const row of rows) {
    const live = hydrate(plan.columns, row);
    found.set(live.key.id, live);
  }
  return found;
}

/**
 * The TIDs of a batch's requests and a fresh read of the vending keys the batch uses (with their
 * supply groups' state), in one statement where the dialect has writable CTEs (PostgreSQL): the
 * TID upsert's rows, then one row per key carrying the key as JSON. Two statements elsewhere. `keys.check` sees the keys before the
 * TIDs are checked against their windows, so a key that changed is the error a request meets
 * first, as when the key is read before the allocation.
 */
export async function allocateReadingKeys(
  em: EntityManager,
  allocator: TidAllocator,
  requests: readonly AllocationRequest[],
  at: string,
  keys: { readonly ids: readonly string[]; readonly check: (keys: KeysById) => void },
): Promise<number[]> {
  const dialect = dialectOf(em);
  if (!dialect.writableCte) {
    keys.check(await readKeysById(em, keys.ids));
    return allocator.allocateMany(em, requests, at);
  }
  const upsert = allocator.upsertMany(dialect, requests, at);
  const plan = keyPlan(em);
  const rows = await queryPrepared<AllocatedRow & { vending_key: Record<string, unknown> | null }>(
    em,
    `WITH allocated AS (${upsert.sql}) ` +
      'SELECT vending_key_id, iin, drn, last_tid, NULL::json AS vending_key FROM allocated ' +
      'UNION ALL SELECT NULL, NULL, NULL, NULL, row_to_json(r) ' +
      `FROM (${plan.select} WHERE k."id" = ANY($${upsert.params.length + 1}::text[])) r`,
    [...upsert.params, keys.ids],
  );
  const found = new Map<string, LiveKey>();
  const allocated: AllocatedRow[] = [];
  for (const row of rows) {
    if (row.vending_key === null) {
      allocated.push(row);
    } else {
      const live = hydrate(plan.columns, row.vending_key);
      found.set(live.key.id, live);
    }
  }
  keys.check(found);
  return allocator.allocatedFrom(allocated, requests, at);
}
