import { ApiProperty, ApiPropertyOptional } from '@nestjs/swagger';
import { ErrorCode } from './error-codes';

/** The one error shape of every route. */
export class ErrorResponseDto {
  @ApiProperty({ example: 400 })
  statusCode!: number;

  @ApiProperty({ enum: ErrorCode, enumName: 'ErrorCode' })
  code!: ErrorCode;

  @ApiProperty({ example: 'sgc: must be exactly 6 digits' })
  message!: string;

  @ApiPropertyOptional({
    type: 'object',
    additionalProperties: true,
    description: 'Machine-readable context, e.g. `fields: [{field, message}]` for a 400',
  })
  details?: Record<string, unknown>;

  @ApiPropertyOptional({ description: 'Present on 500 only: quote it to the operator' })
  errorId?: string;
}
