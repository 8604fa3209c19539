import { Column, Entity, Index, PrimaryColumn } from 'typeorm';
import { ISO_LENGTH } from '../database/column-types';

/** How a meter came to hold the key the registry records for it. */
export const METER_KEY_SOURCES = ['registered', 'key-change', 'campaign', 'refused'] as const;
export type MeterKeySource = (typeof METER_KEY_SOURCES)[number];

/**
 * What is known of the last key-change set issued to the meter: `issued` (handed out, not known
 * to be entered), `confirmed` (the meter was later seen on the new key), `refused` (the vending
 * system reported that the meter never took it; the registry moved back).
 */
export const KEY_CHANGE_STATES = ['issued', 'confirmed', 'refused'] as const;
export type KeyChangeState = (typeof KEY_CHANGE_STATES)[number];

/**
 * The key the service believes a meter holds (one row per IIN + DRN), and the last key-change set
 * issued to it. Holds key references and parameters, never key bytes.
 */
@Entity('meter_keys')
@Index('ix_meter_keys_revision', ['sgc', 'krn'])
export class MeterKeyRecord {
  @PrimaryColumn({ type: 'varchar', length: 6 })
  iin!: string;

  @PrimaryColumn({ type: 'varchar', length: 13 })
  drn!: string;

  @Column({ type: 'varchar', length: 6 })
  sgc!: string;

  @Column({ type: 'integer' })
  krn!: number;

  @Column({ name: 'tariff_index', type: 'varchar', length: 2 })
  tariffIndex!: string;

  /** STS key type (1 default, 2 unique, 3 common), from the vending key. */
  @Column({ name: 'key_type', type: 'integer' })
  keyType!: number;

  @Column({ type: 'varchar', length: 2 })
  ea!: string;

  @Column({ name: 'base_date', type: 'integer' })
  baseDate!: number;

  @Column({ name: 'vending_key_id', type: 'varchar', length: 36 })
  vendingKeyId!: string;

  @Column({ type: 'varchar', length: 12 })
  source!: MeterKeySource;

  /** The issuance or campaign that moved the meter; null for a registration. */
  @Column({ name: 'source_id', type: 'varchar', length: 36, nullable: true })
  sourceId!: string | null;

  /** The principal whose request set the record. */
  @Column({ name: 'recorded_by', type: 'varchar', length: 36 })
  recordedBy!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: ISO_LENGTH })
  updatedAt!: string;

  /** The issuance (or campaign) holding the last key-change set; null when none was issued. */
  @Column({ name: 'change_id', type: 'varchar', length: 36, nullable: true })
  changeId!: string | null;

  @Column({ name: 'change_state', type: 'varchar', length: 10, nullable: true })
  changeState!: KeyChangeState | null;

  /** The key the meter held before the last key-change set (SGC, KRN, tariff index, revision). */
  @Column({ name: 'change_from_key_id', type: 'varchar', length: 36, nullable: true })
  changeFromKeyId!: string | null;

  @Column({ name: 'change_from_ti', type: 'varchar', length: 2, nullable: true })
  changeFromTi!: string | null;

  /** The key the last key-change set moves the meter to. */
  @Column({ name: 'change_to_key_id', type: 'varchar', length: 36, nullable: true })
  changeToKeyId!: string | null;

  @Column({ name: 'change_to_ti', type: 'varchar', length: 2, nullable: true })
  changeToTi!: string | null;
}
