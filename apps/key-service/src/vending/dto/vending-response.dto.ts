import { KeyChangeDueDto } from '../../meter-keys/dto/meter-key.dto';
import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ISSUANCE_KINDS, type IssuanceKind } from '../issuance/issuance.entity';
import { PageDto } from '../../common/paging';

export class MeterRefDto {
  @ApiProperty()
  iin!: string;
  @ApiProperty()
  drn!: string;
}

/** The registry entry a token or key was made with (never key bytes). */
export class VendingKeyRefDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty()
  sgc!: string;
  @ApiProperty()
  krn!: number;
  @ApiProperty({ enum: ['VDDK', 'VUDK', 'VCDK'] })
  type!: string;
  @ApiProperty({ description: 'STS key type of derived keys (1 DDTK, 2 DUTK, 3 DCTK)' })
  keyType!: number;
  @ApiProperty({ enum: ['02', '04'] })
  dkga!: string;
  @ApiProperty({ enum: [1993, 2014, 2035] })
  baseDate!: number;
  @ApiProperty({ description: 'Key expiry number' })
  ken!: number;
  @ApiProperty({ description: 'Check value of the vending key (computed by the token)' })
  kcv!: string;
}

export class IssuedTokenDto {
  @ApiProperty({
    example: '51638423060042734509',
    description:
      "20-digit STS token; in an auditor's reprint masked to its last four digits (****************4509)",
  })
  token!: string;
  @ApiProperty({ enum: [0, 1, 2] })
  tokenClass!: number;
  @ApiProperty()
  subclass!: number;
  @ApiProperty({
    nullable: true,
    type: Number,
    description: 'Token identifier; null for tokens without one (test, key change)',
  })
  tid!: number | null;
  @ApiProperty({ example: 'credit: electricity 25.6' })
  description!: string;
  @ApiPropertyOptional({
    example: '25.6',
    description:
      'Credit tokens: the amount the token carries, as decimal text (units with 1 decimal, currency ' +
      'with 5): the amount asked for, rounded up to the nearest encodable amount',
  })
  encodedAmount?: string;
  @ApiPropertyOptional({
    example: '1000024',
    description:
      'Management tokens: the value the token carries, as decimal text: watts rounded up to the ' +
      'nearest encodable value for subclasses 0 and 6, the value asked for otherwise',
  })
  encodedValue?: string;
}

export class KeyChangeDetailsDto {
  @ApiProperty({
    enum: [0, 1],
    description: 'Rollover: 1 when the base date changes (the meter clears its TID memory)',
  })
  ro!: number;
  @ApiProperty({ type: VendingKeyRefDto, description: 'The key the meter moves to' })
  newVendingKey!: VendingKeyRefDto;
  @ApiProperty()
  newTariffIndex!: string;
  @ApiProperty({ enum: ['07', '09', '11'] })
  newEa!: string;
  @ApiPropertyOptional({
    type: VendingKeyRefDto,
    description: 'With a purchase: the key the meter held, under which the set is encrypted',
  })
  fromVendingKey?: VendingKeyRefDto;
  @ApiPropertyOptional({
    enum: ['superseded', 'refused-change'],
    description: 'With a purchase: why the key change was due (docs/meter-keys.md)',
  })
  reason?: 'superseded' | 'refused-change';
  @ApiPropertyOptional({
    description:
      'The earlier issuance whose set the meter refused: these are the same key-change tokens again',
  })
  reprintOf?: string;
}

/** Every token answer: the tokens, their TIDs and the vending key's check value. */
export class TokenIssuanceDto {
  @ApiProperty({
    format: 'uuid',
    description: 'Request id of this issuance: reprint with GET /vending/issuances/{id}',
  })
  issuanceId!: string;
  @ApiProperty({ enum: ISSUANCE_KINDS })
  kind!: IssuanceKind;
  @ApiProperty({ format: 'date-time' })
  issuedAt!: string;
  @ApiProperty({ type: MeterRefDto })
  meter!: MeterRefDto;
  @ApiProperty({ type: [IssuedTokenDto], description: 'In the order they must be entered' })
  tokens!: IssuedTokenDto[];
  @ApiProperty({ type: [Number], description: 'TIDs of the tokens that carry one' })
  tids!: number[];
  @ApiProperty({
    nullable: true,
    type: String,
    description: 'Check value of the vending key the tokens were made with (null: test tokens)',
  })
  vendingKeyKcv!: string | null;
  @ApiProperty({ nullable: true, type: VendingKeyRefDto })
  vendingKey!: VendingKeyRefDto | null;
  @ApiPropertyOptional({ type: KeyChangeDetailsDto })
  keyChange?: KeyChangeDetailsDto;
  @ApiPropertyOptional({
    type: KeyChangeDueDto,
    description:
      "The token was made under a superseded revision: the key change the meter should receive (ask with keyChange 'auto')",
  })
  keyChangeDue?: KeyChangeDueDto;
}

/** Reprints found by Idempotency-Key or request id, newest first. */
export class TokenIssuanceListDto extends PageDto {
  @ApiProperty({ type: [TokenIssuanceDto], description: 'Newest first' })
  items!: TokenIssuanceDto[];
}

export class DerivedKeyDto {
  @ApiProperty({ type: MeterRefDto })
  meter!: MeterRefDto;
  @ApiProperty()
  sgc!: string;
  @ApiProperty()
  krn!: number;
  @ApiProperty({ description: 'STS key type (1 DDTK, 2 DUTK, 3 DCTK)' })
  keyType!: number;
  @ApiProperty()
  tariffIndex!: string;
  @ApiProperty({ enum: ['07', '09', '11'] })
  ea!: string;
  @ApiProperty({ enum: [1993, 2014, 2035] })
  baseDate!: number;
  @ApiProperty({ description: 'Key expiry number (TID >> 16 must not exceed it)' })
  ken!: number;
  @ApiProperty({ example: 'AES-KWP', description: 'RFC 5649 AES key wrap with padding' })
  wrapAlgorithm!: string;
  @ApiProperty({ description: 'The decoder key wrapped under your transport key, hex' })
  wrappedKey!: string;
  @ApiProperty({ description: 'Check value of the decoder key: 3 bytes of E_DK(zero block), hex' })
  keyCheckValue!: string;
  @ApiProperty({ format: 'uuid' })
  transportKeyId!: string;
  @ApiProperty()
  transportKeyKcv!: string;
  @ApiProperty({ description: 'Check value of the vending key the decoder key was derived from' })
  vendingKeyKcv!: string;
  @ApiProperty({ type: VendingKeyRefDto })
  vendingKey!: VendingKeyRefDto;
}
