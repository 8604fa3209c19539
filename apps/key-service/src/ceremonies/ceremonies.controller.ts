import {
  Body,
  Controller,
  Get,
  Header,
  HttpCode,
  Param,
  ParseIntPipe,
  Post,
  Query,
} from '@nestjs/common';
import { ApiOkResponse, ApiOperation, ApiPropertyOptional, ApiTags } from '@nestjs/swagger';
import { IsIn, IsOptional } from 'class-validator';
import { type AuthenticatedPrincipal, CurrentPrincipal } from '../auth/authenticated-principal';
import { Roles } from '../auth/roles.decorator';
import { ApiErrors } from '../common/api-errors.decorator';
import { PageQueryDto } from '../common/paging';
import { UuidParamPipe } from '../common/uuid-param.pipe';
import { CEREMONY_STATES, type CeremonyState } from './ceremony.entity';
import { CeremoniesService } from './ceremonies.service';
import {
  CeremonyDto,
  CeremonyListDto,
  ReleasedComponentDto,
  SubmitComponentDto,
} from './dto/ceremony.dto';

export class CeremonyQueryDto extends PageQueryDto {
  @ApiPropertyOptional({ enum: CEREMONY_STATES })
  @IsOptional()
  @IsIn(CEREMONY_STATES)
  state?: CeremonyState;
}

@ApiTags('ceremonies')
@Controller('ceremonies')
export class CeremoniesController {
  constructor(private readonly ceremonies: CeremoniesService) {}

  @Get()
  @Roles('security-officer', 'custodian', 'auditor')
  @ApiOperation({
    summary: 'List ceremonies, newest first (who entered which check value; never components)',
  })
  @ApiOkResponse({ type: CeremonyListDto })
  @ApiErrors(400)
  async list(@Query() q: CeremonyQueryDto): Promise<CeremonyListDto> {
    return this.ceremonies.list(q);
  }

  @Get(':id')
  @Roles('security-officer', 'custodian', 'auditor')
  @ApiOperation({ summary: 'Read a ceremony' })
  @ApiOkResponse({ type: CeremonyDto })
  @ApiErrors(400, 404)
  async get(@Param('id', UuidParamPipe) id: string): Promise<CeremonyDto> {
    return this.ceremonies.get(id);
  }

  @Post(':id/components')
  @HttpCode(200)
  @Roles('custodian')
  @ApiOperation({
    summary: 'Enter your key component and its check value',
    description:
      'The component goes into the token and is never stored or returned. A component whose check value ' +
      'differs is refused (422 CHECK_VALUE_MISMATCH, nothing stored). The last component combines the key ' +
      'in the token and checks the expected check value.',
  })
  @ApiOkResponse({ type: CeremonyDto })
  @ApiErrors(400, 404, 409, 422)
  async submit(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) id: string,
    @Body() dto: SubmitComponentDto,
  ): Promise<CeremonyDto> {
    return this.ceremonies.submitComponent(actor, id, dto);
  }

  @Post(':id/components/:index/release')
  @HttpCode(200)
  @Header('Cache-Control', 'no-store')
  @Roles('custodian')
  @ApiOperation({
    summary: 'Collect your component of a key generated in the token (once)',
    description:
      'For a ceremony in state "releasing": the custodian named for component {index} receives it with its ' +
      'check value, once; the token destroys its copy and the database records only who collected which ' +
      "check value. The last collection completes the ceremony. Another custodian's component: 403; " +
      'collected already: 409.',
  })
  @ApiOkResponse({ type: ReleasedComponentDto })
  @ApiErrors(400, 404, 409)
  async release(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) id: string,
    @Param('index', ParseIntPipe) index: number,
  ): Promise<ReleasedComponentDto> {
    return this.ceremonies.releaseComponent(actor, id, index);
  }

  @Post(':id/abort')
  @HttpCode(200)
  @Roles('security-officer')
  @ApiOperation({
    summary:
      'Abort an open or releasing ceremony: its components are destroyed in the token (and a generated key with them)',
  })
  @ApiOkResponse({ type: CeremonyDto })
  @ApiErrors(400, 404, 409)
  async abort(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Param('id', UuidParamPipe) id: string,
  ): Promise<CeremonyDto> {
    return this.ceremonies.abort(actor, id);
  }
}
