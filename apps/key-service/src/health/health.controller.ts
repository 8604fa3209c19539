import { Controller, Get, Header, Res } from '@nestjs/common';
import {
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiServiceUnavailableResponse,
  ApiTags,
} from '@nestjs/swagger';
import type { HttpResponse } from '../common/http-types';
import { Public, Roles } from '../auth/roles.decorator';
import { HealthStatusDto } from './health-status.dto';
import { type HealthReport, HealthService, type HealthStatus, statusOf } from './health.service';
import { MetricsService } from './metrics.service';

@ApiTags('operations')
@Controller()
export class HealthController {
  constructor(
    private readonly health: HealthService,
    private readonly metrics: MetricsService,
  ) {}

  @Get('health')
  @Public()
  @ApiOperation({
    summary: 'Status for monitoring: database, token and HSM self-test; 503 when any is down',
    description:
      'Anyone may call it: the overall status and whether each check passed. The token label, ' +
      'the database type, the self-test report and failure details are at GET /health/details.',
  })
  @ApiOkResponse({ type: HealthStatusDto, description: 'All checks pass' })
  @ApiServiceUnavailableResponse({ type: HealthStatusDto, description: 'A check failed' })
  async check(@Res({ passthrough: true }) res: HttpResponse): Promise<HealthStatus> {
    const report = await this.health.report();
    res.status(report.status === 'ok' ? 200 : 503);
    return statusOf(report);
  }

  @Get('health/details')
  @Roles('admin', 'security-officer', 'auditor')
  @ApiOperation({
    summary: 'The full health report for operators; 503 when any check fails',
    description:
      'As GET /health, with the database type, the token label and implementation, the ' +
      "token connection's state (since when, the last fault, reconnections, calls in flight " +
      'and the p50/p99 latency of recent token calls), the self-test report (token, library, ' +
      'every mechanism and known answer) and failure codes.',
  })
  @ApiOkResponse({ description: 'All checks pass' })
  @ApiServiceUnavailableResponse({ description: 'A check failed (same body)' })
  async details(@Res({ passthrough: true }) res: HttpResponse): Promise<HealthReport> {
    const report = await this.health.report();
    res.status(report.status === 'ok' ? 200 : 503);
    return report;
  }

  @Get('metrics')
  @Public()
  @ApiOperation({ summary: 'Prometheus metrics' })
  @ApiProduces('text/plain')
  @ApiOkResponse({
    description: 'Prometheus text format',
    content: { 'text/plain': { schema: { type: 'string' } } },
  })
  @Header('Content-Type', 'text/plain; version=0.0.4')
  async scrape(): Promise<string> {
    return this.metrics.registry.metrics();
  }
}
