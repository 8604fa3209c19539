import { Readable } from 'node:stream';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Inject,
  Post,
  Query,
  StreamableFile,
} from '@nestjs/common';
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
  AuditWitnessDto,
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
    summary: 'Verify the whole chain, every checkpoint signature and the checkpoint cadence now',
    description:
      'Names the first broken link: its sequence number and why (changed, missing, out of ' +
      'order, a span without a signed checkpoint). The chain must end at the audit head: same ' +
      'last sequence and hash. When intact, `witness` is the newest signed checkpoint: keep it ' +
      'and send it to `POST /audit/verification` next time.',
  })
  @ApiOkResponse({ type: VerificationDto })
  @ApiErrors()
  async verify(): Promise<VerificationDto> {
    return this.audit.verify();
  }

  @Post('verification')
  @HttpCode(200)
  @Roles('auditor')
  @ApiOperation({
    summary: 'Verify the chain and prove it extends the signed checkpoint the auditor holds',
    description:
      'As `GET /audit/verification`, and the witness (a checkpoint from an earlier ' +
      'verification) must carry a valid signature by the same key (`KEY_FINGERPRINT_MISMATCH`, ' +
      '`WITNESS_INVALID`) and the chain must hold its hash at its sequence (`WITNESS_MISMATCH`, ' +
      '`WITNESS_BEYOND_END`): a history rewritten in the database, checkpoints re-signed ' +
      'included, fails. When intact, `witness` is the next one to keep.',
  })
  @ApiOkResponse({ type: VerificationDto })
  @ApiErrors(400)
  async verifyWithWitness(@Body() witness: AuditWitnessDto): Promise<VerificationDto> {
    return this.audit.verify(witness);
  }

  @Get('export')
  @Roles('auditor')
  @ApiOperation({
    summary: 'Export the trail as JSON Lines (header, events, checkpoints, signed trailer)',
    description:
      'Signs the head as a checkpoint and a trailer stating where the export ends (last ' +
      'sequence and hash, event and checkpoint counts), then streams events 1 to that head. ' +
      'The header and the trailer carry the checkpoint cadence. Verify offline with ' +
      '`verify-audit --public-key audit.pem --fingerprint HEX --witness witness.json ' +
      'export.jsonl` (tools/audit-verifier): a cut tail, a missing trailer, stripped ' +
      'checkpoints or a history that does not extend the witness fail. 503 when the token ' +
      'cannot sign.',
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
    return {
      keyLabel: this.config.audit.keyLabel,
      publicKeyPem: this.audit.publicKeyPem,
      fingerprint: this.audit.keyFingerprint,
    };
  }
}
