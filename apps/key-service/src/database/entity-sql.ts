import type { DataSource, EntityManager, EntityMetadata } from 'typeorm';

/**
 * Helpers for statements written out by hand on hot paths (issuance-sql.ts, audit-sql.ts) whose
 * table and column names still come from the entity metadata.
 */

/** The database name of the column behind `property` (throws for a property without one). */
export function columnOf(metadata: EntityMetadata, property: string): string {
  const column = metadata.findColumnWithPropertyName(property);
  if (!column) throw new Error(`${metadata.name} has no column for ${property}`);
  return column.databaseName;
}

/** `build` run once per data source (the first time a manager of it asks), then remembered. */
export function perDataSource<T>(build: (dataSource: DataSource) => T): (em: EntityManager) => T {
  const built = new WeakMap<DataSource, T>();
  return (em) => {
    let value = built.get(em.connection);
    if (value === undefined) {
      value = build(em.connection);
      built.set(em.connection, value);
    }
    return value;
  };
}
