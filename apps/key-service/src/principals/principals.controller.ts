import { Body, Controller, Get, HttpCode, Param, Patch, Post } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AuthenticatedPrincipal, CurrentPrincipal } from '../auth/authenticated-principal';
import { ROLES } from '../auth/role';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import {
  CreatePrincipalDto,
  PrincipalDto,
  PrincipalListDto,
  PrincipalWithKeyDto,
  UpdatePrincipalDto,
} from './dto/principal.dto';
import { PrincipalsService } from './principals.service';

@ApiTags('principals')
@Controller('principals')
export class PrincipalsController {
  constructor(private readonly principals: PrincipalsService) {}

  @Post()
  @Roles('admin')
  @ApiOperation({ summary: 'Create a principal; its API key is in this response only' })
  @ApiCreatedResponse({ type: PrincipalWithKeyDto })
  @ApiErrors(400, 409)
  async create(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Body() dto: CreatePrincipalDto,
  ): Promise<PrincipalWithKeyDto> {
    const { principal, apiKey } = await this.principals.create(actor, dto);
    return { ...PrincipalDto.from(principal), apiKey };
  }

  @Get()
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'List principals' })
  @ApiOkResponse({ type: PrincipalListDto })
  @ApiErrors()
  async list(): Promise<PrincipalListDto> {
    return { items: (await this.principals.list()).map((p) => PrincipalDto.from(p)) };
  }

  @Get('me')
  @Roles(...ROLES)
  @ApiOperation({ summary: 'The caller: name, roles and scope' })
  @ApiOkResponse({ type: PrincipalDto })
  @ApiErrors()
  async me(@CurrentPrincipal() actor: AuthenticatedPrincipal): Promise<PrincipalDto> {
    return PrincipalDto.from(await this.principals.get(actor.id));
  }

  @Get(':id')
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'Read a principal' })
  @ApiOkResponse({ type: PrincipalDto })
  @ApiErrors(400, 404)
  async get(@Param('id', UuidParamPipe) id: string): Promise<PrincipalDto> {
    return PrincipalDto.from(await this.principals.get(id));
  }

  @Patch(':id')
  @Roles('admin')
  @ApiOperation({ summary: 'Change roles, scope or state (active/disabled)' })
  @ApiOkResponse({ type: PrincipalDto })
  @ApiErrors(400, 404, 409)
  async update(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: UpdatePrincipalDto,
  ): Promise<PrincipalDto> {
    return PrincipalDto.from(await this.principals.update(actor, id, dto));
  }

  @Post(':id/api-key')
  @HttpCode(200)
  @Roles('admin')
  @ApiOperation({ summary: 'Replace the API key; the new key is in this response only' })
  @ApiOkResponse({ type: PrincipalWithKeyDto })
  @ApiErrors(400, 404)
  async rotateKey(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<PrincipalWithKeyDto> {
    const { principal, apiKey } = await this.principals.rotateApiKey(actor, id);
    return { ...PrincipalDto.from(principal), apiKey };
  }
}
