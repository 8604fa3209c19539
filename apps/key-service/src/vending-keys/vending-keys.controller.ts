import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import {
  ApiAcceptedResponse,
  ApiCreatedResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApprovalDto } from '../approvals/dto/approval.dto';
import { type AuthenticatedPrincipal, CurrentPrincipal } from '../auth/authenticated-principal';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { SgcParamPipe, UuidParamPipe } from '../common/uuid-param.pipe';
import {
  ActivateDto,
  IssueUntilDto,
  ReasonDto,
  RevisionStartedDto,
  StartRevisionDto,
  VendingKeyDto,
  VendingKeyListDto,
  VendingKeyQueryDto,
} from './dto/vending-key.dto';
import { VendingKeysService } from './vending-keys.service';

@ApiTags('vending-keys')
@Controller()
export class VendingKeysController {
  constructor(private readonly keys: VendingKeysService) {}

  @Post('supply-groups/:sgc/vending-keys')
  @Roles('security-officer')
  @ApiOperation({
    summary: 'Start the next key revision (rotation): ceremony or wrapped import',
    description:
      'Allocates the next KRN (the first revision: `krn` or 1; then +1, wrapping after 9, at most nine live). ' +
      'One revision at a time per supply group: a concurrent request gets 409 REVISION_IN_PROGRESS.',
  })
  @ApiCreatedResponse({ type: RevisionStartedDto })
  @ApiErrors(400, 404, 409, 422)
  async start(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('sgc', SgcParamPipe) sgc: string,
    @Body() dto: StartRevisionDto,
  ): Promise<RevisionStartedDto> {
    return this.keys.startRevision(actor, sgc, dto);
  }

  @Get('vending-keys')
  @Roles('security-officer', 'auditor', 'vending-client')
  @ApiOperation({
    summary: 'List vending keys by SGC, oldest first (paged; metadata and check values only)',
  })
  @ApiOkResponse({ type: VendingKeyListDto })
  @ApiErrors(400)
  async list(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Query() q: VendingKeyQueryDto,
  ): Promise<VendingKeyListDto> {
    return this.keys.list(actor, q);
  }

  @Get('vending-keys/:id')
  @Roles('security-officer', 'auditor', 'vending-client')
  @ApiOperation({ summary: 'Read a vending key (never its bytes)' })
  @ApiOkResponse({ type: VendingKeyDto })
  @ApiErrors(400, 404)
  async get(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<VendingKeyDto> {
    return this.keys.get(actor, id);
  }

  @Post('vending-keys/:id/activate')
  @HttpCode(202)
  @Roles('security-officer')
  @ApiOperation({
    summary:
      'Request activation (or rotation, when another revision is active): needs a second officer',
  })
  @ApiAcceptedResponse({ type: ApprovalDto })
  @ApiErrors(400, 404, 409)
  async activate(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: ActivateDto,
  ): Promise<ApprovalDto> {
    return this.keys.requestActivation(actor, id, dto.effectiveAt);
  }

  @Post('vending-keys/:id/suspend')
  @HttpCode(202)
  @Roles('security-officer')
  @ApiOperation({ summary: 'Request suspension of an active key: needs a second officer' })
  @ApiAcceptedResponse({ type: ApprovalDto })
  @ApiErrors(400, 404, 409)
  async suspend(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: ReasonDto,
  ): Promise<ApprovalDto> {
    return this.keys.requestAction(actor, id, 'key.suspend', dto.reason);
  }

  @Post('vending-keys/:id/reactivate')
  @HttpCode(202)
  @Roles('security-officer')
  @ApiOperation({ summary: 'Request reactivation of a suspended key: needs a second officer' })
  @ApiAcceptedResponse({ type: ApprovalDto })
  @ApiErrors(400, 404, 409)
  async reactivate(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: ReasonDto,
  ): Promise<ApprovalDto> {
    return this.keys.requestAction(actor, id, 'key.reactivate', dto.reason);
  }

  @Post('vending-keys/:id/issue-until')
  @HttpCode(202)
  @Roles('security-officer')
  @ApiOperation({
    summary:
      'Request a new issue-until for an active or superseded key (e.g. to run old and new revisions side by side longer): needs a second officer',
  })
  @ApiAcceptedResponse({ type: ApprovalDto })
  @ApiErrors(400, 404, 409)
  async issueUntil(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: IssueUntilDto,
  ): Promise<ApprovalDto> {
    return this.keys.requestIssueUntil(actor, id, dto.issueUntil, dto.reason);
  }

  @Post('vending-keys/:id/destroy')
  @HttpCode(202)
  @Roles('security-officer')
  @ApiOperation({
    summary:
      'Request destruction: removes the token object, keeps the record; needs a second officer',
  })
  @ApiAcceptedResponse({ type: ApprovalDto })
  @ApiErrors(400, 404, 409)
  async destroy(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: ReasonDto,
  ): Promise<ApprovalDto> {
    return this.keys.requestAction(actor, id, 'key.destroy', dto.reason);
  }
}
