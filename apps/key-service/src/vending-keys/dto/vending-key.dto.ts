import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsISO8601,
  IsOptional,
  IsString,
  IsUUID,
  Length,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import { ApprovalDto } from '../../approvals/dto/approval.dto';
import { FREE_TEXT } from '../../common/validation-rules';
import { CeremonyDto } from '../../ceremonies/dto/ceremony.dto';
import {
  VENDING_KEY_STATES,
  VENDING_KEY_TYPES,
  type LoadMethod,
  type VendingKey,
  type VendingKeyState,
  type VendingKeyType,
} from '../vending-key.entity';
import { PageDto, PageQueryDto } from '../../common/paging';

const HEX_KCV = /^[0-9a-fA-F]{6}$/;

export class StartRevisionDto {
  @ApiProperty({ enum: VENDING_KEY_TYPES })
  @IsIn(VENDING_KEY_TYPES)
  keyType!: VendingKeyType;

  @ApiProperty({ enum: ['02', '04'], description: 'Decoder key generation algorithm' })
  @IsString()
  dkga!: string;

  @ApiPropertyOptional({
    minimum: 16,
    maximum: 64,
    description: 'DKGA04 (HMAC) key length in bytes, default 32; DKGA02 keys are always 8',
  })
  @IsOptional()
  @IsInt()
  @Min(8)
  @Max(64)
  keyLengthBytes?: number;

  @ApiProperty({
    type: [String],
    example: ['07', '11'],
    description: 'Encryption algorithms tokens may use',
  })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(3)
  @ArrayUnique()
  @IsString({ each: true })
  allowedEas!: string[];

  @ApiProperty({ enum: [1993, 2014, 2035] })
  @IsInt()
  baseDate!: number;

  @ApiProperty({ minimum: 0, maximum: 255, description: 'Key expiry number' })
  @IsInt()
  ken!: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 9,
    description:
      'First revision of a supply group only (default 1); later revisions take the next KRN',
  })
  @IsOptional()
  @IsInt()
  krn?: number;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  activateAt?: string;

  @ApiPropertyOptional({ format: 'date-time', description: 'No tokens are issued after this time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  issueUntil?: string;

  @ApiPropertyOptional({ format: 'date-time' })
  @IsOptional()
  @IsISO8601({ strict: true })
  expiresAt?: string;

  @ApiProperty({
    example: 'a1b2c3',
    description: 'Check value the loaded key must have (6 hex digits)',
  })
  @IsString()
  @Matches(HEX_KCV, { message: 'expectedKcv must be 6 hex digits' })
  expectedKcv!: string;

  @ApiProperty({ enum: ['ceremony', 'wrapped-import'] })
  @IsIn(['ceremony', 'wrapped-import'])
  loadMethod!: LoadMethod;

  @ApiPropertyOptional({ minimum: 2, maximum: 3, description: 'ceremony: number of components' })
  @ValidateIf((o: StartRevisionDto) => o.loadMethod === 'ceremony')
  @IsInt()
  @Min(2)
  @Max(3)
  componentCount?: number;

  @ApiPropertyOptional({
    type: [String],
    description: 'ceremony: the custodians who may enter components (default: any custodian)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(3)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  custodianIds?: string[];

  @ApiPropertyOptional({ format: 'uuid', description: 'wrapped-import: the key-encryption key' })
  @ValidateIf((o: StartRevisionDto) => o.loadMethod === 'wrapped-import')
  @IsUUID('all')
  kekId?: string;

  @ApiPropertyOptional({ description: 'wrapped-import: RFC 5649 blob under the KEK, hex' })
  @ValidateIf((o: StartRevisionDto) => o.loadMethod === 'wrapped-import')
  @IsString()
  @Matches(/^([0-9a-fA-F]{2}){16,136}$/, { message: 'wrappedKey must be 16-136 bytes of hex' })
  wrappedKey?: string;
}

export class ActivateDto {
  @ApiPropertyOptional({
    format: 'date-time',
    description:
      'When the key becomes active and its predecessor superseded (default: on approval)',
  })
  @IsOptional()
  @IsISO8601({ strict: true })
  effectiveAt?: string;
}

export class ReasonDto {
  @ApiProperty({
    minLength: 1,
    maxLength: 500,
    description: 'No control characters but line breaks',
  })
  @IsString()
  @Length(1, 500)
  @Matches(FREE_TEXT, { message: 'reason must have no control characters but line breaks' })
  reason!: string;
}

export class IssueUntilDto extends ReasonDto {
  @ApiProperty({
    format: 'date-time',
    description:
      'The new end of issuing under the key: later than now and its activation, not after its expiry. ' +
      'On a superseded revision it lets the key vend beside its successor until then.',
  })
  @IsISO8601({ strict: true })
  issueUntil!: string;
}

export class VendingKeyQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ example: '600727' })
  @IsOptional()
  @Matches(/^[0-9]{6}$/, { message: 'sgc must be exactly 6 digits' })
  sgc?: string;

  @ApiPropertyOptional({ enum: VENDING_KEY_STATES })
  @IsOptional()
  @IsIn(VENDING_KEY_STATES)
  state?: VendingKeyState;
}

export class VendingKeyDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: '600727' })
  sgc!: string;
  @ApiProperty({ minimum: 1, maximum: 9 })
  krn!: number;
  @ApiProperty({ enum: VENDING_KEY_TYPES })
  keyType!: VendingKeyType;
  @ApiProperty({ enum: ['02', '04'] })
  dkga!: '02' | '04';
  @ApiProperty()
  keyLengthBytes!: number;
  @ApiProperty({ type: [String] })
  allowedEas!: string[];
  @ApiProperty({ enum: [1993, 2014, 2035] })
  baseDate!: number;
  @ApiProperty()
  ken!: number;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  activateAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  issueUntil!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  expiresAt!: string | null;
  @ApiProperty({ enum: VENDING_KEY_STATES })
  state!: VendingKeyState;
  @ApiProperty({ description: 'Check value stated when loading started' })
  expectedKcv!: string;
  @ApiProperty({ nullable: true, type: String, description: 'Check value computed by the token' })
  kcv!: string | null;
  @ApiProperty({
    description: 'Check value algorithm',
    example: 'DES: E_K(0^64)[0..3]; HMAC: HMAC-SHA-256(K, 0^64)[0..3]',
  })
  kcvAlgorithm!: string;
  @ApiProperty({ description: 'Label of the key object in the token' })
  tokenLabel!: string;
  @ApiProperty({ enum: ['ceremony', 'wrapped-import'] })
  loadMethod!: LoadMethod;
  @ApiProperty({ nullable: true, type: String, format: 'uuid' })
  supersedesId!: string | null;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'date-time',
    description: 'Scheduled supersession',
  })
  supersedeAt!: string | null;
  @ApiProperty({ format: 'uuid' })
  createdBy!: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;
  @ApiProperty({ nullable: true, type: String, format: 'date-time' })
  destroyedAt!: string | null;

  static from(k: VendingKey): VendingKeyDto {
    return {
      id: k.id,
      sgc: k.sgc,
      krn: k.krn,
      keyType: k.keyType,
      dkga: k.dkga,
      keyLengthBytes: k.keyLengthBytes,
      allowedEas: k.allowedEas,
      baseDate: k.baseDate,
      ken: k.ken,
      activateAt: k.activateAt,
      issueUntil: k.issueUntil,
      expiresAt: k.expiresAt,
      state: k.state,
      expectedKcv: k.expectedKcv,
      kcv: k.kcv,
      kcvAlgorithm: k.dkga === '02' ? 'DES-ECB(K, 0^64)[0..3]' : 'HMAC-SHA-256(K, 0^64)[0..3]',
      tokenLabel: k.tokenLabel,
      loadMethod: k.loadMethod,
      supersedesId: k.supersedesId,
      supersedeAt: k.supersedeAt,
      createdBy: k.createdBy,
      createdAt: k.createdAt,
      updatedAt: k.updatedAt,
      destroyedAt: k.destroyedAt,
    };
  }
}

export class VendingKeyListDto extends PageDto {
  @ApiProperty({ type: [VendingKeyDto], description: 'By SGC, then oldest first' })
  items!: VendingKeyDto[];
}

export class RevisionStartedDto {
  @ApiProperty({ type: VendingKeyDto })
  vendingKey!: VendingKeyDto;
  @ApiPropertyOptional({
    type: CeremonyDto,
    description: 'loadMethod ceremony: custodians enter components here',
  })
  ceremony?: CeremonyDto;
  @ApiPropertyOptional({
    type: ApprovalDto,
    description: 'loadMethod wrapped-import: the import waits for this',
  })
  approval?: ApprovalDto;
}
