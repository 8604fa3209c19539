import { Controller, Get, HttpCode, Post } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AuthenticatedPrincipal, CurrentPrincipal } from '../auth/authenticated-principal';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { DomainError } from '../common/domain-error';
import { ErrorCode } from '../common/error-codes';
import { CustodyCheckService } from './custody-check.service';
import { CustodyReportDto } from './dto/custody-report.dto';

@ApiTags('custody')
@Controller('custody')
export class CustodyController {
  constructor(private readonly check: CustodyCheckService) {}

  @Get('verification')
  @Roles('security-officer', 'auditor')
  @ApiOperation({
    summary: 'The last custody check: the database’s keys against the token',
    description:
      'Every key the database references (vending keys, key-encryption keys, transport keys, ' +
      'the audit key) must be in the token with the recorded check value and the attributes ' +
      'the service gives such a key; keys in the token that no row accounts for are listed. ' +
      'Vending refuses keys that failed (503 KEY_CUSTODY_FAILED). The service checks at start; ' +
      '503 while that check has not run (token or database unavailable).',
  })
  @ApiOkResponse({ type: CustodyReportDto })
  @ApiErrors()
  latest(): CustodyReportDto {
    const report = this.check.lastReport;
    if (!report) {
      throw new DomainError(
        ErrorCode.HSM_UNAVAILABLE,
        'No custody check has completed yet (the token or the database is unavailable); retry later',
      );
    }
    return CustodyReportDto.from(report);
  }

  @Post('verification')
  @HttpCode(200)
  @Roles('security-officer', 'auditor')
  @ApiOperation({
    summary: 'Run the custody check now',
    description:
      'As `GET /custody/verification`, checked now (e.g. after the token was restored): the ' +
      'result replaces the set of keys vending refuses. Recorded as a `custody.verify` event.',
  })
  @ApiOkResponse({ type: CustodyReportDto })
  @ApiErrors()
  async run(@CurrentPrincipal() actor: AuthenticatedPrincipal): Promise<CustodyReportDto> {
    return CustodyReportDto.from(await this.check.run('request', actor));
  }
}
