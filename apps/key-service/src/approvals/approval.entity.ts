import { Column, Entity, PrimaryColumn } from 'typeorm';
import { ISO_LENGTH } from '../database/column-types';

export const APPROVAL_ACTIONS = [
  'key.activate',
  'key.rotate',
  'key.suspend',
  'key.reactivate',
  'key.destroy',
  'key.import',
  'key.issue-until',
  'campaign.approve',
  'principal.create',
  'principal.update',
  'principal.api-key',
] as const;
export type ApprovalAction = (typeof APPROVAL_ACTIONS)[number];

export const APPROVAL_STATES = [
  'pending',
  'approved',
  'rejected',
  'expired',
  'cancelled',
  'failed',
] as const;
export type ApprovalState = (typeof APPROVAL_STATES)[number];

/** A dual-control request: the exact payload, its hash, who asked, and what came of it. */
@Entity('approvals')
export class Approval {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 32 })
  action!: ApprovalAction;

  @Column({ name: 'subject_id', type: 'varchar', length: 36 })
  subjectId!: string;

  /** Canonical JSON of `{action, subjectId, params}`: what runs when approved. */
  @Column({ type: 'text' })
  payload!: string;

  /** SHA-256 of `payload`; an approver states the hash they reviewed. */
  @Column({ name: 'payload_hash', type: 'varchar', length: 64 })
  payloadHash!: string;

  @Column({ name: 'requested_by', type: 'varchar', length: 36 })
  requestedBy!: string;

  @Column({ type: 'integer' })
  quorum!: number;

  @Column({ type: 'varchar', length: 16 })
  state!: ApprovalState;

  /** `action:subjectId` while pending, NULL afterwards: one open request per action and subject. */
  @Column({ name: 'pending_key', type: 'varchar', length: 80, nullable: true, unique: true })
  pendingKey!: string | null;

  @Column({ name: 'expires_at', type: 'varchar', length: ISO_LENGTH })
  expiresAt!: string;

  @Column({ name: 'created_at', type: 'varchar', length: ISO_LENGTH })
  createdAt!: string;

  @Column({ name: 'decided_at', type: 'varchar', length: ISO_LENGTH, nullable: true })
  decidedAt!: string | null;

  /**
   * Data too large or too sensitive for the payload (a wrapped key blob, hex); the payload
   * carries its SHA-256, checked before execution. Never returned by the API.
   */
  @Column({ type: 'text', nullable: true })
  attachment!: string | null;

  /** Why execution failed (an error code), when state is `failed`. */
  @Column({ name: 'failure_code', type: 'varchar', length: 40, nullable: true })
  failureCode!: string | null;
}

/** One officer's decision on an approval request. */
@Entity('approval_votes')
export class ApprovalVote {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'approval_id', type: 'varchar', length: 36 })
  approvalId!: string;

  @Column({ name: 'principal_id', type: 'varchar', length: 36 })
  principalId!: string;

  @Column({ type: 'varchar', length: 8 })
  decision!: 'approve' | 'reject';

  @Column({ type: 'varchar', length: ISO_LENGTH })
  at!: string;
}
