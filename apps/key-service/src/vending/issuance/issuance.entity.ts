import { Column, Entity, PrimaryColumn } from 'typeorm';
import { isoTimestamp } from '../../database/column-types';

export const ISSUANCE_KINDS = ['credit', 'management', 'test', 'key-change'] as const;
export type IssuanceKind = (typeof ISSUANCE_KINDS)[number];

/**
 * One answered token request: the response as sent (tokens, TIDs, check values; never a key),
 * kept for reprints, and the client's Idempotency-Key with the request fingerprint for retries.
 * The TIDs its tokens carry are rows of `vending_issuance_tids` (issuance id, position, TID).
 */
@Entity('vending_issuances')
export class Issuance {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'client_id', type: 'varchar', length: 36 })
  clientId!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: IssuanceKind;

  @Column({ type: 'varchar', length: 6 })
  iin!: string;

  @Column({ type: 'varchar', length: 13 })
  drn!: string;

  @Column({ type: 'varchar', length: 6, nullable: true })
  sgc!: string | null;

  @Column({ type: 'integer', nullable: true })
  krn!: number | null;

  @Column({ name: 'vending_key_id', type: 'varchar', length: 36, nullable: true })
  vendingKeyId!: string | null;

  /** Cleared when the retention period ends; the record stays for reprints and audit. */
  @Column({ name: 'idempotency_key', type: 'varchar', length: 128, nullable: true })
  idempotencyKey!: string | null;

  @Column({ name: 'request_hash', type: 'varchar', length: 64 })
  requestHash!: string;

  @Column({ type: 'text' })
  response!: string;

  @Column({ name: 'request_id', type: 'varchar', length: 64 })
  requestId!: string;

  /** `timestamptz` on PostgreSQL, ISO-8601 text on SQLite; an ISO-8601 UTC string here. */
  @Column({ name: 'created_at', type: 'text', transformer: isoTimestamp })
  createdAt!: string;
}
