import { Body, Controller, Get, HttpCode, Param, Post, Query } from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiTags } from '@nestjs/swagger';
import { type AuthenticatedPrincipal, CurrentPrincipal } from '../auth/authenticated-principal';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { ApprovalsService } from './approvals.service';
import {
  ApprovalDto,
  ApprovalListDto,
  ApprovalQueryDto,
  ApproveDto,
  DecisionReasonDto,
} from './dto/approval.dto';

@ApiTags('approvals')
@Controller('approvals')
export class ApprovalsController {
  constructor(private readonly approvals: ApprovalsService) {}

  @Get()
  @Roles('security-officer', 'admin', 'auditor')
  @ApiOperation({ summary: 'List approval requests, newest first (paged)' })
  @ApiOkResponse({ type: ApprovalListDto })
  @ApiErrors(400)
  async list(@Query() q: ApprovalQueryDto): Promise<ApprovalListDto> {
    return this.approvals.list(q);
  }

  @Get(':id')
  @Roles('security-officer', 'admin', 'auditor')
  @ApiOperation({ summary: 'Read an approval request with its exact payload and hash' })
  @ApiOkResponse({ type: ApprovalDto })
  @ApiErrors(400, 404)
  async get(@Param('id', UuidParamPipe) id: string): Promise<ApprovalDto> {
    return this.approvals.get(id);
  }

  @Post(':id/approve')
  @HttpCode(200)
  @Roles('security-officer', 'admin')
  @ApiOperation({
    summary: 'Approve, stating the payload hash you reviewed; at quorum the action runs (once)',
    description:
      'Key and campaign requests are decided by security officers, principal requests by admins ' +
      '(403 FORBIDDEN otherwise). Neither the requester nor the principal a request is about may ' +
      'decide it (403 SELF_APPROVAL). A different hash is 409 PAYLOAD_HASH_MISMATCH. When the ' +
      'action issues an API key in two parts, the answer to the deciding approval carries the ' +
      'second part (`result`), once.',
  })
  @ApiOkResponse({ type: ApprovalDto })
  @ApiErrors(400, 404, 409, 422)
  async approve(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: ApproveDto,
  ): Promise<ApprovalDto> {
    return this.approvals.approve(actor, id, dto.payloadHash);
  }

  @Post(':id/reject')
  @HttpCode(200)
  @Roles('security-officer', 'admin')
  @ApiOperation({
    summary: 'Reject a request (not your own, nor one about you); same deciders as approve',
  })
  @ApiOkResponse({ type: ApprovalDto })
  @ApiErrors(400, 404, 409)
  async reject(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: DecisionReasonDto,
  ): Promise<ApprovalDto> {
    return this.approvals.reject(actor, id, dto.reason);
  }

  @Post(':id/cancel')
  @HttpCode(200)
  @Roles('security-officer', 'admin')
  @ApiOperation({ summary: 'Withdraw your own pending request' })
  @ApiOkResponse({ type: ApprovalDto })
  @ApiErrors(400, 404, 409)
  async cancel(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: DecisionReasonDto,
  ): Promise<ApprovalDto> {
    return this.approvals.cancel(actor, id, dto.reason);
  }
}
