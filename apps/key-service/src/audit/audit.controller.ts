import { Readable } from 'node:stream';
import { Controller, Get, Inject, Query, StreamableFile } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiProduces, ApiTags } from '@nestjs/swagger';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { AuditService } from './audit.service';
import {
  AuditCheckpointDto,
  AuditCheckpointListDto,
  AuditEventDto,
  AuditEventPageDto,
  AuditQueryDto,
  PublicKeyDto,
  VerificationDto,
} from './dto/audit.dto';

@ApiTags('audit')
@Controller('audit')
export class AuditController {
  constructor(
    private readonly audit: AuditService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  @Get('events')
  @Roles('auditor')
  @ApiOperation({ summary: 'List audit events with filters, oldest first (cursor pagination)' })
  @ApiOkResponse({ type: AuditEventPageDto })
  @ApiErrors(400)
  async events(@Query() q: AuditQueryDto): Promise<AuditEventPageDto> {
    const page = await this.audit.list({ ...q, limit: q.limit ?? 100 });
    return {
      items: page.items.map((e) => AuditEventDto.from(e)),
      ...(page.next ? { next: page.next } : {}),
    };
  }

  @Get('checkpoints')
  @Roles('auditor')
  @ApiOperation({ summary: 'List signed checkpoints' })
  @ApiOkResponse({ type: AuditCheckpointListDto })
  @ApiErrors()
  async checkpoints(): Promise<AuditCheckpointListDto> {
    return { items: (await this.audit.checkpoints()).map((c) => AuditCheckpointDto.from(c)) };
  }

  @Get('verification')
  @Roles('auditor')
  @ApiOperation({
    summary: 'Verify the whole chain and every checkpoint signature now',
    description:
      'Names the first broken link: its sequence number and why (changed, missing, out of ' +
      'order). The chain must end at the audit head: same last sequence and hash.',
  })
  @ApiOkResponse({ type: VerificationDto })
  @ApiErrors()
  async verify(): Promise<VerificationDto> {
    return this.audit.verify();
  }

  @Get('export')
  @Roles('auditor')
  @ApiOperation({
    summary: 'Export the trail as JSON Lines (header, events, checkpoints, signed trailer)',
    description:
      'Signs the head as a checkpoint and a trailer stating where the export ends (last ' +
      'sequence and hash, event and checkpoint counts), then streams events 1 to that head. ' +
      'Verify offline with `key-service verify-audit --public-key audit.pem export.jsonl`: a ' +
      'cut tail, a missing trailer or stripped checkpoints fail. 503 when the token cannot sign.',
  })
  @ApiProduces('application/x-ndjson')
  @ApiOkResponse({
    description: 'JSON Lines',
    content: { 'application/x-ndjson': { schema: { type: 'string' } } },
  })
  @ApiErrors()
  async exportLines(): Promise<StreamableFile> {
    // Signs the head and the trailer before the first byte: a token outage answers 503.
    const lines = await this.audit.openExport();
    return new StreamableFile(Readable.from(lines), {
      type: 'application/x-ndjson',
      disposition: 'attachment; filename="audit-export.jsonl"',
    });
  }

  @Get('public-key')
  @Roles('auditor')
  @ApiOperation({ summary: 'The audit public key that verifies checkpoint signatures' })
  @ApiOkResponse({ type: PublicKeyDto })
  @ApiErrors()
  publicKey(): PublicKeyDto {
    return { keyLabel: this.config.audit.keyLabel, publicKeyPem: this.audit.publicKeyPem };
  }
}
