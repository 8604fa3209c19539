import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsInt,
  IsOptional,
  IsString,
  IsUUID,
  Matches,
  Max,
  Min,
} from 'class-validator';
import { CeremonyDto } from '../../ceremonies/dto/ceremony.dto';
import { KEK_STATES, type Kek, type KekState } from '../kek.entity';
import { PageDto } from '../../common/paging';

export class CreateKekDto {
  @ApiProperty({ example: 'kmc-transfer-2025' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/, {
    message: 'name must be 1-100 characters of A-Z a-z 0-9 . _ -',
  })
  name!: string;

  @ApiProperty({ enum: [16, 24, 32], description: 'AES key length in bytes' })
  @IsIn([16, 24, 32])
  lengthBytes!: number;

  @ApiProperty({
    example: '1a2b3c',
    description: 'Check value of the combined KEK (AES: E_K(0^128)[0..3])',
  })
  @IsString()
  @Matches(/^[0-9a-fA-F]{6}$/, { message: 'expectedKcv must be 6 hex digits' })
  expectedKcv!: string;

  @ApiProperty({ minimum: 2, maximum: 3 })
  @IsInt()
  @Min(2)
  @Max(3)
  componentCount!: number;

  @ApiPropertyOptional({
    type: [String],
    description: 'Custodians who may enter components (default: any)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(3)
  @ArrayUnique()
  @IsUUID('all', { each: true })
  custodianIds?: string[];
}

export class KekDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty()
  name!: string;
  @ApiProperty()
  lengthBytes!: number;
  @ApiProperty({ enum: KEK_STATES })
  state!: KekState;
  @ApiProperty()
  expectedKcv!: string;
  @ApiProperty({ nullable: true, type: String })
  kcv!: string | null;
  @ApiProperty()
  tokenLabel!: string;
  @ApiProperty({ format: 'uuid' })
  createdBy!: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  static from(k: Kek): KekDto {
    return {
      id: k.id,
      name: k.name,
      lengthBytes: k.lengthBytes,
      state: k.state,
      expectedKcv: k.expectedKcv,
      kcv: k.kcv,
      tokenLabel: k.tokenLabel,
      createdBy: k.createdBy,
      createdAt: k.createdAt,
      updatedAt: k.updatedAt,
    };
  }
}

export class KekListDto extends PageDto {
  @ApiProperty({ type: [KekDto], description: 'Oldest first' })
  items!: KekDto[];
}

export class KekCreatedDto {
  @ApiProperty({ type: KekDto })
  kek!: KekDto;
  @ApiProperty({ type: CeremonyDto })
  ceremony!: CeremonyDto;
}
