import { Body, Controller, Get, HttpCode, Param, Patch, Post, Query, Res } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { toApprovalDto } from '../approvals/approvals.service';
import { type AuthenticatedPrincipal, CurrentPrincipal } from '../auth/authenticated-principal';
import { ROLES } from '../auth/role';
import { AcceptsEnrolmentKey, Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import type { HttpResponse } from '../common/http-types';
import { PageQueryDto } from '../common/paging';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import {
  CreatePrincipalDto,
  PrincipalChangeRequestedDto,
  PrincipalDto,
  PrincipalKeyPartDto,
  PrincipalListDto,
  PrincipalWithKeyDto,
  UpdatePrincipalDto,
} from './dto/principal.dto';
import { type Changed, type KeyFirstPartIssued, PrincipalsService } from './principals.service';

@ApiTags('principals')
@Controller('principals')
export class PrincipalsController {
  constructor(private readonly principals: PrincipalsService) {}

  @Post()
  @Roles('admin')
  @ApiOperation({
    summary: 'Create a principal',
    description:
      'Auditors and vending clients: 201, active, with a whole enrolment key. Admins, security ' +
      'officers and custodians: 202, pending until a second admin approves the returned request; ' +
      'this answer holds the first part of the key, the approving admin receives the second.',
  })
  @ApiCreatedResponse({ type: PrincipalWithKeyDto })
  @ApiAcceptedResponse({ type: PrincipalKeyPartDto })
  @ApiErrors(400, 409)
  async create(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Body() dto: CreatePrincipalDto,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<PrincipalWithKeyDto | PrincipalKeyPartDto> {
    const issued = await this.principals.create(actor, dto);
    if (issued.kind === 'first-part') {
      res.status(202);
      return keyPartAnswer(issued);
    }
    return { ...PrincipalDto.from(issued.principal), apiKey: issued.apiKey };
  }

  @Get()
  @Roles('admin', 'auditor')
  @ApiOperation({ summary: 'List principals by name (paged)' })
  @ApiOkResponse({ type: PrincipalListDto })
  @ApiErrors(400)
  async list(@Query() q: PageQueryDto): Promise<PrincipalListDto> {
    const page = await this.principals.list(q);
    return { items: page.rows.map((p) => PrincipalDto.from(p)), next: page.next };
  }

  @Get('me')
  @Roles(...ROLES)
  @ApiOperation({ summary: 'The caller: name, roles and scope' })
  @ApiOkResponse({ type: PrincipalDto })
  @ApiErrors()
  async me(@CurrentPrincipal() actor: AuthenticatedPrincipal): Promise<PrincipalDto> {
    return PrincipalDto.from(await this.principals.get(actor.id));
  }

  @Post('me/api-key')
  @HttpCode(200)
  @Roles(...ROLES)
  @AcceptsEnrolmentKey()
  @ApiOperation({
    summary: 'Replace your own API key; the new key is in this response only',
    description:
      'Also how an enrolment key (one issued by an admin or at installation) is exchanged for a ' +
      'key only its holder knows: the one call an enrolment key is good for.',
  })
  @ApiOkResponse({ type: PrincipalWithKeyDto })
  @ApiErrors()
  async rotateOwnKey(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
  ): Promise<PrincipalWithKeyDto> {
    const { principal, apiKey } = await this.principals.rotateOwnKey(actor);
    return { ...PrincipalDto.from(principal), apiKey };
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
  @ApiOperation({
    summary: "Change another principal's roles, scope or state",
    description:
      'Disabling, and changes of auditor or vending-client roles and scopes, apply at once (200). ' +
      'Granting or taking away admin, security-officer or custodian, and re-enabling, wait for a ' +
      'second admin (202 with the request). Nobody changes themselves (403 SELF_CHANGE).',
  })
  @ApiOkResponse({ type: PrincipalDto })
  @ApiAcceptedResponse({ type: PrincipalChangeRequestedDto })
  @ApiErrors(400, 404, 409)
  async update(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: UpdatePrincipalDto,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<PrincipalDto | PrincipalChangeRequestedDto> {
    return changedAnswer(res, await this.principals.update(actor, id, dto));
  }

  @Post(':id/api-key')
  @HttpCode(202)
  @Roles('admin')
  @ApiOperation({
    summary: 'Issue a new API key for another principal, through a second admin',
    description:
      'Answers 202 with the first part of the new key and the request; the approving admin ' +
      'receives the second part. The old key works until then. Your own key: POST ' +
      '/principals/me/api-key.',
  })
  @ApiAcceptedResponse({ type: PrincipalKeyPartDto })
  @ApiErrors(400, 404, 409)
  async requestKey(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<PrincipalKeyPartDto> {
    return keyPartAnswer(await this.principals.requestKey(actor, id));
  }
}

function keyPartAnswer(issued: KeyFirstPartIssued): PrincipalKeyPartDto {
  return {
    principal: PrincipalDto.from(issued.principal),
    apiKeyPart: issued.apiKeyPart,
    approval: toApprovalDto(issued.approval),
  };
}

function changedAnswer(
  res: HttpResponse,
  changed: Changed,
): PrincipalDto | PrincipalChangeRequestedDto {
  if (changed.kind === 'done') return PrincipalDto.from(changed.principal);
  res.status(202);
  return {
    principal: PrincipalDto.from(changed.principal),
    approval: toApprovalDto(changed.approval),
  };
}
