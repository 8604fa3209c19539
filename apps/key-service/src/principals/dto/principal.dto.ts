import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import {
  ArrayMaxSize,
  ArrayMinSize,
  ArrayUnique,
  IsArray,
  IsIn,
  IsOptional,
  IsString,
  Matches,
} from 'class-validator';
import { ROLES, type Role } from '../../auth/role';
import type { Principal, PrincipalState } from '../principal.entity';

export class CreatePrincipalDto {
  @ApiProperty({ example: 'alice.officer', pattern: '^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,99}$' })
  @IsString()
  @Matches(/^[A-Za-z0-9][A-Za-z0-9 ._@-]{0,99}$/, {
    message: 'name must be 1-100 characters: letters, digits, space . _ @ -',
  })
  name!: string;

  @ApiProperty({ enum: ROLES, isArray: true, example: ['security-officer'] })
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ROLES.length)
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  roles!: Role[];

  @ApiPropertyOptional({
    type: [String],
    example: ['600727'],
    description: 'Supply group codes a vending client may reach (vending clients only)',
  })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @ArrayUnique()
  @Matches(/^[0-9]{6}$/, { each: true, message: 'each sgcScope entry must be exactly 6 digits' })
  sgcScope?: string[];
}

export class UpdatePrincipalDto {
  @ApiPropertyOptional({ enum: ROLES, isArray: true })
  @IsOptional()
  @IsArray()
  @ArrayMinSize(1)
  @ArrayMaxSize(ROLES.length)
  @ArrayUnique()
  @IsIn(ROLES, { each: true })
  roles?: Role[];

  @ApiPropertyOptional({ type: [String] })
  @IsOptional()
  @IsArray()
  @ArrayMaxSize(1000)
  @ArrayUnique()
  @Matches(/^[0-9]{6}$/, { each: true, message: 'each sgcScope entry must be exactly 6 digits' })
  sgcScope?: string[];

  @ApiPropertyOptional({ enum: ['active', 'disabled'] })
  @IsOptional()
  @IsIn(['active', 'disabled'])
  state?: PrincipalState;
}

export class PrincipalDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty()
  name!: string;
  @ApiProperty({ enum: ROLES, isArray: true })
  roles!: Role[];
  @ApiProperty({ type: [String] })
  sgcScope!: string[];
  @ApiProperty({ enum: ['active', 'disabled'] })
  state!: PrincipalState;
  @ApiProperty({ description: 'Public identifier of the current API key (not a secret)' })
  apiKeyId!: string;
  @ApiProperty({ format: 'date-time' })
  apiKeyCreatedAt!: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  static from(p: Principal): PrincipalDto {
    return {
      id: p.id,
      name: p.name,
      roles: p.roles,
      sgcScope: p.sgcScope,
      state: p.state,
      apiKeyId: p.apiKeyId,
      apiKeyCreatedAt: p.apiKeyCreatedAt,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
    };
  }
}

export class PrincipalWithKeyDto extends PrincipalDto {
  @ApiProperty({
    description: 'The API key. Shown once: only its hash is stored.',
    example: 'sts_0123456789abcdef_…',
  })
  apiKey!: string;
}

export class PrincipalListDto {
  @ApiProperty({ type: [PrincipalDto] })
  items!: PrincipalDto[];
}
