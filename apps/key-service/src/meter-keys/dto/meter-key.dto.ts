import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsIn, IsInt, IsOptional, IsString, IsUUID, Matches, Max, Min } from 'class-validator';
import { IsOmittable } from '../../common/validation-rules';
import { PageDto, PageQueryDto } from '../../common/paging';
import type { MeterKeyRecord } from '../meter-key.entity';
import { KEY_CHANGE_STATES, METER_KEY_SOURCES } from '../meter-key.entity';
import type { DueKeyChange } from '../key-change-due';

/** The key a meter holds, as a vending system or an officer states it. */
export class RegisterMeterKeyDto {
  @ApiProperty({ example: '600727', description: 'Supply group code of the key the meter holds' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'sgc must be exactly 6 digits' })
  sgc!: string;

  @ApiProperty({ minimum: 1, maximum: 9, description: 'Key revision number the meter holds' })
  @IsInt()
  @Min(1)
  @Max(9)
  krn!: number;

  @ApiProperty({ example: '01', description: 'Tariff index, 2 digits' })
  @IsString()
  @Matches(/^\d{2}$/, { message: 'tariffIndex must be 2 digits' })
  tariffIndex!: string;

  @ApiProperty({ enum: ['07', '09', '11'], description: 'Encryption algorithm of the meter' })
  @IsIn(['07', '09', '11'])
  ea!: '07' | '09' | '11';

  @ApiPropertyOptional({
    enum: [1, 2, 3],
    description: "Key type on record; 422 when it differs from the vending key's",
  })
  @IsOmittable()
  @IsIn([1, 2, 3])
  keyType?: 1 | 2 | 3;

  @ApiPropertyOptional({
    enum: [1993, 2014, 2035],
    description: "Base date on record; 422 when it differs from the vending key's",
  })
  @IsOmittable()
  @IsIn([1993, 2014, 2035])
  baseDate?: 1993 | 2014 | 2035;
}

export class KeyChangeRefusedDto {
  @ApiProperty({
    description:
      'The issuance (`issuanceId`) or campaign whose key-change set the meter never took: ' +
      'must be the last set issued to it',
  })
  @IsUUID('all', { message: 'changeId must be a UUID' })
  changeId!: string;
}

export class MeterCountQueryDto {
  @ApiPropertyOptional({ example: '600727', description: 'One supply group' })
  @IsOptional()
  @IsString()
  @Matches(/^\d{6}$/, { message: 'sgc must be exactly 6 digits' })
  sgc?: string;
}

export class MeterKeyQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    example: '600727',
    description: 'Only meters on keys of this supply group',
  })
  @IsOptional()
  @IsString()
  @Matches(/^\d{6}$/, { message: 'sgc must be exactly 6 digits' })
  sgc?: string;

  @ApiPropertyOptional({
    minimum: 1,
    maximum: 9,
    description: 'Only meters on this KRN (with sgc)',
  })
  @IsOptional()
  @Type(() => Number)
  @IsInt()
  @Min(1)
  @Max(9)
  krn?: number;
}

/** A key as the registry names it. */
export class MeterKeyRefDto {
  @ApiProperty({ example: '600727' }) sgc!: string;
  @ApiProperty({ example: 1 }) krn!: number;
  @ApiProperty({ example: '01' }) tariffIndex!: string;
  @ApiProperty({ description: 'The vending key revision' }) vendingKeyId!: string;
}

export class MeterKeyChangeDto {
  @ApiProperty({ description: 'The issuance or campaign that holds the key-change set' })
  id!: string;

  @ApiProperty({ enum: KEY_CHANGE_STATES })
  state!: (typeof KEY_CHANGE_STATES)[number];

  @ApiProperty({ type: MeterKeyRefDto }) from!: MeterKeyRefDto;
  @ApiProperty({ type: MeterKeyRefDto }) to!: MeterKeyRefDto;
}

export class KeyChangeDueDto {
  @ApiProperty({ example: '600727' }) sgc!: string;
  @ApiProperty({ example: 2 }) krn!: number;
  @ApiProperty({ example: '01' }) tariffIndex!: string;
  @ApiProperty({ example: 2014 }) baseDate!: number;
  @ApiProperty({ description: 'The target revision' }) vendingKeyId!: string;

  @ApiProperty({
    enum: ['superseded', 'refused-change'],
    description:
      "superseded: the meter's revision was superseded; refused-change: a set reported as " +
      'never entered is due again (the same tokens)',
  })
  reason!: DueKeyChange['reason'];

  @ApiProperty({ enum: [0, 1], description: '1 when the base date changes (rollover)' })
  ro!: 0 | 1;

  static from(due: DueKeyChange): KeyChangeDueDto {
    return {
      sgc: due.to.sgc,
      krn: due.to.krn,
      tariffIndex: due.tariffIndex,
      baseDate: due.to.baseDate,
      vendingKeyId: due.to.id,
      reason: due.reason,
      ro: due.ro,
    };
  }
}

class MeterRefDto {
  @ApiProperty({ example: '600727' }) iin!: string;
  @ApiProperty({ example: '00000000018' }) drn!: string;
}

export class MeterKeyRecordDto {
  @ApiProperty({ type: MeterRefDto }) meter!: MeterRefDto;
  @ApiProperty({ example: '600727' }) sgc!: string;
  @ApiProperty({ example: 1 }) krn!: number;
  @ApiProperty({ example: '01' }) tariffIndex!: string;
  @ApiProperty({ enum: [1, 2, 3] }) keyType!: number;
  @ApiProperty({ enum: ['07', '09', '11'] }) ea!: string;
  @ApiProperty({ enum: [1993, 2014, 2035] }) baseDate!: number;
  @ApiProperty() vendingKeyId!: string;

  @ApiProperty({
    enum: METER_KEY_SOURCES,
    description:
      'registered: stated by a vending system or an officer; key-change: a key-change set issued ' +
      'by vending; campaign: a rekey campaign; refused: moved back after a reported refusal',
  })
  source!: string;

  @ApiProperty({ nullable: true, type: String, description: 'The issuance or campaign' })
  sourceId!: string | null;

  @ApiProperty() recordedBy!: string;
  @ApiProperty() updatedAt!: string;

  @ApiProperty({ type: MeterKeyChangeDto, nullable: true })
  lastKeyChange!: MeterKeyChangeDto | null;

  @ApiProperty({
    type: KeyChangeDueDto,
    nullable: true,
    description: 'The key change the meter should receive with its next purchase, if any',
  })
  keyChangeDue!: KeyChangeDueDto | null;

  static from(
    r: MeterKeyRecord,
    keys: ReadonlyMap<string, { sgc: string; krn: number }>,
    due: DueKeyChange | null,
  ): MeterKeyRecordDto {
    const ref = (id: string | null, ti: string | null): MeterKeyRefDto => {
      const key = id === null ? undefined : keys.get(id);
      return {
        sgc: key?.sgc ?? '',
        krn: key?.krn ?? 0,
        tariffIndex: ti ?? '',
        vendingKeyId: id ?? '',
      };
    };
    return {
      meter: { iin: r.iin, drn: r.drn },
      sgc: r.sgc,
      krn: r.krn,
      tariffIndex: r.tariffIndex,
      keyType: r.keyType,
      ea: r.ea,
      baseDate: r.baseDate,
      vendingKeyId: r.vendingKeyId,
      source: r.source,
      sourceId: r.sourceId,
      recordedBy: r.recordedBy,
      updatedAt: r.updatedAt,
      lastKeyChange:
        r.changeId === null || r.changeState === null
          ? null
          : {
              id: r.changeId,
              state: r.changeState,
              from: ref(r.changeFromKeyId, r.changeFromTi),
              to: ref(r.changeToKeyId, r.changeToTi),
            },
      keyChangeDue: due ? KeyChangeDueDto.from(due) : null,
    };
  }
}

export class MeterKeyListDto extends PageDto {
  @ApiProperty({ type: [MeterKeyRecordDto] }) items!: MeterKeyRecordDto[];
}

export class RevisionMeterCountDto {
  @ApiProperty({ example: '600727' }) sgc!: string;
  @ApiProperty({ example: 1 }) krn!: number;
  @ApiProperty({ description: 'Meters the registry places on this revision' }) meters!: number;
}

export class BadMeterKeyRowDto {
  @ApiProperty({ description: 'Line number in the file (header = 1)' }) row!: number;
  @ApiProperty({ description: 'The column at fault, or `row`' }) field!: string;
  @ApiProperty() message!: string;
}

export class MeterKeyImportDto {
  @ApiProperty({ description: 'Meter rows read (after the header)' }) rows!: number;
  @ApiProperty({ description: 'Rows registered (created or updated)' }) registered!: number;
  @ApiProperty({ description: 'Rows refused' }) refused!: number;
  @ApiProperty({ type: [BadMeterKeyRowDto], description: 'The first 100 refused rows' })
  badRows!: BadMeterKeyRowDto[];
  @ApiProperty({ description: 'SHA-256 of the registered rows, normalised, one per line' })
  sha256!: string;
}
