import type { EntityManager } from 'typeorm';
import { queryPrepared } from '../database/prepared-query';
import { AuditEventRow, AuditHeadRow } from './audit-event.entity';

/**
 * The append's writes, written out instead of built by the query builder (which costs more CPU
 * than the database round trip when every vending answer is an event). The entity metadata names
 * the tables and columns, so the statements follow the entities.
 */

/** Most events per INSERT statement (14 parameters each: far below either database's limit). */
const ROWS_PER_STATEMENT = 500;

interface AppendPlan {
  readonly table: string;
  readonly columns: readonly string[];
  readonly properties: readonly (keyof AuditEventRow)[];
  /** The head update, with these placeholders for the new sequence and hash. */
  readonly headUpdate: (seqMark: string, hashMark: string) => string;
}

const plans = new WeakMap<object, AppendPlan>();

function planFor(em: EntityManager): AppendPlan {
  const connection = em.connection;
  const cached = plans.get(connection);
  if (cached) return cached;
  const events = connection.getMetadata(AuditEventRow);
  const head = connection.getMetadata(AuditHeadRow);
  const column = (property: string): string => {
    const c = head.findColumnWithPropertyName(property);
    if (!c) throw new Error(`audit_head has no column for ${property}`);
    return c.databaseName;
  };
  const [seq, hash, id] = [column('seq'), column('hash'), column('id')];
  const plan: AppendPlan = {
    table: events.tableName,
    columns: events.columns.map((c) => c.databaseName),
    properties: events.columns.map((c) => c.propertyName as keyof AuditEventRow),
    headUpdate: (seqMark, hashMark) =>
      `UPDATE ${head.tableName} SET "${seq}" = ${seqMark}, "${hash}" = ${hashMark} WHERE "${id}" = 1`,
  };
  plans.set(connection, plan);
  return plan;
}

/**
 * Writes chained events and moves the head to the last of them, inside `em`'s transaction (the
 * caller holds the head lock). On PostgreSQL the insert and the head update are one statement.
 */
export async function writeAppend(
  em: EntityManager,
  isPostgres: boolean,
  rows: readonly AuditEventRow[],
  head: { seq: number; hash: string },
): Promise<void> {
  if (rows.length === 0) return;
  const plan = planFor(em);
  for (let start = 0; start < rows.length; start += ROWS_PER_STATEMENT) {
    const chunk = rows.slice(start, start + ROWS_PER_STATEMENT);
    const last = start + ROWS_PER_STATEMENT >= rows.length;
    const values = chunk.flatMap((row) => plan.properties.map((p) => row[p]));
    const n = plan.columns.length;
    const tuples = chunk.map((_, r) =>
      isPostgres
        ? `(${plan.columns.map((_c, i) => `$${r * n + i + 1}`).join(', ')})`
        : `(${plan.columns.map(() => '?').join(', ')})`,
    );
    const insert = `INSERT INTO ${plan.table} (${plan.columns.map((c) => `"${c}"`).join(', ')}) VALUES ${tuples.join(', ')}`;
    if (isPostgres && last) {
      // One round trip: the head update runs after the insert in the same statement's snapshot.
      const update = plan.headUpdate(`$${values.length + 1}`, `$${values.length + 2}`);
      await queryPrepared(em, `WITH appended AS (${insert}) ${update}`, [
        ...values,
        head.seq,
        head.hash,
      ]);
      return;
    }
    await queryPrepared(em, insert, values);
  }
  if (!isPostgres) await queryPrepared(em, plan.headUpdate('?', '?'), [head.seq, head.hash]);
}
