import type { EntityManager } from 'typeorm';
import { type BulkColumn, type BulkRows, columnList, insertBulk } from '../database/bulk-rows';
import { dialectOf, POSTGRES, SQLITE } from '../database/dialect';
import { columnOf, perDataSource } from '../database/entity-sql';
import { queryPrepared, sendPrepared } from '../database/prepared-query';
import { type ChainHead, eventHash, eventTextAround } from './audit-chain';
import { AuditEventRow, AuditHeadRow } from './audit-event.entity';

/**
 * The append's writes, written out instead of built by the query builder (which costs more CPU
 * than the database round trip when every vending answer is an event). The entity metadata names
 * the tables and columns, so the statements follow the entities.
 */

interface AppendPlan {
  readonly table: string;
  /** Every column of an event row, and the property each comes from. */
  readonly columns: readonly BulkColumn[];
  readonly properties: readonly (keyof AuditEventRow)[];
  /** The columns the chain fills in (sequence number, predecessor's hash, hash), and the rest. */
  readonly chained: { readonly seq: string; readonly prevHash: string; readonly hash: string };
  readonly given: readonly BulkColumn[];
  readonly givenProperties: readonly (keyof AuditEventRow)[];
  readonly head: {
    readonly table: string;
    readonly seq: string;
    readonly hash: string;
    readonly id: string;
  };
}

const CHAINED_PROPERTIES: readonly (keyof AuditEventRow)[] = ['seq', 'prevHash', 'hash'];

const planFor = perDataSource((connection): AppendPlan => {
  const events = connection.getMetadata(AuditEventRow);
  const head = connection.getMetadata(AuditHeadRow);
  const columns: BulkColumn[] = events.columns.map((c) => ({
    name: c.databaseName,
    type: c.type === 'bigint' ? 'bigint' : c.type === 'integer' ? 'integer' : 'text',
  }));
  const properties = events.columns.map((c) => c.propertyName as keyof AuditEventRow);
  const given = properties.flatMap((p, i) => (CHAINED_PROPERTIES.includes(p) ? [] : [i]));
  return {
    table: events.tableName,
    columns,
    properties,
    chained: {
      seq: columnOf(events, 'seq'),
      prevHash: columnOf(events, 'prevHash'),
      hash: columnOf(events, 'hash'),
    },
    given: given.map((i) => columns[i]),
    givenProperties: given.map((i) => properties[i]),
    head: {
      table: head.tableName,
      seq: columnOf(head, 'seq'),
      hash: columnOf(head, 'hash'),
      id: columnOf(head, 'id'),
    },
  };
});

/** An event to append: every field of it but its place in the chain. */
export type UnchainedEvent = Omit<AuditEventRow, 'seq' | 'prevHash' | 'hash'>;

/** What {@link appendEvents} answers. */
export interface Appended {
  /**
   * The head after the last event, once the database answered the append: in a pipelined
   * transaction that is when the transaction commits (it rejects when the append failed).
   */
  readonly head: Promise<ChainHead>;
}

/**
 * Chains events (at least one) after the audit head and writes them and the new head, inside
 * `em`'s transaction, together with `alongside`: rows of another table that belong with these
 * events (a batch's issuance records).
 *
 * On PostgreSQL all of it is one statement, the same text for any number of rows: it locks the
 * head row, gives the events their sequence numbers and hashes (SHA-256 over the same text as
 * `eventHash`, computed by the database from the two parts `eventTextAround` makes), inserts them
 * and moves the head. The head lock is therefore held from this statement to the commit, never
 * across a round trip to the service; the statement is sent with `sendPrepared` (in a pipelined
 * transaction, with the COMMIT). On SQLite, whose transactions the runner serialises, the head is
 * read and the events chained here.
 */
export async function appendEvents(
  em: EntityManager,
  events: readonly UnchainedEvent[],
  alongside: readonly BulkRows[] = [],
): Promise<Appended> {
  if (events.length === 0) throw new RangeError('an append needs at least one event');
  const plan = planFor(em);
  const others = alongside.filter((rows) => rows.rows.length > 0);
  if (dialectOf(em).writableCte) {
    const { answer } = await sendPrepared<{ seq: string | number; hash: string }>(
      em,
      ...chainedAppend(plan, events, others),
    );
    const head = answer.then((rows) => {
      if (rows.length !== 1) throw new Error('audit_head is missing: run the migrations');
      return { seq: Number(rows[0].seq), hash: rows[0].hash };
    });
    head.catch(() => undefined); // a failed append fails the transaction, which reports it
    return { head };
  }
  const [row] = await queryPrepared<{ seq: number | string; hash: string }>(
    em,
    `SELECT "${plan.head.seq}" AS seq, "${plan.head.hash}" AS hash FROM ${plan.head.table} WHERE "${plan.head.id}" = 1`,
  );
  if (!row) throw new Error('audit_head is missing: run the migrations');
  let seq = Number(row.seq);
  let hash = row.hash;
  const chained: AuditEventRow[] = events.map((event) => {
    seq += 1;
    const next = eventHash(hash, { ...event, seq });
    const chainedRow = { ...event, seq, prevHash: hash, hash: next };
    hash = next;
    return chainedRow;
  });
  for (const rows of others) await insertBulk(em, rows);
  const values = chained.map((r) => plan.properties.map((p) => r[p]));
  const insert = (sql: string) => `INSERT INTO ${plan.table} ${columnList(plan.columns)} ${sql}`;
  const perStatement = SQLITE.rowsPerStatement(plan.columns);
  for (let start = 0; start < values.length; start += perStatement) {
    const source = SQLITE.rowSource(plan.columns, values.slice(start, start + perStatement));
    await queryPrepared(em, insert(source.sql), source.params);
  }
  await queryPrepared(
    em,
    `UPDATE ${plan.head.table} SET "${plan.head.seq}" = ?, "${plan.head.hash}" = ? WHERE "${plan.head.id}" = 1`,
    [seq, hash],
  );
  return { head: Promise.resolve({ seq, hash }) };
}

/** The PostgreSQL append statement (see {@link appendEvents}) and its parameters. */
function chainedAppend(
  plan: AppendPlan,
  events: readonly UnchainedEvent[],
  others: readonly BulkRows[],
): [string, unknown[]] {
  const texts = events.map(eventTextAround);
  const params: unknown[] = [
    texts.map((t) => t.before),
    texts.map((t) => t.after),
    ...plan.givenProperties.map((p) => events.map((e) => e[p as keyof UnchainedEvent])),
  ];
  const fields = plan.given.map((_, i) => `f${i}`);
  const marks = plan.given.map((c, i) => `$${i + 3}::${c.type}[]`);
  let alongsideCte = '';
  others.forEach((rows, i) => {
    const source = POSTGRES.rowSource(rows.columns, rows.rows, params.length + 1);
    alongsideCte += `alongside${i} AS (INSERT INTO ${rows.table} ${columnList(rows.columns)} ${source.sql}), `;
    params.push(...source.params);
  });
  const { head, chained } = plan;
  const sql =
    `WITH RECURSIVE ${alongsideCte}` +
    `head AS (SELECT "${head.seq}" AS seq, "${head.hash}" AS hash FROM ${head.table} ` +
    `WHERE "${head.id}" = 1 FOR UPDATE), ` +
    `input AS (SELECT * FROM unnest($1::text[], $2::text[], ${marks.join(', ')}) ` +
    `WITH ORDINALITY AS u(before, after, ${fields.join(', ')}, ord)), ` +
    // Without a head row the chain still starts (NULL sequence number and hash), and the insert
    // fails on the NOT NULL sequence column: the append fails instead of writing nothing.
    'chain (ord, seq, prev, hash) AS (SELECT 0::bigint, head.seq::bigint, NULL::text, ' +
    'head.hash::text FROM (SELECT 1) AS one LEFT JOIN head ON true ' +
    'UNION ALL SELECT i.ord, c.seq + 1, c.hash, ' +
    "encode(sha256(convert_to(c.hash || E'\\n' || i.before || (c.seq + 1)::text || i.after, 'UTF8')), 'hex') " +
    'FROM chain c JOIN input i ON i.ord = c.ord + 1), ' +
    `appended AS (INSERT INTO ${plan.table} ` +
    `(${plan.given.map((c) => `"${c.name}"`).join(', ')}, "${chained.seq}", "${chained.prevHash}", "${chained.hash}") ` +
    `SELECT ${fields.map((f) => `i.${f}`).join(', ')}, c.seq, c.prev, c.hash ` +
    'FROM chain c JOIN input i ON i.ord = c.ord) ' +
    `UPDATE ${head.table} SET "${head.seq}" = last.seq, "${head.hash}" = last.hash ` +
    'FROM (SELECT seq, hash FROM chain ORDER BY ord DESC LIMIT 1) last ' +
    `WHERE ${head.table}."${head.id}" = 1 RETURNING last.seq AS seq, last.hash AS hash`;
  return [sql, params];
}
