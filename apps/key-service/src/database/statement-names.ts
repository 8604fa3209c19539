import { createHash } from 'node:crypto';

/**
 * Statement texts seen, with their names; past this many, statements run unnamed. Each named
 * statement holds memory in every PostgreSQL connection that ran it, so callers pass texts that
 * do not vary with the data (bulk-rows.ts: one text for any number of rows).
 */
const MAX_NAMED_STATEMENTS = 64;
const names = new Map<string, string>();

/** The prepared-statement name for `sql`, or undefined once the table of names is full. */
export function statementName(sql: string): string | undefined {
  let name = names.get(sql);
  if (name === undefined) {
    if (names.size >= MAX_NAMED_STATEMENTS) return undefined;
    // The name follows the text: one text, one name, on every connection of the pool.
    name = `sts_${createHash('sha256').update(sql).digest('hex').slice(0, 40)}`;
    names.set(sql, name);
  }
  return name;
}
