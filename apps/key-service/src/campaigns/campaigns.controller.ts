import { Readable } from 'node:stream';
import {
  Body,
  Controller,
  Get,
  HttpCode,
  Param,
  Post,
  Put,
  Query,
  Req,
  StreamableFile,
} from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import {
  ApiBody,
  ApiConsumes,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiProduces,
  ApiTags,
} from '@nestjs/swagger';
import { type AuthenticatedPrincipal, CurrentPrincipal } from '../auth/authenticated-principal';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { contentTypeError, isCsv, STREAMED_BODY } from '../common/http-server';
import type { HttpRequest } from '../common/http-types';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { CampaignsService } from './campaigns.service';
import {
  CampaignDto,
  CampaignListDto,
  CampaignQueryDto,
  CreateCampaignDto,
  MetersUploadedDto,
} from './dto/campaign.dto';

@ApiTags('campaigns')
@Controller('campaigns')
export class CampaignsController {
  constructor(private readonly campaigns: CampaignsService) {}

  @Post()
  @Roles('security-officer')
  @ApiOperation({
    summary: 'Plan a rekey campaign (from and to key parameters)',
    description:
      'STS rules are checked now: 422 STS_SUPPLY_GROUP_NOT_ACTIVE, STS_KEY_NOT_ACTIVE, KRN_NOT_NEXT, STS_CROSS_CLUSTER, ' +
      'STS_KEY_PARAMETER_MISMATCH, STS_KEY_CHANGE_INVALID, STS_EA_NOT_ALLOWED. RO is set when ' +
      'the base date changes. Upload the meter list next.',
  })
  @ApiCreatedResponse({ type: CampaignDto })
  @ApiErrors(400, 404, 422)
  async plan(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Body() dto: CreateCampaignDto,
  ): Promise<CampaignDto> {
    return this.campaigns.plan(actor, dto);
  }

  @Put(':id/meters')
  @RouteConfig(STREAMED_BODY)
  @HttpCode(200)
  @Roles('security-officer')
  @ApiConsumes('text/csv')
  @ApiBody({
    description: 'CSV, streamed: header `iin,drn[,ea]`, then one meter a line',
    schema: { type: 'string', example: 'iin,drn\n600727,00000000009\n' },
  })
  @ApiOperation({
    summary: 'Upload the meter list (once) and request approval by a second officer',
    description:
      'Bad rows are reported per row (BAD_IIN, BAD_DRN, BAD_CHECK_DIGIT, BAD_EA, ' +
      'BAD_FIELD_COUNT, DUPLICATE_METER, LINE_TOO_LONG); the rest proceeds. Opens a ' +
      '`campaign.approve` request bound to the list hash.',
  })
  @ApiOkResponse({ type: MetersUploadedDto })
  @ApiErrors(400, 404, 409)
  async uploadMeters(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) id: string,
    @Req() req: HttpRequest,
  ): Promise<MetersUploadedDto> {
    if (!isCsv(req.headers['content-type'])) throw contentTypeError(true);
    return this.campaigns.uploadMeters(actor, id, req.body as AsyncIterable<Buffer>);
  }

  @Get()
  @Roles('security-officer', 'auditor')
  @ApiOperation({ summary: 'List campaigns with their progress, newest first (paged)' })
  @ApiOkResponse({ type: CampaignListDto })
  @ApiErrors(400)
  async list(@Query() q: CampaignQueryDto): Promise<CampaignListDto> {
    return this.campaigns.list(q);
  }

  @Get(':id')
  @Roles('security-officer', 'auditor')
  @ApiOperation({ summary: 'Read a campaign: state, counts, rate and ETA' })
  @ApiOkResponse({ type: CampaignDto })
  @ApiErrors(400, 404)
  async get(@Param('id', UuidParamPipe) id: string): Promise<CampaignDto> {
    return this.campaigns.get(id);
  }

  @Get(':id/results')
  @Roles('security-officer')
  @ApiProduces('text/csv')
  @ApiOperation({
    summary: 'Stream the per-meter results as CSV',
    description:
      '`row,iin,drn,ea,status,reason,token1..token4`, in row order; status issued, failed ' +
      '(reason: a bad-row or STS code), pending or cancelled. Tokens are the key-change tokens ' +
      'the customer enters; they are not keys.',
  })
  @ApiOkResponse({ description: 'text/csv', schema: { type: 'string' } })
  @ApiErrors(400, 404, 409)
  async results(@Param('id', UuidParamPipe) id: string): Promise<StreamableFile> {
    const lines = await this.campaigns.results(id);
    return new StreamableFile(Readable.from(lines), {
      type: 'text/csv; charset=utf-8',
      disposition: `attachment; filename="campaign-${id}.csv"`,
    });
  }

  @Post(':id/start')
  @HttpCode(200)
  @Roles('security-officer')
  @ApiOperation({ summary: 'Start an approved campaign' })
  @ApiOkResponse({ type: CampaignDto })
  @ApiErrors(400, 404, 409)
  async start(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<CampaignDto> {
    return this.campaigns.start(actor, id);
  }

  @Post(':id/pause')
  @HttpCode(200)
  @Roles('security-officer')
  @ApiOperation({ summary: 'Pause a running campaign (chunks in flight finish or roll back)' })
  @ApiOkResponse({ type: CampaignDto })
  @ApiErrors(400, 404, 409)
  async pause(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<CampaignDto> {
    return this.campaigns.pause(actor, id);
  }

  @Post(':id/resume')
  @HttpCode(200)
  @Roles('security-officer')
  @ApiOperation({ summary: 'Resume a paused campaign where it stopped' })
  @ApiOkResponse({ type: CampaignDto })
  @ApiErrors(400, 404, 409)
  async resume(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<CampaignDto> {
    return this.campaigns.resume(actor, id);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('security-officer')
  @ApiOperation({
    summary: 'Cancel a campaign; what was issued stays in the results, the rest is cancelled',
  })
  @ApiOkResponse({ type: CampaignDto })
  @ApiErrors(400, 404, 409)
  async cancel(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<CampaignDto> {
    return this.campaigns.cancel(actor, id);
  }
}
