import { ApiProperty } from '@nestjs/swagger';

export class HealthCheckStatusDto {
  @ApiProperty() ok!: boolean;
}

export class HealthChecksStatusDto {
  @ApiProperty({ type: HealthCheckStatusDto }) database!: HealthCheckStatusDto;
  @ApiProperty({ type: HealthCheckStatusDto, description: 'Logged in, the audit key present' })
  token!: HealthCheckStatusDto;
  @ApiProperty({ type: HealthCheckStatusDto, description: 'Mechanisms and known answers' })
  selfTest!: HealthCheckStatusDto;
}

/** The public health answer: status only, no labels, types or details. */
export class HealthStatusDto {
  @ApiProperty({ enum: ['ok', 'unavailable'] }) status!: 'ok' | 'unavailable';
  @ApiProperty({ type: HealthChecksStatusDto }) checks!: HealthChecksStatusDto;
}
