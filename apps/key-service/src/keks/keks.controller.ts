import { Body, Controller, Get, Param, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AuthenticatedPrincipal, CurrentPrincipal } from '../auth/authenticated-principal';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { CreateKekDto, KekCreatedDto, KekDto, KekListDto } from './dto/kek.dto';
import { KeksService } from './keks.service';
import { PageQueryDto } from '../common/paging';

@ApiTags('keks')
@Controller('keks')
export class KeksController {
  constructor(private readonly keks: KeksService) {}

  @Post()
  @Roles('security-officer')
  @ApiOperation({ summary: 'Create a key-encryption key: opens its component ceremony' })
  @ApiCreatedResponse({ type: KekCreatedDto })
  @ApiErrors(400, 409)
  async create(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Body() dto: CreateKekDto,
  ): Promise<KekCreatedDto> {
    return this.keks.create(actor, dto);
  }

  @Get()
  @Roles('security-officer', 'auditor')
  @ApiOperation({ summary: 'List key-encryption keys, oldest first (paged)' })
  @ApiOkResponse({ type: KekListDto })
  @ApiErrors(400)
  async list(@Query() q: PageQueryDto): Promise<KekListDto> {
    const page = await this.keks.list(q);
    return { items: page.rows.map((k) => KekDto.from(k)), next: page.next };
  }

  @Get(':id')
  @Roles('security-officer', 'auditor')
  @ApiOperation({ summary: 'Read a key-encryption key' })
  @ApiOkResponse({ type: KekDto })
  @ApiErrors(400, 404)
  async get(@Param('id', UuidParamPipe) id: string): Promise<KekDto> {
    return KekDto.from(await this.keks.get(id));
  }
}
