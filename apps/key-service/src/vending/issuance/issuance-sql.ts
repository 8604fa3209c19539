import type { EntityManager } from 'typeorm';
import { VendingKey } from '../../vending-keys/vending-key.entity';
import type { Issuance } from './issuance.entity';

/**
 * The two statements every token request runs, written out instead of built by the query builder
 * (which costs more CPU per request than the database round trip on the vending hot path). The
 * entity metadata still names the columns, so the mapping follows the entities.
 */

const ISSUANCE_COLUMNS = [
  'id',
  'client_id',
  'kind',
  'iin',
  'drn',
  'sgc',
  'krn',
  'vending_key_id',
  'tids',
  'idempotency_key',
  'request_hash',
  'response',
  'request_id',
  'created_at',
] as const;

function placeholders(isPostgres: boolean, n: number): string {
  return Array.from({ length: n }, (_, i) => (isPostgres ? `$${i + 1}` : '?')).join(', ');
}

const INSERT_PG = `INSERT INTO vending_issuances (${ISSUANCE_COLUMNS.join(', ')}) VALUES (${placeholders(true, ISSUANCE_COLUMNS.length)})`;
const INSERT_SQLITE = `INSERT INTO vending_issuances (${ISSUANCE_COLUMNS.join(', ')}) VALUES (${placeholders(false, ISSUANCE_COLUMNS.length)})`;

/** Inserts one issuance record (a unique violation on the Idempotency-Key surfaces as thrown). */
export async function insertIssuance(
  em: EntityManager,
  isPostgres: boolean,
  row: Issuance,
): Promise<void> {
  await em.query(isPostgres ? INSERT_PG : INSERT_SQLITE, [
    row.id,
    row.clientId,
    row.kind,
    row.iin,
    row.drn,
    row.sgc,
    row.krn,
    row.vendingKeyId,
    row.tids.join(','),
    row.idempotencyKey,
    row.requestHash,
    row.response,
    row.requestId,
    row.createdAt,
  ]);
}

interface ColumnMap {
  readonly property: string;
  readonly column: string;
  readonly from?: (value: unknown) => unknown;
}

const keyColumns = new WeakMap<object, { sql: [string, string]; columns: ColumnMap[] }>();

/** The live vending key with `sgc` and live KRN `krn`, hydrated like `findOneBy` would. */
export async function readLiveKey(
  em: EntityManager,
  isPostgres: boolean,
  sgc: string,
  krn: number,
): Promise<VendingKey | null> {
  const plan = keyPlan(em);
  const rows = await em.query<Record<string, unknown>[]>(plan.sql[isPostgres ? 0 : 1], [sgc, krn]);
  if (rows.length === 0) return null;
  const key = new VendingKey() as unknown as Record<string, unknown>;
  const row = rows[0];
  for (const c of plan.columns) {
    const raw = row[c.column];
    key[c.property] = c.from ? c.from(raw) : raw;
  }
  return key as unknown as VendingKey;
}

function keyPlan(em: EntityManager): { sql: [string, string]; columns: ColumnMap[] } {
  const connection = em.connection;
  const cached = keyColumns.get(connection);
  if (cached) return cached;
  const meta = connection.getMetadata(VendingKey);
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
  const list = columns.map((c) => `"${c.column}"`).join(', ');
  const base = `SELECT ${list} FROM ${meta.tableName} WHERE sgc = `;
  const plan = {
    sql: [`${base}$1 AND live_krn = $2`, `${base}? AND live_krn = ?`] as [string, string],
    columns,
  };
  keyColumns.set(connection, plan);
  return plan;
}
