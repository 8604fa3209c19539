import { Column, Entity, PrimaryColumn } from 'typeorm';
import { ISO_LENGTH } from '../database/column-types';

export const KEK_STATES = ['loading', 'active', 'failed', 'destroyed'] as const;
export type KekState = (typeof KEK_STATES)[number];

/** A key-encryption key (AES, in the token) loaded by ceremony; wrapped imports unwrap under it. */
@Entity('keks')
export class Kek {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 100, unique: true })
  name!: string;

  @Column({ name: 'length_bytes', type: 'integer' })
  lengthBytes!: number;

  @Column({ type: 'varchar', length: 16 })
  state!: KekState;

  @Column({ name: 'expected_kcv', type: 'varchar', length: 6 })
  expectedKcv!: string;

  @Column({ type: 'varchar', length: 6, nullable: true })
  kcv!: string | null;

  @Column({ name: 'token_label', type: 'varchar', length: 64, unique: true })
  tokenLabel!: string;

  @Column({ name: 'created_by', type: 'varchar', length: 36 })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'varchar', length: ISO_LENGTH })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: ISO_LENGTH })
  updatedAt!: string;
}
