import { ApiProperty } from '@nestjs/swagger';
import { PrincipalDto } from '../../../principals/dto/principal.dto';

export class SessionDto {
  @ApiProperty({ format: 'uuid' })
  id!: string;
  @ApiProperty({
    description:
      'Send it in the X-CSRF-Token header on every call of this session that changes something',
  })
  csrfToken!: string;
  @ApiProperty({
    format: 'date-time',
    description:
      'When the session ends unless a request (or a renewal) comes first: 15 minutes idle',
  })
  idleExpiresAt!: string;
  @ApiProperty({ format: 'date-time', description: 'When the session ends whatever the activity' })
  expiresAt!: string;
  @ApiProperty({ type: PrincipalDto, description: 'The person signed in' })
  principal!: PrincipalDto;
}
