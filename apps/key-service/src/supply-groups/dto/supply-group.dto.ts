import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { IsIn, IsOptional, IsString, Length, Matches } from 'class-validator';
import { IsOmittable, NAME } from '../../common/validation-rules';
import {
  SUPPLY_GROUP_STATES,
  type SupplyGroup,
  type SupplyGroupState,
} from '../supply-group.entity';
import { PageDto } from '../../common/paging';

export class CreateSupplyGroupDto {
  @ApiProperty({ example: '600727', description: 'Supply group code: exactly 6 digits, unique' })
  @IsString()
  sgc!: string;

  @ApiProperty({
    example: 'Northern region',
    minLength: 1,
    maxLength: 100,
    description: 'At least one visible character; no control characters',
  })
  @IsString()
  @Length(1, 100)
  @Matches(NAME, { message: 'name must have a visible character and no control characters' })
  name!: string;

  @ApiPropertyOptional({
    example: 'north',
    description: 'Supply group cluster (key-change moves stay inside one)',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, {
    message: 'cluster must be 1-64 characters of A-Z a-z 0-9 . _ -',
  })
  cluster?: string;
}

export class UpdateSupplyGroupDto {
  @ApiPropertyOptional({
    minLength: 1,
    maxLength: 100,
    description: 'At least one visible character; no control characters',
  })
  @IsOmittable()
  @IsString()
  @Length(1, 100)
  @Matches(NAME, { message: 'name must have a visible character and no control characters' })
  name?: string;

  @ApiPropertyOptional({ enum: SUPPLY_GROUP_STATES, description: 'retired is final' })
  @IsOmittable()
  @IsIn(SUPPLY_GROUP_STATES)
  state?: SupplyGroupState;
}

export class SupplyGroupDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: '600727' })
  sgc!: string;
  @ApiProperty()
  name!: string;
  @ApiProperty({ nullable: true, type: String })
  cluster!: string | null;
  @ApiProperty({ enum: SUPPLY_GROUP_STATES })
  state!: SupplyGroupState;
  @ApiProperty({
    nullable: true,
    type: String,
    format: 'uuid',
    description: 'Revision being loaded or awaiting activation',
  })
  pendingRevisionId!: string | null;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  static from(g: SupplyGroup): SupplyGroupDto {
    return {
      id: g.id,
      sgc: g.sgc,
      name: g.name,
      cluster: g.cluster,
      state: g.state,
      pendingRevisionId: g.pendingRevisionId,
      createdAt: g.createdAt,
      updatedAt: g.updatedAt,
    };
  }
}

export class SupplyGroupListDto extends PageDto {
  @ApiProperty({ type: [SupplyGroupDto], description: 'In SGC order' })
  items!: SupplyGroupDto[];
}
