import { Column, Entity, PrimaryColumn } from 'typeorm';
import { ISO_LENGTH } from '../../database/column-types';

/**
 * The last TID issued to one meter under one vending key. Updated only by an atomic upsert inside
 * the issuing transaction, so TIDs per (meter, key) are strictly increasing and never reused, on
 * any number of service processes.
 */
@Entity('vending_tid_allocations')
export class TidAllocation {
  @PrimaryColumn({ name: 'vending_key_id', type: 'varchar', length: 36 })
  vendingKeyId!: string;

  @PrimaryColumn({ type: 'varchar', length: 6 })
  iin!: string;

  @PrimaryColumn({ type: 'varchar', length: 13 })
  drn!: string;

  @Column({ name: 'last_tid', type: 'integer' })
  lastTid!: number;

  @Column({ name: 'updated_at', type: 'varchar', length: ISO_LENGTH })
  updatedAt!: string;
}
