import { Body, Controller, Get, HttpCode, Param, Post, Put, Query, Req } from '@nestjs/common';
import { RouteConfig } from '@nestjs/platform-fastify';
import { ApiBody, ApiConsumes, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AuthenticatedPrincipal, CurrentPrincipal } from '../auth/authenticated-principal';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { contentTypeError, isCsv, STREAMED_BODY } from '../common/http-server';
import type { HttpRequest } from '../common/http-types';
import {
  KeyChangeRefusedDto,
  MeterCountQueryDto,
  MeterKeyImportDto,
  MeterKeyListDto,
  MeterKeyQueryDto,
  MeterKeyRecordDto,
  RegisterMeterKeyDto,
  RevisionMeterCountDto,
} from './dto/meter-key.dto';
import { MeterKeysService } from './meter-keys.service';

@ApiTags('meter-keys')
@Controller('meter-keys')
export class MeterKeysController {
  constructor(private readonly meters: MeterKeysService) {}

  @Get()
  @Roles('security-officer', 'auditor', 'vending-client')
  @ApiOperation({
    summary: 'List registered meters in IIN/DRN order (paged; vending clients: their scope)',
  })
  @ApiOkResponse({ type: MeterKeyListDto })
  @ApiErrors(400)
  list(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Query() q: MeterKeyQueryDto,
  ): Promise<MeterKeyListDto> {
    return this.meters.list(actor, q);
  }

  @Get('counts')
  @Roles('security-officer', 'auditor', 'vending-client')
  @ApiOperation({ summary: 'How many registered meters hold each key revision' })
  @ApiOkResponse({ type: [RevisionMeterCountDto] })
  @ApiErrors(400)
  counts(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Query() q: MeterCountQueryDto,
  ): Promise<RevisionMeterCountDto[]> {
    return this.meters.counts(actor, q.sgc);
  }

  @Post('import')
  @RouteConfig(STREAMED_BODY)
  @HttpCode(200)
  @Roles('security-officer')
  @ApiConsumes('text/csv')
  @ApiBody({
    description:
      'CSV, streamed: header naming iin, drn, sgc, krn, tariffIndex, ea; one meter a line',
    schema: {
      type: 'string',
      example: 'iin,drn,sgc,krn,tariffIndex,ea\n600727,00000000018,600727,1,01,07\n',
    },
  })
  @ApiOperation({
    summary: 'Register a list of meters and the keys they hold',
    description:
      'Each line is checked (meter number and check digit, an existing key revision, an EA the key ' +
      'allows); bad lines are reported, the rest are registered in batches of 500, each audited ' +
      '(`meter-key.import`) with its line range and the hash of its rows.',
  })
  @ApiOkResponse({ type: MeterKeyImportDto })
  @ApiErrors(400)
  import(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Req() req: HttpRequest,
  ): Promise<MeterKeyImportDto> {
    if (!isCsv(req.headers['content-type'])) throw contentTypeError(true);
    return this.meters.importCsv(actor, req.body as AsyncIterable<Buffer>);
  }

  @Get(':iin/:drn')
  @Roles('security-officer', 'auditor', 'vending-client')
  @ApiOperation({
    summary: 'The key a meter is believed to hold, its last key-change set, and the change due',
  })
  @ApiOkResponse({ type: MeterKeyRecordDto })
  @ApiErrors(400, 404)
  get(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('iin') iin: string,
    @Param('drn') drn: string,
  ): Promise<MeterKeyRecordDto> {
    return this.meters.get(actor, iin, drn);
  }

  @Put(':iin/:drn')
  @Roles('security-officer', 'vending-client')
  @ApiOperation({
    summary: 'State the key a meter holds (vending clients: keys of their supply groups)',
    description:
      'A meter stated on the target of its open key-change set took it (confirmed); one stated ' +
      'on the key the set moved it from never did (refused: its next purchase with keyChange auto hands out the same set again).',
  })
  @ApiOkResponse({ type: MeterKeyRecordDto })
  @ApiErrors(400, 404, 422)
  register(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('iin') iin: string,
    @Param('drn') drn: string,
    @Body() dto: RegisterMeterKeyDto,
  ): Promise<MeterKeyRecordDto> {
    return this.meters.register(actor, iin, drn, dto);
  }

  @Post(':iin/:drn/key-change-refusals')
  @HttpCode(200)
  @Roles('security-officer', 'vending-client')
  @ApiOperation({
    summary: 'Report that the meter never took its last key-change set',
    description:
      'The meter moves back to the key the set moved it from; its next purchase with ' +
      '`keyChange: "auto"` hands out the same set again. Reporting it twice answers the same.',
  })
  @ApiOkResponse({ type: MeterKeyRecordDto })
  @ApiErrors(400, 404, 409)
  refused(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('iin') iin: string,
    @Param('drn') drn: string,
    @Body() dto: KeyChangeRefusedDto,
  ): Promise<MeterKeyRecordDto> {
    return this.meters.reportRefused(actor, iin, drn, dto);
  }
}
