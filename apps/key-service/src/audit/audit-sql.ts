import type { EntityManager } from 'typeorm';
import {
  type BulkColumn,
  type BulkRows,
  columnList,
  insertBulk,
  rowSource,
  sqliteRowsPerStatement,
} from '../database/bulk-rows';
import { columnOf, perDataSource } from '../database/entity-sql';
import { queryPrepared, sendPrepared } from '../database/prepared-query';
import { AuditEventRow, AuditHeadRow } from './audit-event.entity';

/**
 * The append's writes, written out instead of built by the query builder (which costs more CPU
 * than the database round trip when every vending answer is an event). The entity metadata names
 * the tables and columns, so the statements follow the entities.
 */

interface AppendPlan {
  readonly table: string;
  /** Reads the head row (seq, hash) with a condition appended after `WHERE id = 1 AND`. */
  readonly headSelect: string;
  readonly columns: readonly BulkColumn[];
  readonly properties: readonly (keyof AuditEventRow)[];
  /** The head update, with these placeholders for the new sequence and hash. */
  readonly headUpdate: (seqMark: string, hashMark: string) => string;
}

const planFor = perDataSource((connection): AppendPlan => {
  const events = connection.getMetadata(AuditEventRow);
  const head = connection.getMetadata(AuditHeadRow);
  const [seq, hash, id] = ['seq', 'hash', 'id'].map((p) => columnOf(head, p));
  return {
    table: events.tableName,
    columns: events.columns.map((c) => ({
      name: c.databaseName,
      type: c.type === 'bigint' ? 'bigint' : c.type === 'integer' ? 'integer' : 'text',
    })),
    properties: events.columns.map((c) => c.propertyName as keyof AuditEventRow),
    headSelect: `SELECT "${seq}" AS seq, "${hash}" AS hash FROM ${head.tableName} WHERE "${id}" = 1 AND`,
    headUpdate: (seqMark, hashMark) =>
      `UPDATE ${head.tableName} SET "${seq}" = ${seqMark}, "${hash}" = ${hashMark} WHERE "${id}" = 1`,
  };
});

/**
 * A query (PostgreSQL) that locks the audit head row and reads its `seq` and `hash`, for a
 * statement that takes the head lock together with other work (see
 * `AuditService.useLockedHead`). The row is locked only once `after` (a condition over the
 * statement's earlier data-modifying parts, e.g. `(SELECT count(*) FROM allocated) >= 0`) was
 * evaluated, so those parts lock their rows before the head, as in every batch.
 */
export function headLockQuery(em: EntityManager, after: string): string {
  return `${planFor(em).headSelect} ${after} FOR UPDATE`;
}

/**
 * Writes chained events (at least one) and moves the head to the last of them, inside `em`'s
 * transaction (the caller holds the head lock), together with `alongside`: rows of another table
 * that belong with these events (a batch's issuance records). On PostgreSQL all of it is one
 * statement, the same text for any number of rows, sent with `sendPrepared` (in a pipelined
 * transaction its failure fails the COMMIT instead of this call).
 */
export async function writeAppend(
  em: EntityManager,
  isPostgres: boolean,
  rows: readonly AuditEventRow[],
  head: { seq: number; hash: string },
  alongside?: BulkRows,
): Promise<void> {
  if (rows.length === 0) throw new RangeError('an append needs at least one event');
  const plan = planFor(em);
  const values = rows.map((row) => plan.properties.map((p) => row[p]));
  const insert = (sql: string) => `INSERT INTO ${plan.table} ${columnList(plan.columns)} ${sql}`;
  const others = alongside && alongside.rows.length > 0 ? alongside : undefined;
  if (isPostgres) {
    const params: unknown[] = [];
    let before = '';
    if (others) {
      const source = rowSource(true, others.columns, others.rows);
      before = `alongside AS (INSERT INTO ${others.table} ${columnList(others.columns)} ${source.sql}), `;
      params.push(...source.params);
    }
    const events = rowSource(true, plan.columns, values, params.length + 1);
    params.push(...events.params);
    const n = params.length;
    await sendPrepared(
      em,
      `WITH ${before}appended AS (${insert(events.sql)}) ${plan.headUpdate(`$${n + 1}`, `$${n + 2}`)}`,
      [...params, head.seq, head.hash],
    );
    return;
  }
  if (others) await insertBulk(em, false, others);
  const perStatement = sqliteRowsPerStatement(plan.columns);
  for (let start = 0; start < values.length; start += perStatement) {
    const source = rowSource(false, plan.columns, values.slice(start, start + perStatement));
    await queryPrepared(em, insert(source.sql), source.params);
  }
  await queryPrepared(em, plan.headUpdate('?', '?'), [head.seq, head.hash]);
}
