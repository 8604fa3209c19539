import { Column, Entity, PrimaryColumn } from 'typeorm';
import { bigintNumber, ISO_LENGTH } from '../database/column-types';

export type AuditOutcome = 'success' | 'failure';

/** One audit event, chained to its predecessor by hash. */
@Entity('audit_events')
export class AuditEventRow {
  @PrimaryColumn({ type: 'bigint', transformer: bigintNumber })
  seq!: number;

  @Column({ type: 'varchar', length: ISO_LENGTH })
  at!: string;

  @Column({ name: 'actor_id', type: 'varchar', length: 36 })
  actorId!: string;

  @Column({ name: 'actor_name', type: 'varchar', length: 100 })
  actorName!: string;

  @Column({ type: 'varchar', length: 64 })
  action!: string;

  @Column({ name: 'subject_type', type: 'varchar', length: 32 })
  subjectType!: string;

  @Column({ name: 'subject_id', type: 'varchar', length: 64 })
  subjectId!: string;

  @Column({ type: 'varchar', length: 8 })
  outcome!: AuditOutcome;

  @Column({ name: 'request_id', type: 'varchar', length: 64 })
  requestId!: string;

  /** Canonical JSON of non-secret details. */
  @Column({ type: 'text' })
  details!: string;

  @Column({ name: 'prev_hash', type: 'varchar', length: 64 })
  prevHash!: string;

  @Column({ type: 'varchar', length: 64 })
  hash!: string;
}

/** A signed statement that the chain up to `seq` ended in `hash`. */
@Entity('audit_checkpoints')
export class AuditCheckpointRow {
  @PrimaryColumn({ type: 'bigint', transformer: bigintNumber })
  seq!: number;

  @Column({ type: 'varchar', length: 64 })
  hash!: string;

  @Column({ type: 'varchar', length: ISO_LENGTH })
  at!: string;

  @Column({ name: 'key_label', type: 'varchar', length: 64 })
  keyLabel!: string;

  /** ECDSA P-256 / SHA-256 signature, IEEE P1363 r||s, hex. */
  @Column({ type: 'varchar', length: 160 })
  signature!: string;
}

/** The single row that holds the chain's last sequence and hash (the append lock). */
@Entity('audit_head')
export class AuditHeadRow {
  @PrimaryColumn({ type: 'integer' })
  id!: number;

  @Column({ type: 'bigint', transformer: bigintNumber })
  seq!: number;

  @Column({ type: 'varchar', length: 64 })
  hash!: string;
}
