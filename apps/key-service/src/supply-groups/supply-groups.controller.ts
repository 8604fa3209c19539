import { Body, Controller, Get, Param, Patch, Post } from '@nestjs/common';
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
  @ApiOperation({ summary: 'List supply groups (vending clients: their scope only)' })
  @ApiOkResponse({ type: SupplyGroupListDto })
  @ApiErrors()
  async list(@CurrentPrincipal() actor: AuthenticatedPrincipal): Promise<SupplyGroupListDto> {
    return { items: (await this.groups.list(actor)).map((g) => SupplyGroupDto.from(g)) };
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
