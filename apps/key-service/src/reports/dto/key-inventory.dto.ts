import { ApiProperty } from '@nestjs/swagger';
import { PageDto } from '../../common/paging';
import { VENDING_KEY_STATES, VENDING_KEY_TYPES } from '../../vending-keys/vending-key.entity';

export class KeyInventoryRowDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ example: '600727' })
  sgc!: string;
  @ApiProperty()
  krn!: number;
  @ApiProperty({ enum: VENDING_KEY_TYPES })
  keyType!: string;
  @ApiProperty({ enum: ['02', '04'] })
  dkga!: string;
  @ApiProperty({ enum: VENDING_KEY_STATES })
  state!: string;
  @ApiProperty({ nullable: true, type: String, description: "The token's check value" })
  kcv!: string | null;
  @ApiProperty({ enum: ['ceremony', 'wrapped-import'] })
  loadMethod!: string;
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  activateAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  issueUntil!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  expiresAt!: string | null;
  @ApiProperty({ format: 'date-time', nullable: true, type: String })
  destroyedAt!: string | null;
  @ApiProperty({ description: 'The officer who started the revision' })
  requestedBy!: string;
  @ApiProperty({ type: [String], description: 'Who entered components, in order' })
  custodians!: string[];
  @ApiProperty({ type: [String], description: 'Who approved actions on the key' })
  approvers!: string[];
}

export class KeyInventoryDto extends PageDto {
  @ApiProperty({ type: [KeyInventoryRowDto] })
  items!: KeyInventoryRowDto[];
}
