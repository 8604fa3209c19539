import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import {
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Length,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { ApprovalDto } from '../../approvals/dto/approval.dto';
import { PageDto, PageQueryDto } from '../../common/paging';
import { NAME } from '../../common/validation-rules';
import { BAD_ROW_CODES } from '../campaign-csv';
import {
  CAMPAIGN_STATES,
  type Campaign,
  type CampaignState,
  CHUNK_FAILURE_POLICIES,
  type ChunkFailurePolicy,
  STALL_CAUSES,
  type StallCause,
} from '../campaign.entity';
import { motionOf, type ProgressFacts } from '../campaign-progress';

export class CampaignKeyParamsDto {
  @ApiProperty({ example: '123456', description: 'Supply group code, 6 digits' })
  @IsString()
  @Matches(/^[0-9]{6}$/, { message: 'sgc must be exactly 6 digits' })
  sgc!: string;

  @ApiProperty({ minimum: 1, maximum: 9, description: 'Key revision number' })
  @IsInt()
  @Min(1)
  @Max(9)
  krn!: number;

  @ApiProperty({ example: '01', description: 'Tariff index, 2 digits' })
  @IsString()
  @Matches(/^[0-9]{2}$/, { message: 'tariffIndex must be exactly 2 digits' })
  tariffIndex!: string;

  @ApiProperty({ enum: [1993, 2014, 2035] })
  @IsIn([1993, 2014, 2035])
  baseDate!: number;
}

export class CreateCampaignDto {
  @ApiPropertyOptional({
    maxLength: 100,
    description: 'At least one visible character; no control characters',
  })
  @IsOptional()
  @IsString()
  @Length(1, 100)
  @Matches(NAME, { message: 'name must have a visible character and no control characters' })
  name?: string;

  @ApiProperty({ type: CampaignKeyParamsDto, description: 'The key the meters hold now' })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => CampaignKeyParamsDto)
  from!: CampaignKeyParamsDto;

  @ApiProperty({ type: CampaignKeyParamsDto, description: 'The key the meters move to' })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => CampaignKeyParamsDto)
  to!: CampaignKeyParamsDto;

  @ApiProperty({ enum: ['07', '09', '11'], description: 'EA of meters whose row names none' })
  @IsIn(['07', '09', '11'])
  ea!: string;

  @ApiPropertyOptional({ minimum: 10, maximum: 20000, default: 1000 })
  @IsOptional()
  @IsInt()
  @Min(10)
  @Max(20000)
  chunkSize?: number;

  @ApiPropertyOptional({
    enum: CHUNK_FAILURE_POLICIES,
    default: 'pause',
    description:
      'What a chunk that keeps failing (not an outage) does after its last try: `pause` the ' +
      'campaign (resume tries it again), or fail its meters with the reason and `continue`',
  })
  @IsOptional()
  @IsIn(CHUNK_FAILURE_POLICIES)
  onChunkFailure?: ChunkFailurePolicy;
}

export class CampaignQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CAMPAIGN_STATES })
  @IsOptional()
  @IsIn(CAMPAIGN_STATES)
  state?: CampaignState;
}

export class CampaignSideDto {
  @ApiProperty() sgc!: string;
  @ApiProperty() krn!: number;
  @ApiProperty() tariffIndex!: string;
  @ApiProperty() baseDate!: number;
  @ApiProperty({ format: 'uuid' }) vendingKeyId!: string;
}

export class CampaignMetersDto {
  @ApiProperty({ description: 'Whether the meter list has been uploaded' })
  uploaded!: boolean;
  @ApiProperty() total!: number;
  @ApiProperty({ description: 'Rows refused before any key was used (see the results)' })
  badRows!: number;
  @ApiProperty({ nullable: true, type: String, description: 'SHA-256 of the normalised list' })
  sha256!: string | null;
  @ApiProperty({
    description:
      'Listed meters the meter key registry placed on the target key when the list was ' +
      'uploaded (moved at purchase or by the key-change route): the run leaves them alone',
  })
  movedAtUpload!: number;
}

export class CampaignStallDto {
  @ApiProperty({
    enum: STALL_CAUSES,
    description:
      'no_live_worker: no worker process has heartbeated within the takeover time; ' +
      'hsm_unavailable / database_unavailable: the last attempt at a chunk failed for that outage',
  })
  cause!: StallCause;
  @ApiProperty({ format: 'date-time' }) since!: string;
}

export class CampaignProgressDto {
  @ApiProperty() total!: number;
  @ApiProperty() issued!: number;
  @ApiProperty({
    description:
      'Meters the run found on the target key already (moved at purchase): no set issued',
  })
  moved!: number;
  @ApiProperty({
    description: 'Bad rows, meters refused by a key rule, and the meters of chunks given up',
  })
  failed!: number;
  @ApiProperty() pending!: number;
  @ApiProperty() chunksDone!: number;
  @ApiProperty() chunkCount!: number;
  @ApiProperty({ description: '0..100' }) percent!: number;
  @ApiProperty({
    description:
      'Meters per second committed over the recent window (STS_CAMPAIGN_RATE_WINDOW_SECONDS, ' +
      'or since the run last started or resumed if that is later); 0 when nothing moved in it',
  })
  ratePerSecond!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Seconds left at that rate; null when nothing moves, when stalled, or not running',
  })
  etaSeconds!: number | null;
  @ApiProperty({
    nullable: true,
    type: CampaignStallDto,
    description:
      'Set while a running campaign with work left stands still, with why and since when',
  })
  stalled!: CampaignStallDto | null;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Worker processes alive now (null when the campaign is not running)',
  })
  liveWorkers!: number | null;
}

export class CampaignDto {
  @ApiProperty({ format: 'uuid' }) id!: string;
  @ApiProperty() name!: string;
  @ApiProperty({ enum: CAMPAIGN_STATES }) state!: CampaignState;
  @ApiProperty({ type: CampaignSideDto }) from!: CampaignSideDto;
  @ApiProperty({ type: CampaignSideDto }) to!: CampaignSideDto;
  @ApiProperty({ enum: [0, 1], description: '1 when the base date changes' }) ro!: number;
  @ApiProperty({ enum: ['07', '09', '11'] }) ea!: string;
  @ApiProperty() chunkSize!: number;
  @ApiProperty({ enum: CHUNK_FAILURE_POLICIES }) onChunkFailure!: ChunkFailurePolicy;
  @ApiProperty({ type: CampaignMetersDto }) meters!: CampaignMetersDto;
  @ApiProperty({ type: CampaignProgressDto }) progress!: CampaignProgressDto;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' }) approvalId!: string | null;
  @ApiProperty({ format: 'uuid' }) createdBy!: string;
  @ApiProperty({ format: 'date-time' }) createdAt!: string;
  @ApiProperty({ format: 'date-time' }) updatedAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) startedAt!: string | null;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' }) finishedAt!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    description:
      'Error code when failed or closed, or of the chunk that made the service pause the campaign',
  })
  failureCode!: string | null;

  /** The campaign at `now`; `facts` (workers, recent commits) are read for a running campaign. */
  static from(c: Campaign, now: Date, facts?: ProgressFacts): CampaignDto {
    const processed = c.issued + c.moved + c.failed;
    const pending = Math.max(0, c.totalRows - processed);
    const motion = motionOf(c, now, facts);
    return {
      id: c.id,
      name: c.name,
      state: c.state,
      from: {
        sgc: c.fromSgc,
        krn: c.fromKrn,
        tariffIndex: c.fromTi,
        baseDate: c.fromBaseDate,
        vendingKeyId: c.fromKeyId,
      },
      to: {
        sgc: c.toSgc,
        krn: c.toKrn,
        tariffIndex: c.toTi,
        baseDate: c.toBaseDate,
        vendingKeyId: c.toKeyId,
      },
      ro: c.ro,
      ea: c.ea,
      chunkSize: c.chunkSize,
      onChunkFailure: c.onChunkFailure,
      meters: {
        uploaded: c.metersSha256 !== null,
        total: c.totalRows,
        badRows: c.badRows,
        sha256: c.metersSha256,
        movedAtUpload: c.movedAtUpload,
      },
      progress: {
        total: c.totalRows,
        issued: c.issued,
        moved: c.moved,
        failed: c.failed,
        pending,
        chunksDone: c.chunksDone,
        chunkCount: c.chunkCount,
        percent: c.totalRows === 0 ? 0 : Math.floor((processed / c.totalRows) * 1000) / 10,
        ...motion,
      },
      approvalId: c.approvalId,
      createdBy: c.createdBy,
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
      startedAt: c.startedAt,
      finishedAt: c.finishedAt,
      failureCode: c.failureCode,
    };
  }
}

export class CampaignListDto extends PageDto {
  @ApiProperty({ type: [CampaignDto], description: 'Newest first' }) items!: CampaignDto[];
}

export class BadRowDto {
  @ApiProperty({ description: 'Row number in the list (1 = first row after the header)' })
  row!: number;
  @ApiProperty({ enum: BAD_ROW_CODES }) code!: string;
}

export class MetersUploadedDto {
  @ApiProperty({ type: CampaignDto }) campaign!: CampaignDto;
  @ApiProperty({
    type: ApprovalDto,
    description: 'The dual-control request a second officer approves',
  })
  approval!: ApprovalDto;
  @ApiProperty({ type: [BadRowDto], description: 'The first 100 bad rows' })
  badRows!: BadRowDto[];
}
