import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { BREAK_REASONS, WITNESS_FORMAT } from '../audit-chain';
import { ID_TEXT } from '../../common/validation-rules';
import type { AuditCheckpointRow, AuditEventRow } from '../audit-event.entity';

export class AuditQueryDto {
  @ApiPropertyOptional({
    description: 'Cursor: events after this sequence number',
    minimum: 0,
    maximum: Number.MAX_SAFE_INTEGER,
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(0)
  @Max(Number.MAX_SAFE_INTEGER)
  after?: number;

  @ApiPropertyOptional({ minimum: 1, maximum: 500, default: 100 })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(500)
  limit?: number;

  @ApiPropertyOptional({ example: 'vending-key.activate' })
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(ID_TEXT, { message: 'action must have no white space or control characters' })
  action?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 36)
  @Matches(ID_TEXT, { message: 'actorId must have no white space or control characters' })
  actorId?: string;

  @ApiPropertyOptional()
  @IsOptional()
  @IsString()
  @Length(1, 64)
  @Matches(ID_TEXT, { message: 'subjectId must have no white space or control characters' })
  subjectId?: string;

  @ApiPropertyOptional({ enum: ['success', 'failure'] })
  @IsOptional()
  @IsIn(['success', 'failure'])
  outcome?: 'success' | 'failure';

  @ApiPropertyOptional({ format: 'date-time', description: 'Events at or after' })
  @IsOptional()
  @IsISO8601({ strict: true })
  from?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'Events before' })
  @IsOptional()
  @IsISO8601({ strict: true })
  to?: string;
}

export class AuditEventDto {
  @ApiProperty()
  seq!: number;
  @ApiProperty({ format: 'date-time' })
  at!: string;
  @ApiProperty()
  actorId!: string;
  @ApiProperty()
  actorName!: string;
  @ApiProperty()
  action!: string;
  @ApiProperty()
  subjectType!: string;
  @ApiProperty()
  subjectId!: string;
  @ApiProperty({ enum: ['success', 'failure'] })
  outcome!: string;
  @ApiProperty()
  requestId!: string;
  @ApiProperty({ type: 'object', additionalProperties: true })
  details!: Record<string, unknown>;
  @ApiProperty()
  prevHash!: string;
  @ApiProperty()
  hash!: string;

  static from(e: AuditEventRow): AuditEventDto {
    return {
      seq: e.seq,
      at: e.at,
      actorId: e.actorId,
      actorName: e.actorName,
      action: e.action,
      subjectType: e.subjectType,
      subjectId: e.subjectId,
      outcome: e.outcome,
      requestId: e.requestId,
      details: JSON.parse(e.details) as Record<string, unknown>,
      prevHash: e.prevHash,
      hash: e.hash,
    };
  }
}

export class AuditEventPageDto {
  @ApiProperty({ type: [AuditEventDto] })
  items!: AuditEventDto[];
  @ApiPropertyOptional({
    description: 'Pass as `after` for the next page; absent on the last page',
  })
  next?: number;
}

export class AuditCheckpointDto {
  @ApiProperty()
  seq!: number;
  @ApiProperty()
  hash!: string;
  @ApiProperty({ format: 'date-time' })
  at!: string;
  @ApiProperty()
  keyLabel!: string;
  @ApiProperty({ description: 'ECDSA P-256 / SHA-256, IEEE P1363 r||s, hex' })
  signature!: string;

  static from(c: AuditCheckpointRow): AuditCheckpointDto {
    return { seq: c.seq, hash: c.hash, at: c.at, keyLabel: c.keyLabel, signature: c.signature };
  }
}

export class AuditCheckpointListDto {
  @ApiProperty({ type: [AuditCheckpointDto] })
  items!: AuditCheckpointDto[];
}

export class BrokenLinkDto {
  @ApiProperty({ description: 'The first sequence number at which the chain is broken' })
  seq!: number;
  @ApiProperty({ enum: BREAK_REASONS })
  reason!: string;
  @ApiProperty()
  message!: string;
  @ApiPropertyOptional({
    description:
      'For a wrong end (EVENTS_MISSING_AFTER_LAST, HEAD_MISMATCH, EVENTS_BEYOND_HEAD): the last ' +
      'sequence the audit head (or a checkpoint) states',
  })
  expectedLastSeq?: number;
  @ApiPropertyOptional({ description: 'For a wrong end: the last sequence actually present' })
  foundLastSeq?: number;
}

/**
 * A signed checkpoint an auditor verified and keeps (the `sts-audit-witness/v1` file of
 * `verify-audit --witness`).
 */
export class AuditWitnessDto {
  @ApiProperty({ enum: [WITNESS_FORMAT] })
  @IsIn([WITNESS_FORMAT])
  format!: typeof WITNESS_FORMAT;

  @ApiProperty({ minimum: 1, description: 'The event the checkpoint covers' })
  @IsInt()
  @Min(1)
  seq!: number;

  @ApiProperty({ description: 'The hash of that event (SHA-256, hex)' })
  @Matches(/^[0-9a-f]{64}$/, { message: 'must be 64 lower-case hex digits' })
  hash!: string;

  @ApiProperty({ format: 'date-time', description: 'When the checkpoint was signed' })
  @IsISO8601({ strict: true })
  at!: string;

  @ApiProperty({ description: 'ECDSA P-256 / SHA-256, IEEE P1363 r||s, hex' })
  @Matches(/^[0-9a-f]{128}$/, { message: 'must be 128 lower-case hex digits' })
  signature!: string;

  @ApiProperty({ description: "SHA-256 of the audit key's SPKI DER, hex" })
  @Matches(/^[0-9a-f]{64}$/, { message: 'must be 64 lower-case hex digits' })
  keyFingerprint!: string;
}

export class RecordedRestoreDto {
  @ApiProperty({ description: 'The `recovery.restored` event' })
  seq!: number;
  @ApiProperty({ format: 'date-time' })
  at!: string;
  @ApiProperty({ description: 'The last event the restored database held' })
  restoredHeadSeq!: number;
  @ApiProperty({ description: 'The first event of the earlier history that is lost' })
  lostFromSeq!: number;
  @ApiProperty({
    type: Number,
    nullable: true,
    description:
      'The last lost event a signed checkpoint of the earlier history proves (the checkpoint ' +
      "sink or an auditor's witness at restore time); null when none was at hand",
  })
  lostThroughSeq!: number | null;
}

export class LostWitnessDto {
  @ApiProperty({ description: "The witness's event" })
  witnessSeq!: number;
  @ApiProperty({ description: 'The first lost event' })
  fromSeq!: number;
  @ApiProperty({
    description: 'The last lost event known (at least the witness); later ones unknown',
  })
  throughSeq!: number;
  @ApiProperty({ description: 'The restore event that accounts for the loss' })
  restoreSeq!: number;
  @ApiProperty({ format: 'date-time' })
  restoredAt!: string;
}

export class VerificationDto {
  @ApiProperty()
  ok!: boolean;
  @ApiProperty()
  eventsChecked!: number;
  @ApiProperty()
  checkpointsChecked!: number;
  @ApiProperty()
  lastSeq!: number;
  @ApiProperty({ description: 'Last event covered by a valid signed checkpoint' })
  lastSignedSeq!: number;
  @ApiPropertyOptional({ type: BrokenLinkDto })
  firstBroken?: BrokenLinkDto;
  @ApiProperty({ description: "SHA-256 of the audit key's SPKI DER, hex" })
  keyFingerprint!: string;
  @ApiPropertyOptional({
    type: AuditWitnessDto,
    description:
      'When intact: the newest signed checkpoint verified, to keep and send as the body of ' +
      '`POST /audit/verification` next time',
  })
  witness?: AuditWitnessDto;
  @ApiPropertyOptional({
    type: [RecordedRestoreDto],
    description:
      'The database restores the chain records (`recovery.restored` events), oldest first',
  })
  restores?: RecordedRestoreDto[];
  @ApiPropertyOptional({
    type: LostWitnessDto,
    description:
      'The witness sent lies in events a recorded restore lost: the chain is verified, and the ' +
      'range names what is gone',
  })
  witnessLost?: LostWitnessDto;
}

export class PublicKeyDto {
  @ApiProperty()
  keyLabel!: string;
  @ApiProperty({ description: 'SPKI PEM: all an offline verifier needs' })
  publicKeyPem!: string;
  @ApiProperty({
    description:
      "SHA-256 of the key's SPKI DER, hex: record it at installation (bootstrap-admin prints it) " +
      'and verify exports with `--fingerprint`',
  })
  fingerprint!: string;
}
