import { Column, Entity, Index, PrimaryColumn, VersionColumn } from 'typeorm';
import { csvList, ISO_LENGTH } from '../database/column-types';

export const VENDING_KEY_TYPES = ['VDDK', 'VUDK', 'VCDK'] as const;
export type VendingKeyType = (typeof VENDING_KEY_TYPES)[number];

export const VENDING_KEY_STATES = [
  'loading',
  'pending-approval',
  'active',
  'suspended',
  'superseded',
  'expired',
  'destroyed',
  'failed',
] as const;
export type VendingKeyState = (typeof VENDING_KEY_STATES)[number];

export type LoadMethod = 'ceremony' | 'wrapped-import';

/** One key revision of a supply group. Holds metadata and the check value, never key bytes. */
@Entity('vending_keys')
@Index('uq_vending_keys_live_krn', ['supplyGroupId', 'liveKrn'], { unique: true })
export class VendingKey {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'supply_group_id', type: 'varchar', length: 36 })
  supplyGroupId!: string;

  @Column({ type: 'varchar', length: 6 })
  sgc!: string;

  @Column({ type: 'integer' })
  krn!: number;

  /** Equal to `krn` while the revision is live, NULL once destroyed or failed (frees the KRN). */
  @Column({ name: 'live_krn', type: 'integer', nullable: true })
  liveKrn!: number | null;

  @Column({ name: 'key_type', type: 'varchar', length: 4 })
  keyType!: VendingKeyType;

  @Column({ type: 'varchar', length: 2 })
  dkga!: '02' | '04';

  @Column({ name: 'key_length_bytes', type: 'integer' })
  keyLengthBytes!: number;

  @Column({ name: 'allowed_eas', type: 'varchar', length: 16, transformer: csvList })
  allowedEas!: string[];

  @Column({ name: 'base_date', type: 'integer' })
  baseDate!: number;

  @Column({ type: 'integer' })
  ken!: number;

  @Column({ name: 'activate_at', type: 'varchar', length: ISO_LENGTH, nullable: true })
  activateAt!: string | null;

  @Column({ name: 'issue_until', type: 'varchar', length: ISO_LENGTH, nullable: true })
  issueUntil!: string | null;

  @Column({ name: 'expires_at', type: 'varchar', length: ISO_LENGTH, nullable: true })
  expiresAt!: string | null;

  @Column({ type: 'varchar', length: 16 })
  state!: VendingKeyState;

  /** The check value the officer expects; the token's own is `kcv` once loaded. */
  @Column({ name: 'expected_kcv', type: 'varchar', length: 6 })
  expectedKcv!: string;

  @Column({ type: 'varchar', length: 6, nullable: true })
  kcv!: string | null;

  @Column({ name: 'token_label', type: 'varchar', length: 64, unique: true })
  tokenLabel!: string;

  @Column({ name: 'load_method', type: 'varchar', length: 16 })
  loadMethod!: LoadMethod;

  /** The revision this one replaces when it is activated. */
  @Column({ name: 'supersedes_id', type: 'varchar', length: 36, nullable: true })
  supersedesId!: string | null;

  /** When set on an active key, it becomes superseded at that time. */
  @Column({ name: 'supersede_at', type: 'varchar', length: ISO_LENGTH, nullable: true })
  supersedeAt!: string | null;

  @Column({ name: 'created_by', type: 'varchar', length: 36 })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'varchar', length: ISO_LENGTH })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: ISO_LENGTH })
  updatedAt!: string;

  @Column({ name: 'destroyed_at', type: 'varchar', length: ISO_LENGTH, nullable: true })
  destroyedAt!: string | null;

  @VersionColumn()
  version!: number;
}
