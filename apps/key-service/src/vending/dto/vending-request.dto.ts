import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { Type } from 'class-transformer';
import { IsOmittable } from '../../common/validation-rules';
import {
  IsDefined,
  IsIn,
  IsInt,
  IsObject,
  IsOptional,
  IsString,
  Matches,
  Max,
  Min,
  ValidateNested,
} from 'class-validator';
import { PageQueryDto } from '../../common/paging';

/** A meter's identity. */
export class MeterIdDto {
  @ApiProperty({
    example: '600727',
    description: 'Issuer identification number: 6 digits, or 0000',
  })
  @IsString()
  @Matches(/^(\d{6}|\d{4})$/, { message: 'iin must be 6 digits (e.g. 600727) or 4 digits (0000)' })
  iin!: string;

  @ApiProperty({
    example: '12345678903',
    description:
      'Decoder reference number: 11 digits after a 6-digit IIN, 13 after 0000, Luhn check digit last',
  })
  @IsString()
  @Matches(/^(\d{11}|\d{13})$/, { message: 'drn must be 11 or 13 digits' })
  drn!: string;
}

/** A meter and the parameters of the key it holds now. */
export class MeterKeyDto extends MeterIdDto {
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
    description:
      "Key type the vending system has on record; 422 when it differs from the vending key's",
  })
  @IsOmittable()
  @IsIn([1, 2, 3])
  keyType?: 1 | 2 | 3;

  @ApiPropertyOptional({
    enum: [1993, 2014, 2035],
    description:
      "Base date the vending system has on record; 422 when it differs from the vending key's",
  })
  @IsOmittable()
  @IsIn([1993, 2014, 2035])
  baseDate?: 1993 | 2014 | 2035;
}

export class DerivedKeyRequestDto {
  @ApiProperty({ type: MeterKeyDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => MeterKeyDto)
  meter!: MeterKeyDto;
}

export class CreditTokenRequestDto {
  @ApiProperty({ type: MeterKeyDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => MeterKeyDto)
  meter!: MeterKeyDto;

  @ApiProperty({
    minimum: 0,
    maximum: 7,
    description: '0 electricity, 1 water, 2 gas, 3 time (units); 4-7 the same in currency',
  })
  @IsInt()
  @Min(0)
  @Max(7)
  subclass!: number;

  @ApiProperty({
    example: '25.6',
    description:
      'Decimal text, more than zero. Units (kWh, m³, …) with at most 1 decimal for subclasses 0-3; currency with at most 5 for 4-7. ' +
      'Encoded rounding up (the customer is never under-credited); the answer says what was encoded (`encodedAmount`).',
  })
  @IsString()
  @Matches(/^(?!0+(\.0+)?$)\d{1,9}(\.\d{1,5})?$/, {
    message: 'amount must be a decimal number more than zero',
  })
  amount!: string;

  @ApiPropertyOptional({
    enum: ['auto'],
    description:
      'auto: the token is made under the key the meter key registry says the meter holds; when ' +
      'a key change is due (its revision superseded, or a set it refused), the answer holds the ' +
      'key-change set first and then this token under the new key (docs/meter-keys.md)',
  })
  @IsOmittable()
  @IsIn(['auto'])
  keyChange?: 'auto';
}

export class ManagementTokenRequestDto {
  @ApiProperty({ type: MeterKeyDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => MeterKeyDto)
  meter!: MeterKeyDto;

  @ApiProperty({
    enum: [0, 1, 2, 5, 6, 7],
    description:
      '0 SetMaximumPowerLimit, 1 ClearCredit, 2 SetTariffRate, 5 ClearTamperCondition, ' +
      '6 SetMaximumPhasePowerUnbalanceLimit, 7 SetWaterMeterFactor',
  })
  @IsIn([0, 1, 2, 5, 6, 7])
  subclass!: 0 | 1 | 2 | 5 | 6 | 7;

  @ApiProperty({
    minimum: 0,
    description:
      'Watts for 0 and 6; the credit register for 1 (class 0 subclass 0-7, or 65535 for all); raw rate for 2; 0 for 5; raw factor for 7',
  })
  @IsInt()
  @Min(0)
  @Max(18_201_624)
  value!: number;

  @ApiPropertyOptional({
    enum: ['auto'],
    description:
      'auto: the token is made under the key the meter key registry says the meter holds; when ' +
      'a key change is due (its revision superseded, or a set it refused), the answer holds the ' +
      'key-change set first and then this token under the new key (docs/meter-keys.md)',
  })
  @IsOmittable()
  @IsIn(['auto'])
  keyChange?: 'auto';
}

export class TestTokenRequestDto {
  @ApiProperty({
    type: MeterIdDto,
    description: 'The meter the test token is for (recorded; test tokens are not encrypted)',
  })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => MeterIdDto)
  meter!: MeterIdDto;

  @ApiProperty({
    enum: [0, 1],
    description: '0: 36 control bits and a 2-digit manufacturer code; 1: 28 bits and 4 digits',
  })
  @IsIn([0, 1])
  subclass!: 0 | 1;

  @ApiProperty({ example: '0x1', description: 'Test bits as hex: bit n-1 requests test n' })
  @IsString()
  @Matches(/^(0x)?[0-9a-fA-F]{1,9}$/, { message: 'control must be hex text of at most 36 bits' })
  control!: string;

  @ApiProperty({ minimum: 0, maximum: 65535 })
  @IsInt()
  @Min(0)
  @Max(65535)
  manufacturerCode!: number;
}

/** The key the meter moves to. */
export class TargetKeyDto {
  @ApiProperty({ example: '600727', description: 'New supply group code (same cluster)' })
  @IsString()
  @Matches(/^\d{6}$/, { message: 'sgc must be exactly 6 digits' })
  sgc!: string;

  @ApiProperty({ minimum: 1, maximum: 9, description: 'New key revision number' })
  @IsInt()
  @Min(1)
  @Max(9)
  krn!: number;

  @ApiProperty({ example: '01', description: 'New tariff index' })
  @IsString()
  @Matches(/^\d{2}$/, { message: 'tariffIndex must be 2 digits' })
  tariffIndex!: string;

  @ApiPropertyOptional({
    enum: ['07', '09', '11'],
    description: "New encryption algorithm (default: the meter's current one)",
  })
  @IsOmittable()
  @IsIn(['07', '09', '11'])
  ea?: '07' | '09' | '11';
}

export class KeyChangeRequestDto {
  @ApiProperty({ type: MeterKeyDto, description: 'The meter and the key it holds now' })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => MeterKeyDto)
  meter!: MeterKeyDto;

  @ApiProperty({ type: TargetKeyDto })
  @IsDefined()
  @IsObject()
  @ValidateNested()
  @Type(() => TargetKeyDto)
  target!: TargetKeyDto;
}

/** Reprint lookup: exactly one of the two (400 naming the field otherwise). */
export class IssuanceLookupQueryDto extends PageQueryDto {
  @ApiPropertyOptional({
    description:
      'The Idempotency-Key the issuance was requested with. Found while the key is kept ' +
      '(STS_VENDING_IDEMPOTENCY_HOURS, at least 24 h); afterwards use the request id or the issuance id.',
    example: 'order-2025-000042',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[\x21-\x7e]{1,128}$/, {
    message: 'idempotencyKey must be 1-128 visible ASCII characters',
  })
  idempotencyKey?: string;

  @ApiPropertyOptional({
    description:
      'The request id the issuance was made under: the X-Request-Id you sent (8-64 of A-Z a-z 0-9 . _ -), ' +
      'or the one the service answered with in X-Request-Id.',
    example: 'pos-17-000042',
  })
  @IsOptional()
  @IsString()
  @Matches(/^[A-Za-z0-9._-]{1,64}$/, {
    message: 'requestId must be 1-64 of A-Z a-z 0-9 . _ -',
  })
  requestId?: string;
}
