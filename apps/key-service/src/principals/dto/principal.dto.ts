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
import { ApprovalDto } from '../../approvals/dto/approval.dto';
import { ROLES, type Role } from '../../auth/role';
import { PageDto } from '../../common/paging';
import { PRINCIPAL_STATES, type Principal, type PrincipalState } from '../principal.entity';

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

  @ApiPropertyOptional({
    enum: ['active', 'disabled'],
    description: 'disabled applies at once; active (re-enabling) waits for a second admin',
  })
  @IsOptional()
  @IsIn(['active', 'disabled'])
  state?: 'active' | 'disabled';
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
  @ApiProperty({
    enum: PRINCIPAL_STATES,
    description: 'pending: created with a role that waits for a second admin',
  })
  state!: PrincipalState;
  @ApiProperty({ description: 'Public identifier of the current API key (not a secret)' })
  apiKeyId!: string;
  @ApiProperty({
    description:
      'The current key was issued by someone else and has not yet been exchanged by its holder ' +
      '(POST /principals/me/api-key); until then it is good for nothing else',
  })
  enrolmentPending!: boolean;
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
      enrolmentPending: p.apiKeyEnrolment,
      apiKeyCreatedAt: p.apiKeyCreatedAt,
      createdAt: p.createdAt,
      updatedAt: p.updatedAt,
    };
  }
}

export class PrincipalWithKeyDto extends PrincipalDto {
  @ApiProperty({
    description:
      'The API key, shown once (only a verifier is stored). A key issued to someone else is an ' +
      'enrolment key: its holder exchanges it at POST /principals/me/api-key before anything else.',
    example: 'sts_0123456789abcdef_…',
  })
  apiKey!: string;
}

/** A principal or key that waits for a second admin, with the first part of the key. */
export class PrincipalKeyPartDto {
  @ApiProperty({ type: PrincipalDto })
  principal!: PrincipalDto;
  @ApiProperty({
    description:
      "The first part of the holder's API key (`sts_<id>_` and 22 characters), shown once. The " +
      'approving admin receives the second part; the holder joins them and exchanges the whole ' +
      'at POST /principals/me/api-key.',
  })
  apiKeyPart!: string;
  @ApiProperty({ type: ApprovalDto, description: 'The request a second admin decides' })
  approval!: ApprovalDto;
}

/** A change that waits for a second admin. */
export class PrincipalChangeRequestedDto {
  @ApiProperty({ type: PrincipalDto, description: 'The principal as it is until approval' })
  principal!: PrincipalDto;
  @ApiProperty({ type: ApprovalDto })
  approval!: ApprovalDto;
}

export class PrincipalListDto extends PageDto {
  @ApiProperty({ type: [PrincipalDto], description: 'By name' })
  items!: PrincipalDto[];
}
