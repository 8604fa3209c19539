import { Body, Controller, Get, Param, Post, Put, Query } from '@nestjs/common';
import { ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AuthenticatedPrincipal, CurrentPrincipal } from '../../auth/authenticated-principal';
import { Roles } from '../../auth/roles.decorator';
import { ApiErrors } from '../../common/api-errors.decorator';
import { UuidParamPipe } from '../../common/uuid-param.pipe';
import {
  CreateTransportKeyDto,
  TransportKeyCreatedDto,
  UpsertVendingClientDto,
  VendingClientDto,
  VendingClientListDto,
} from '../dto/vending-client.dto';
import { VendingClientsService } from './vending-clients.service';
import { PageQueryDto } from '../../common/paging';

@ApiTags('vending-clients')
@Controller('vending-clients')
export class VendingClientsController {
  constructor(private readonly clients: VendingClientsService) {}

  @Put(':id')
  @Roles('security-officer')
  @ApiOperation({
    summary: "Set a vending client's profile: allowed subclasses, per-token amount limits, rate",
    description:
      'The principal must have the vending-client role; its supply-group scope is set on the principal.',
  })
  @ApiOkResponse({ type: VendingClientDto })
  @ApiErrors(400, 404, 409)
  async upsert(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) principalId: string,
    @Body() dto: UpsertVendingClientDto,
  ): Promise<VendingClientDto> {
    return this.clients.upsert(actor, principalId, dto);
  }

  @Get()
  @Roles('security-officer', 'auditor')
  @ApiOperation({ summary: 'List vending client profiles (paged)' })
  @ApiOkResponse({ type: VendingClientListDto })
  @ApiErrors(400)
  async list(@Query() q: PageQueryDto): Promise<VendingClientListDto> {
    return this.clients.list(q);
  }

  @Get(':id')
  @Roles('security-officer', 'auditor', 'vending-client')
  @ApiOperation({ summary: 'Read a vending client profile (vending clients: their own)' })
  @ApiOkResponse({ type: VendingClientDto })
  @ApiErrors(400, 404)
  async get(
    @CurrentPrincipal() caller: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) principalId: string,
  ): Promise<VendingClientDto> {
    return this.clients.get(caller, principalId);
  }

  @Post(':id/transport-keys')
  @Roles('security-officer')
  @ApiOperation({
    summary: 'Load a new transport key for a vending client: opens its component ceremony',
    description:
      "The client's custodians enter their AES components (POST /ceremonies/{id}/components); the combined " +
      'key is created in the token and becomes the active transport key once its check value matches ' +
      '(the previous one is retired). Derived keys are wrapped under it.',
  })
  @ApiCreatedResponse({ type: TransportKeyCreatedDto })
  @ApiErrors(400, 404, 409)
  async createTransportKey(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) principalId: string,
    @Body() dto: CreateTransportKeyDto,
  ): Promise<TransportKeyCreatedDto> {
    return this.clients.createTransportKey(actor, principalId, dto);
  }
}
