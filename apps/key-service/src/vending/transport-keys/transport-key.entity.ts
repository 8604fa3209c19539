import { Column, Entity, PrimaryColumn } from 'typeorm';
import { ISO_LENGTH } from '../../database/column-types';

export const TRANSPORT_KEY_STATES = ['loading', 'active', 'retired', 'failed'] as const;
export type TransportKeyState = (typeof TRANSPORT_KEY_STATES)[number];

/**
 * A vending client's transport key: AES, in the token (usage WRAP), loaded by component ceremony.
 * Derived decoder keys leave the service only wrapped under it (RFC 5649). Metadata only.
 */
@Entity('vending_transport_keys')
export class TransportKey {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'principal_id', type: 'varchar', length: 36 })
  principalId!: string;

  @Column({ name: 'token_label', type: 'varchar', length: 64, unique: true })
  tokenLabel!: string;

  @Column({ name: 'length_bytes', type: 'integer' })
  lengthBytes!: number;

  @Column({ type: 'varchar', length: 16 })
  state!: TransportKeyState;

  @Column({ name: 'expected_kcv', type: 'varchar', length: 6 })
  expectedKcv!: string;

  @Column({ type: 'varchar', length: 6, nullable: true })
  kcv!: string | null;

  @Column({ name: 'created_by', type: 'varchar', length: 36 })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'varchar', length: ISO_LENGTH })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: ISO_LENGTH })
  updatedAt!: string;
}
