import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import type { CustodyReport } from '../custody-verification';

export class KeyVerificationDto {
  @ApiProperty({ enum: ['vending-key', 'kek', 'transport-key', 'audit-key'] })
  kind!: string;

  @ApiProperty({ description: 'The row id (the audit key: its label)' })
  id!: string;

  @ApiProperty({ description: 'The token label' })
  label!: string;

  @ApiProperty({ description: "The row's state" })
  state!: string;

  @ApiPropertyOptional({ description: 'Vending keys: supply group code' })
  sgc?: string;

  @ApiPropertyOptional({ description: 'Vending keys: key revision number' })
  krn?: number;

  @ApiProperty()
  ok!: boolean;

  @ApiPropertyOptional({ enum: ['MISSING', 'CHECK_VALUE_MISMATCH', 'ATTRIBUTE_MISMATCH'] })
  failure?: string;

  @ApiProperty({ type: [String], description: 'One line per problem found' })
  problems!: string[];
}

export class UnexpectedKeyDto {
  @ApiProperty()
  label!: string;

  @ApiProperty({ enum: ['DES', 'HMAC', 'AES', 'EC_P256'] })
  algorithm!: string;

  @ApiProperty({ enum: ['DERIVE', 'UNWRAP', 'WRAP', 'SIGN'] })
  usage!: string;

  @ApiProperty({ description: 'Check value computed by the token (6 hex digits)' })
  kcv!: string;

  @ApiProperty({
    enum: ['unknown', 'destroyed'],
    description: 'unknown: no row names it; destroyed: its row says it was destroyed or abandoned',
  })
  reason!: string;
}

export class CustodySummaryDto {
  @ApiProperty({ description: 'Keys the database requires in the token' })
  referenced!: number;

  @ApiProperty()
  verified!: number;

  @ApiProperty()
  failed!: number;

  @ApiProperty({ description: 'Keys in the token that no live row accounts for' })
  unexpected!: number;
}

export class CustodyReportDto {
  @ApiProperty({ description: 'Every required key verified and nothing unexpected in the token' })
  ok!: boolean;

  @ApiProperty({ format: 'date-time' })
  checkedAt!: string;

  @ApiProperty({ description: 'The token label' })
  token!: string;

  @ApiProperty({ type: [KeyVerificationDto] })
  keys!: KeyVerificationDto[];

  @ApiProperty({ type: [UnexpectedKeyDto] })
  unexpected!: UnexpectedKeyDto[];

  @ApiProperty({ type: CustodySummaryDto })
  summary!: CustodySummaryDto;

  static from(report: CustodyReport): CustodyReportDto {
    return {
      ...report,
      keys: report.keys.map((k) => ({ ...k, problems: [...k.problems] })),
      unexpected: [...report.unexpected],
      summary: { ...report.summary },
    };
  }
}
