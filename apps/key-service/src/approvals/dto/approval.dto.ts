import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsOptional, IsString, Length, Matches } from 'class-validator';
import { PageDto, PageQueryDto } from '../../common/paging';
import { FREE_TEXT } from '../../common/validation-rules';
import {
  APPROVAL_ACTIONS,
  APPROVAL_STATES,
  type ApprovalAction,
  type ApprovalState,
} from '../approval.entity';

export class ApproveDto {
  @ApiProperty({
    description: "SHA-256 (hex) of the payload you reviewed; must equal the request's payloadHash",
    pattern: '^[0-9a-f]{64}$',
  })
  @IsString()
  @Matches(/^[0-9a-f]{64}$/, { message: 'payloadHash must be 64 lower-case hex digits' })
  payloadHash!: string;
}

export class DecisionReasonDto {
  @ApiPropertyOptional({ maxLength: 500, description: 'No control characters but line breaks' })
  @IsOptional()
  @IsString()
  @Length(1, 500)
  @Matches(FREE_TEXT, { message: 'reason must have no control characters but line breaks' })
  reason?: string;
}

export class ApprovalVoteDto {
  @ApiProperty({ format: 'uuid' })
  principalId!: string;
  @ApiProperty({ enum: ['approve', 'reject'] })
  decision!: 'approve' | 'reject';
  @ApiProperty({ format: 'date-time' })
  at!: string;
  @ApiPropertyOptional({ description: 'The voter by name (on the list and read routes)' })
  principalName?: string;
}

export class ApprovalResultDto {
  @ApiProperty({ format: 'uuid' })
  principalId!: string;
  @ApiProperty({
    description:
      'The second part of the API key whose issue this approval completed: shown once, to this ' +
      'approver only. The holder joins the first part (given to the requester) and this one, and ' +
      'exchanges the whole at POST /principals/me/api-key.',
  })
  apiKeyPart!: string;
}

export class ApprovalDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ enum: APPROVAL_ACTIONS })
  action!: ApprovalAction;
  @ApiProperty({ description: 'The key (or other subject) the action applies to' })
  subjectId!: string;
  @ApiProperty({
    type: 'object',
    additionalProperties: true,
    description: 'Exactly what runs when approved: {action, subjectId, params}',
  })
  payload!: Record<string, unknown>;
  @ApiProperty({ description: 'SHA-256 of the canonical JSON payload; approvers send it back' })
  payloadHash!: string;
  @ApiProperty({ format: 'uuid' })
  requestedBy!: string;
  @ApiPropertyOptional({ description: 'The requester by name (on the list and read routes)' })
  requestedByName?: string;
  @ApiProperty({ description: 'Approvals needed besides the requester' })
  quorum!: number;
  @ApiProperty({ enum: APPROVAL_STATES })
  state!: ApprovalState;
  @ApiProperty({ type: [ApprovalVoteDto] })
  votes!: ApprovalVoteDto[];
  @ApiProperty({ format: 'date-time' })
  expiresAt!: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  decidedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, description: 'Error code when execution failed' })
  failureCode!: string | null;
  @ApiPropertyOptional({
    type: ApprovalResultDto,
    description: 'In the answer to the approval that ran the action, when it issued something',
  })
  result?: ApprovalResultDto;
}

export class ApprovalListDto extends PageDto {
  @ApiProperty({ type: [ApprovalDto], description: 'Newest first' })
  items!: ApprovalDto[];
}

export class ApprovalQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: APPROVAL_STATES })
  @IsOptional()
  @Matches(new RegExp(`^(${APPROVAL_STATES.join('|')})$`), {
    message: 'state must be an approval state',
  })
  state?: ApprovalState;

  @ApiPropertyOptional({ enum: APPROVAL_ACTIONS })
  @IsOptional()
  @Matches(new RegExp(`^(${APPROVAL_ACTIONS.join('|').replace(/\./g, '\\.')})$`), {
    message: 'action must be an approval action',
  })
  action?: ApprovalAction;
}
