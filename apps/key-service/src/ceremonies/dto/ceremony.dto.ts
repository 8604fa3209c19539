import { ApiProperty } from '@nestjs/swagger';
import { IsString, Matches } from 'class-validator';
import { PageDto } from '../../common/paging';
import {
  CEREMONY_STATES,
  type Ceremony,
  type CeremonyPurpose,
  type CeremonyComponent,
  type CeremonyState,
} from '../ceremony.entity';

export class SubmitComponentDto {
  @ApiProperty({
    description:
      "This custodian's key component, hex. Held in the token, never stored or returned.",
    example: '0123456789abcdef',
  })
  @IsString()
  @Matches(/^([0-9a-fA-F]{2}){8,64}$/, { message: 'component must be 8-64 bytes of hex' })
  component!: string;

  @ApiProperty({
    description: "Check value of the component as written on the custodian's form",
    example: 'd5d44f',
  })
  @IsString()
  @Matches(/^[0-9a-fA-F]{6}$/, { message: 'kcv must be 6 hex digits' })
  kcv!: string;
}

/**
 * A generated key's component, released once to its custodian. The response carries key material
 * by design (the custodian must carry it to the client's HSM): it is sent with
 * `Cache-Control: no-store` and never logged or stored.
 */
export class ReleasedComponentDto {
  @ApiProperty({ description: 'Component index (1-based)' })
  index!: number;
  @ApiProperty({ description: 'The component, hex. Shown once; the token has destroyed its copy.' })
  component!: string;
  @ApiProperty({ description: 'Check value of the component', example: 'd5d44f' })
  kcv!: string;
}

export class CeremonyComponentDto {
  @ApiProperty()
  index!: number;
  @ApiProperty({ format: 'uuid' })
  custodianId!: string;
  @ApiProperty()
  kcv!: string;
  @ApiProperty({ format: 'date-time' })
  submittedAt!: string;
}

export class CeremonyDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({ enum: ['vending-key', 'kek', 'transport-key'] })
  purpose!: CeremonyPurpose;
  @ApiProperty({
    format: 'uuid',
    description: 'The vending key, KEK or client transport key being loaded',
  })
  subjectId!: string;
  @ApiProperty({ enum: ['DES', 'HMAC', 'AES'] })
  algorithm!: 'DES' | 'HMAC' | 'AES';
  @ApiProperty()
  lengthBytes!: number;
  @ApiProperty()
  componentCount!: number;
  @ApiProperty()
  expectedKcv!: string;
  @ApiProperty({
    type: [String],
    description:
      'Custodians allowed to enter a component (empty: any); for a generated key, custodian i collects component i',
  })
  custodians!: string[];
  @ApiProperty({ enum: CEREMONY_STATES })
  state!: CeremonyState;
  @ApiProperty({ format: 'uuid' })
  openedBy!: string;
  @ApiProperty({ type: [CeremonyComponentDto] })
  components!: CeremonyComponentDto[];
  @ApiProperty({ format: 'date-time' })
  createdAt!: string;
  @ApiProperty({ format: 'date-time' })
  updatedAt!: string;

  static from(c: Ceremony, components: CeremonyComponent[]): CeremonyDto {
    return {
      id: c.id,
      purpose: c.purpose,
      subjectId: c.subjectId,
      algorithm: c.algorithm,
      lengthBytes: c.lengthBytes,
      componentCount: c.componentCount,
      expectedKcv: c.expectedKcv,
      custodians: c.custodians,
      state: c.state,
      openedBy: c.openedBy,
      components: components
        .sort((a, b) => a.index - b.index)
        .map((x) => ({
          index: x.index,
          custodianId: x.custodianId,
          kcv: x.kcv,
          submittedAt: x.submittedAt,
        })),
      createdAt: c.createdAt,
      updatedAt: c.updatedAt,
    };
  }
}

export class CeremonyListDto extends PageDto {
  @ApiProperty({ type: [CeremonyDto], description: 'Newest first' })
  items!: CeremonyDto[];
}
