import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsBoolean,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  Min,
  ValidateIf,
} from 'class-validator';
import { CeremonyDto } from '../../ceremonies/dto/ceremony.dto';
import {
  TRANSPORT_KEY_STATES,
  type TransportKey,
  type TransportKeyState,
} from '../transport-keys/transport-key.entity';
import type { VendingClient } from '../clients/vending-client.entity';
import { PageDto } from '../../common/paging';

const DECIMAL = /^\d{1,9}(\.\d{1,5})?$/;

export class UpsertVendingClientDto {
  @ApiProperty({
    type: [Number],
    example: [0, 4],
    description: 'Class 0 subclasses the client may issue (0-7)',
  })
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(8)
  @IsIn([0, 1, 2, 3, 4, 5, 6, 7], { each: true })
  creditSubclasses!: number[];

  @ApiProperty({
    type: [Number],
    example: [0, 5],
    description: 'Class 2 subclasses (0, 1, 2, 5, 6, 7)',
  })
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(6)
  @IsIn([0, 1, 2, 5, 6, 7], { each: true })
  managementSubclasses!: number[];

  @ApiProperty({ type: [Number], example: [0, 1], description: 'Class 1 subclasses (0, 1)' })
  @IsArray()
  @ArrayUnique()
  @ArrayMaxSize(2)
  @IsIn([0, 1], { each: true })
  testSubclasses!: number[];

  @ApiProperty({ description: 'Whether the client may issue key-change sets' })
  @IsBoolean()
  keyChangeAllowed!: boolean;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: '500',
    description: 'Largest unit credit per token (null: no limit)',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @Matches(DECIMAL, { message: 'maxUnitAmount must be a non-negative decimal number' })
  maxUnitAmount?: string | null;

  @ApiPropertyOptional({
    nullable: true,
    type: String,
    example: '1000.00',
    description: 'Largest currency credit per token (null: no limit)',
  })
  @IsOptional()
  @ValidateIf((_o, v) => v !== null)
  @IsString()
  @Matches(DECIMAL, { message: 'maxCurrencyAmount must be a non-negative decimal number' })
  maxCurrencyAmount?: string | null;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 100000,
    default: 50,
    description: 'Sustained requests per second (per service process)',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  ratePerSecond?: number;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 100000,
    default: 100,
    description: 'Requests allowed at once after a quiet period',
  })
  @IsOptional()
  @IsInt()
  @Min(1)
  @Max(100_000)
  burst?: number;
}

export class TransportKeyDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ format: 'uuid' })
  principalId!: string;
  @ApiProperty({ enum: [16, 24, 32] })
  lengthBytes!: number;
  @ApiProperty({ enum: TRANSPORT_KEY_STATES })
  state!: TransportKeyState;
  @ApiProperty()
  expectedKcv!: string;
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Check value computed by the token once loaded',
  })
  kcv!: string | null;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  static from(t: TransportKey): TransportKeyDto {
    return {
      id: t.id,
      principalId: t.principalId,
      lengthBytes: t.lengthBytes,
      state: t.state,
      expectedKcv: t.expectedKcv,
      kcv: t.kcv,
      createdAt: t.createdAt,
      updatedAt: t.updatedAt,
    };
  }
}

export class VendingClientDto {
  @ApiProperty({ format: 'uuid' })
  principalId!: string;
  @ApiProperty()
  name!: string;
  @ApiProperty({
    type: [String],
    description: 'Supply groups the client may reach (from the principal)',
  })
  sgcScope!: string[];
  @ApiProperty({ type: [Number] })
  creditSubclasses!: number[];
  @ApiProperty({ type: [Number] })
  managementSubclasses!: number[];
  @ApiProperty({ type: [Number] })
  testSubclasses!: number[];
  @ApiProperty()
  keyChangeAllowed!: boolean;
  @ApiProperty({ nullable: true, type: String })
  maxUnitAmount!: string | null;
  @ApiProperty({ nullable: true, type: String })
  maxCurrencyAmount!: string | null;
  @ApiProperty()
  ratePerSecond!: number;
  @ApiProperty()
  burst!: number;
  @ApiProperty({
    nullable: true,
    type: TransportKeyDto,
    description: 'The active transport key, if any',
  })
  transportKey!: TransportKeyDto | null;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  static from(
    c: VendingClient,
    principal: { name: string; sgcScope: string[] },
    transportKey: TransportKey | null,
  ): VendingClientDto {
    return {
      principalId: c.principalId,
      name: principal.name,
      sgcScope: principal.sgcScope,
      creditSubclasses: c.creditSubclasses.map(Number),
      managementSubclasses: c.managementSubclasses.map(Number),
      testSubclasses: c.testSubclasses.map(Number),
      keyChangeAllowed: c.keyChangeAllowed === 1,
      maxUnitAmount: c.maxUnitAmount,
      maxCurrencyAmount: c.maxCurrencyAmount,
      ratePerSecond: c.ratePerSecond,
      burst: c.burst,
      transportKey: transportKey ? TransportKeyDto.from(transportKey) : null,
      updatedAt: c.updatedAt,
    };
  }
}

export class VendingClientListDto extends PageDto {
  @ApiProperty({ type: [VendingClientDto], description: 'In principal id order' })
  items!: VendingClientDto[];
}

export class CreateTransportKeyDto {
  @ApiPropertyOptional({
    enum: ['ceremony', 'generate'],
    default: 'ceremony',
    description:
      "ceremony: the client's custodians enter components they bring. generate: the token generates the " +
      'key as components; each named custodian collects one (POST /ceremonies/{id}/components/{index}/release).',
  })
  @IsOptional()
  @IsIn(['ceremony', 'generate'])
  method?: 'ceremony' | 'generate';

  @ApiProperty({ enum: [16, 24, 32], description: 'AES key length in bytes' })
  @IsIn([16, 24, 32])
  lengthBytes!: number;

  @ApiPropertyOptional({
    example: '1a2b3c',
    description:
      'Check value of the combined transport key (AES: E_K(0^128)[0..3]); required for method "ceremony"',
  })
  @ValidateIf((o: CreateTransportKeyDto) => (o.method ?? 'ceremony') === 'ceremony')
  @IsString()
  @Matches(/^[0-9a-fA-F]{6}$/, { message: 'expectedKcv must be 6 hex digits' })
  expectedKcv?: string;

  @ApiProperty({ minimum: 2, maximum: 3 })
  @IsInt()
  @Min(2)
  @Max(3)
  componentCount!: number;

  @ApiPropertyOptional({
    type: [String],
    description:
      'Custodians who may enter components (default: any); for method "generate", exactly one per component ' +
      '(custodian i collects component i)',
  })
  @ValidateIf((o: CreateTransportKeyDto) => o.method === 'generate' || o.custodianIds !== undefined)
  @IsArray()
  @ArrayMaxSize(3)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  custodianIds?: string[];
}

export class TransportKeyCreatedDto {
  @ApiProperty({ type: TransportKeyDto })
  transportKey!: TransportKeyDto;
  @ApiProperty({
    type: CeremonyDto,
    description:
      "The component ceremony: the client's custodians enter their components, or collect the generated ones",
  })
  ceremony!: CeremonyDto;
}
