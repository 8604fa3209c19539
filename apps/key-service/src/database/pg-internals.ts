import type { QueryRunner } from 'typeorm';

/**
 * The internals of `pg` and TypeORM that pipelined transactions rely on, in one place. Both
 * packages are pinned to exact versions in package.json; `library-pins.spec.ts` checks every
 * assumption below against the installed versions and fails naming the pin.
 *
 * - pg: a client in pipeline mode (`pipeline: true`) and its socket, `connection.stream`, whose
 *   `cork`/`uncork` let statements sent one after another leave in one write.
 * - TypeORM: a query runner's `isTransactionActive` and `transactionDepth`, which tell its entity
 *   manager that a transaction is open (else a save opens one of its own).
 */

export const PG_PIN = '8.23.1';
export const TYPEORM_PIN = '0.3.31';

interface PgResult {
  readonly command: string;
  readonly rows: unknown[];
}

/** What pipelined transactions use of a `pg` client in pipeline mode. */
export interface PipelineClient {
  readonly pipeline: boolean;
  /** The socket (absent on some runtimes, where every statement leaves in a write of its own). */
  readonly connection: { readonly stream: { cork?(): void; uncork?(): void } };
  query(text: string): Promise<PgResult>;
  query(config: { name?: string; text: string; values: unknown[] }): Promise<PgResult>;
}

export type { PgResult };

/** The client a connected PostgreSQL query runner holds, as a pipeline client. */
export async function pipelineClientOf(runner: QueryRunner): Promise<PipelineClient> {
  const client = (await runner.connect()) as PipelineClient;
  if (!client.pipeline) throw new Error('the PostgreSQL pool is not in pipeline mode');
  return client;
}

/**
 * Holds what the client sends in its socket's buffer until {@link uncork}. False where the
 * socket cannot (nothing is held then).
 */
export function cork(client: PipelineClient): boolean {
  const stream = client.connection.stream;
  if (!stream.cork || !stream.uncork) return false;
  stream.cork();
  return true;
}

/** Sends what {@link cork} held. */
export function uncork(client: PipelineClient): void {
  client.connection.stream.uncork?.();
}

/** The TypeORM transaction state of a query runner. */
interface TransactionFlags {
  isTransactionActive: boolean;
  transactionDepth: number;
}

/** Tells TypeORM that `runner` is inside a transaction opened by other means, or no longer. */
export function markTransaction(runner: QueryRunner, active: boolean): void {
  const flags = runner as unknown as TransactionFlags;
  flags.isTransactionActive = active;
  flags.transactionDepth = active ? 1 : 0;
}
