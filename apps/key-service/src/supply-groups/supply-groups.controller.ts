import { Body, Controller, Get, Param, Patch, Post, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AuthenticatedPrincipal, CurrentPrincipal } from '../auth/authenticated-principal';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { SgcParamPipe } from '../common/uuid-param.pipe';
import {
  CreateSupplyGroupDto,
  SupplyGroupDto,
  SupplyGroupListDto,
  UpdateSupplyGroupDto,
} from './dto/supply-group.dto';
import { SupplyGroupsService } from './supply-groups.service';
import { PageQueryDto } from '../common/paging';

@ApiTags('supply-groups')
@Controller('supply-groups')
export class SupplyGroupsController {
  constructor(private readonly groups: SupplyGroupsService) {}

  @Post()
  @Roles('security-officer')
  @ApiOperation({ summary: 'Create a supply group (SGC unique, 6 digits)' })
  @ApiCreatedResponse({ type: SupplyGroupDto })
  @ApiErrors(400, 409)
  async create(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Body() dto: CreateSupplyGroupDto,
  ): Promise<SupplyGroupDto> {
    return SupplyGroupDto.from(await this.groups.create(actor, dto));
  }

  @Get()
  @Roles('security-officer', 'auditor', 'vending-client')
  @ApiOperation({
    summary: 'List supply groups in SGC order (paged; vending clients: their scope)',
  })
  @ApiOkResponse({ type: SupplyGroupListDto })
  @ApiErrors(400)
  async list(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Query() q: PageQueryDto,
  ): Promise<SupplyGroupListDto> {
    const page = await this.groups.list(actor, q);
    return { items: page.rows.map((g) => SupplyGroupDto.from(g)), next: page.next };
  }

  @Get(':sgc')
  @Roles('security-officer', 'auditor', 'vending-client')
  @ApiOperation({ summary: 'Read a supply group' })
  @ApiOkResponse({ type: SupplyGroupDto })
  @ApiErrors(400, 404)
  async get(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('sgc', SgcParamPipe) sgc: string,
  ): Promise<SupplyGroupDto> {
    return SupplyGroupDto.from(await this.groups.get(actor, sgc));
  }

  @Patch(':sgc')
  @Roles('security-officer')
  @ApiOperation({ summary: 'Rename, or change state: active <-> suspended, -> retired (final)' })
  @ApiOkResponse({ type: SupplyGroupDto })
  @ApiErrors(400, 404, 409)
  async update(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('sgc', SgcParamPipe) sgc: string,
    @Body() dto: UpdateSupplyGroupDto,
  ): Promise<SupplyGroupDto> {
    return SupplyGroupDto.from(await this.groups.update(actor, sgc, dto));
  }
}
