import { Column, Entity, PrimaryColumn } from 'typeorm';
import { csvList, ISO_LENGTH } from '../database/column-types';

/**
 * `open`: custodians enter components. `releasing`: the key was generated in the token as
 * components, which the named custodians collect one by one (rows record the releases).
 */
export const CEREMONY_STATES = ['open', 'releasing', 'completed', 'failed', 'aborted'] as const;
export type CeremonyState = (typeof CEREMONY_STATES)[number];
export type CeremonyPurpose = 'vending-key' | 'kek' | 'transport-key';

/** A key-component ceremony. Components live in the token; this holds who entered what KCV. */
@Entity('ceremonies')
export class Ceremony {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  purpose!: CeremonyPurpose;

  /** The vending key or KEK being loaded. */
  @Column({ name: 'subject_id', type: 'varchar', length: 36 })
  subjectId!: string;

  @Column({ type: 'varchar', length: 8 })
  algorithm!: 'DES' | 'HMAC' | 'AES';

  @Column({ name: 'length_bytes', type: 'integer' })
  lengthBytes!: number;

  @Column({ name: 'component_count', type: 'integer' })
  componentCount!: number;

  @Column({ name: 'expected_kcv', type: 'varchar', length: 6 })
  expectedKcv!: string;

  /** Custodians named by the officer; empty means any custodian (each at most once). */
  @Column({ type: 'text', transformer: csvList })
  custodians!: string[];

  @Column({ type: 'varchar', length: 16 })
  state!: CeremonyState;

  @Column({ name: 'opened_by', type: 'varchar', length: 36 })
  openedBy!: string;

  @Column({ name: 'created_at', type: 'varchar', length: ISO_LENGTH })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: ISO_LENGTH })
  updatedAt!: string;
}

/**
 * One component entered (or, for a generated key, released): the custodian and its check value,
 * never the component itself.
 */
@Entity('ceremony_components')
export class CeremonyComponent {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'ceremony_id', type: 'varchar', length: 36 })
  ceremonyId!: string;

  @Column({ name: 'component_index', type: 'integer' })
  index!: number;

  @Column({ name: 'custodian_id', type: 'varchar', length: 36 })
  custodianId!: string;

  @Column({ type: 'varchar', length: 6 })
  kcv!: string;

  @Column({ name: 'submitted_at', type: 'varchar', length: ISO_LENGTH })
  submittedAt!: string;
}
