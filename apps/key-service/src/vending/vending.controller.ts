import {
  Body,
  Controller,
  Get,
  Headers,
  HttpCode,
  Param,
  Post,
  Query,
  Res,
  UseGuards,
} from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiHeader,
  ApiOkResponse,
  ApiOperation,
  ApiResponse,
  ApiTags,
} from '@nestjs/swagger';
import { type AuthenticatedPrincipal, CurrentPrincipal } from '../auth/authenticated-principal';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { ErrorResponseDto } from '../common/error-response';
import type { HttpResponse } from '../common/http-types';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import {
  CreditTokenRequestDto,
  DerivedKeyRequestDto,
  IssuanceLookupQueryDto,
  KeyChangeRequestDto,
  ManagementTokenRequestDto,
  TestTokenRequestDto,
} from './dto/vending-request.dto';
import { DerivedKeyDto, TokenIssuanceDto, TokenIssuanceListDto } from './dto/vending-response.dto';
import { parseIdempotencyKey } from './idempotency/idempotency';
import { IssuanceReprints } from './issuance/reprints';
import { VendingRateLimitGuard } from './rate-limit/rate-limit.guard';
import { type IssuanceResult, VendingService } from './vending.service';

const IDEMPOTENCY = ApiHeader({
  name: 'Idempotency-Key',
  required: false,
  description:
    'Makes retries safe: the same key with the same body returns the original answer (same tokens, ' +
    'header Idempotent-Replayed: true); with another body, 409 IDEMPOTENCY_KEY_REUSED. Kept at least 24 h.',
});
const RATE_LIMITED = ApiResponse({
  status: 429,
  description: 'Rate limit of the client exceeded; see Retry-After',
  type: ErrorResponseDto,
});
const ISSUED = ApiCreatedResponse({
  type: TokenIssuanceDto,
  description: 'The tokens, their TIDs and the vending-key check value',
});

@ApiTags('vending')
@Controller('vending')
@UseGuards(VendingRateLimitGuard)
export class VendingController {
  constructor(
    private readonly vending: VendingService,
    private readonly reprints: IssuanceReprints,
  ) {}

  @Post('derived-keys')
  @HttpCode(200)
  @Roles('vending-client')
  @ApiOperation({
    summary: "A meter's decoder key, wrapped under your transport key",
    description:
      'Derived in the token from the vending key (SGC, KRN) and returned only wrapped (RFC 5649, AES key ' +
      'wrap with padding) under your active transport key, with its check value and the key metadata you ' +
      'need (KRN, KEN, base date, vending-key check value). Deterministic: a retry returns the same key.',
  })
  @ApiOkResponse({ type: DerivedKeyDto })
  @RATE_LIMITED
  @ApiErrors(400, 404, 409, 422)
  async derivedKey(
    @CurrentPrincipal() client: AuthenticatedPrincipal,
    @Body() dto: DerivedKeyRequestDto,
  ): Promise<DerivedKeyDto> {
    return this.vending.derivedKey(client, dto);
  }

  @Post('tokens/credit')
  @Roles('vending-client')
  @ApiOperation({
    summary: 'A credit token (class 0, subclasses 0-7 including currency)',
    description:
      'TID: the current minute on the key base date, or the next free minute for this meter.',
  })
  @IDEMPOTENCY
  @ISSUED
  @RATE_LIMITED
  @ApiErrors(400, 404, 409, 422)
  async credit(
    @CurrentPrincipal() client: AuthenticatedPrincipal,
    @Body() dto: CreditTokenRequestDto,
    @Headers('idempotency-key') idem: string | undefined,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<TokenIssuanceDto> {
    return answer(res, await this.vending.credit(client, dto, parseIdempotencyKey(idem)));
  }

  @Post('tokens/management')
  @Roles('vending-client')
  @ApiOperation({ summary: 'A management token (class 2, subclasses 0, 1, 2, 5, 6, 7)' })
  @IDEMPOTENCY
  @ISSUED
  @RATE_LIMITED
  @ApiErrors(400, 404, 409, 422)
  async management(
    @CurrentPrincipal() client: AuthenticatedPrincipal,
    @Body() dto: ManagementTokenRequestDto,
    @Headers('idempotency-key') idem: string | undefined,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<TokenIssuanceDto> {
    return answer(res, await this.vending.management(client, dto, parseIdempotencyKey(idem)));
  }

  @Post('tokens/test')
  @Roles('vending-client')
  @ApiOperation({ summary: 'A meter test / display token (class 1; not encrypted, no TID)' })
  @IDEMPOTENCY
  @ISSUED
  @RATE_LIMITED
  @ApiErrors(400, 409, 422)
  async test(
    @CurrentPrincipal() client: AuthenticatedPrincipal,
    @Body() dto: TestTokenRequestDto,
    @Headers('idempotency-key') idem: string | undefined,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<TokenIssuanceDto> {
    return answer(res, await this.vending.test(client, dto, parseIdempotencyKey(idem)));
  }

  @Post('tokens/key-change')
  @Roles('vending-client')
  @ApiOperation({
    summary: 'The key-change set for one meter (2 or 4 tokens)',
    description:
      'Moves the meter from the key it holds (meter: SGC, KRN, TI, EA) to the target key (SGC, KRN, TI, EA). ' +
      'Sections are encrypted with the current decoder key; RO is set when the base date changes. Enter ' +
      'them first, then tokens made under the new key.',
  })
  @IDEMPOTENCY
  @ISSUED
  @RATE_LIMITED
  @ApiErrors(400, 404, 409, 422)
  async keyChange(
    @CurrentPrincipal() client: AuthenticatedPrincipal,
    @Body() dto: KeyChangeRequestDto,
    @Headers('idempotency-key') idem: string | undefined,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<TokenIssuanceDto> {
    return answer(res, await this.vending.keyChange(client, dto, parseIdempotencyKey(idem)));
  }

  @Get('issuances')
  @Roles('vending-client', 'auditor')
  @ApiOperation({
    summary: 'Reprint: earlier token answers by Idempotency-Key or request id',
    description:
      'Give exactly one of idempotencyKey (the Idempotency-Key the tokens were requested with, found while ' +
      'it is kept) or requestId (the X-Request-Id the request was made under). Vending clients find their ' +
      'own issuances (whole tokens); auditors find all, each token masked to its last four digits. ' +
      'Newest first, paged (limit, cursor); none found is an empty list. Every answer returned is ' +
      'audited as a reprint.',
  })
  @ApiOkResponse({ type: TokenIssuanceListDto })
  @RATE_LIMITED
  @ApiErrors(400)
  async findReprints(
    @CurrentPrincipal() caller: AuthenticatedPrincipal,
    @Query() q: IssuanceLookupQueryDto,
  ): Promise<TokenIssuanceListDto> {
    return this.reprints.find(caller, q);
  }

  @Get('issuances/:id')
  @Roles('vending-client', 'auditor')
  @ApiOperation({
    summary: 'Reprint: an earlier token answer by its issuance id',
    description:
      'Vending clients see their own issuances (whole tokens); auditors see all, each token masked to ' +
      'its last four digits. Every reprint is audited.',
  })
  @ApiOkResponse({ type: TokenIssuanceDto })
  @RATE_LIMITED
  @ApiErrors(400, 404)
  async reprint(
    @CurrentPrincipal() caller: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<TokenIssuanceDto> {
    return this.reprints.byId(caller, id);
  }
}

function answer(res: HttpResponse, result: IssuanceResult): TokenIssuanceDto {
  if (result.replayed) res.header('Idempotent-Replayed', 'true');
  return result.body;
}
