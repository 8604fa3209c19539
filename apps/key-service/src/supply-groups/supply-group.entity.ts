import { Column, Entity, PrimaryColumn, VersionColumn } from 'typeorm';
import { ISO_LENGTH } from '../database/column-types';

export const SUPPLY_GROUP_STATES = ['active', 'suspended', 'retired'] as const;
export type SupplyGroupState = (typeof SUPPLY_GROUP_STATES)[number];

/** A supply group: one SGC and the revisions of its vending keys. */
@Entity('supply_groups')
export class SupplyGroup {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 6, unique: true })
  sgc!: string;

  @Column({ type: 'varchar', length: 100 })
  name!: string;

  @Column({ type: 'varchar', length: 64, nullable: true })
  cluster!: string | null;

  @Column({ type: 'varchar', length: 16 })
  state!: SupplyGroupState;

  /**
   * The revision being loaded or awaiting activation. Set with a conditional update so that at
   * most one new revision is in flight per supply group, on any database and any process.
   */
  @Column({ name: 'pending_revision_id', type: 'varchar', length: 36, nullable: true })
  pendingRevisionId!: string | null;

  @Column({ name: 'created_at', type: 'varchar', length: ISO_LENGTH })
  createdAt!: string;

  @Column({ name: 'updated_at', type: 'varchar', length: ISO_LENGTH })
  updatedAt!: string;

  @VersionColumn()
  version!: number;
}
