import { Column, Entity, PrimaryColumn } from 'typeorm';
import { ISO_LENGTH } from '../database/column-types';

/**
 * One completed database restore (`key-service restore-complete`): where the restored audit
 * chain ended, what is known to be lost, and the time up to which TIDs the lost interval could
 * have issued reach. Every TID allocated afterwards starts beyond `tidFloorAt`.
 */
@Entity('recovery_restores')
export class RestoreRecord {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** The `recovery.restored` audit event. */
  @Column({ name: 'audit_seq', type: 'integer' })
  auditSeq!: number;

  /** The last audit event the restored database held. */
  @Column({ name: 'restored_head_seq', type: 'integer' })
  restoredHeadSeq!: number;

  /** The last event the lost timeline is known to have reached (a signed checkpoint), if any. */
  @Column({ name: 'lost_through_seq', type: 'integer', nullable: true })
  lostThroughSeq!: number | null;

  @Column({ name: 'completed_at', type: 'varchar', length: ISO_LENGTH })
  completedAt!: string;

  /** The completion time plus the TID window: TIDs are allocated after this minute only. */
  @Column({ name: 'tid_floor_at', type: 'varchar', length: ISO_LENGTH })
  tidFloorAt!: string;

  @Column({ name: 'tid_window_minutes', type: 'integer' })
  tidWindowMinutes!: number;
}
