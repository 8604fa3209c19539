import { Controller, Delete, Get, HttpCode, Post, Req, Res } from '@nestjs/common';
import {
  ApiCreatedResponse,
  ApiNoContentResponse,
  ApiOkResponse,
  ApiOperation,
  ApiTags,
} from '@nestjs/swagger';
import { ApiErrors } from '../../common/api-errors.decorator';
import { DomainError } from '../../common/domain-error';
import { ErrorCode } from '../../common/error-codes';
import type { HttpResponse } from '../../common/http-types';
import { PrincipalDto } from '../../principals/dto/principal.dto';
import { PrincipalsService } from '../../principals/principals.service';
import { parseApiKey } from '../api-key';
import { type AuthenticatedPrincipal, CurrentPrincipal } from '../authenticated-principal';
import { ROLES } from '../role';
import { Roles } from '../roles.decorator';
import { SessionDto } from './dto/session.dto';
import { clearedSessionCookie, sessionCookie } from './session-secret';
import { type SessionRequest, type SessionView, SessionsService } from './sessions.service';

/** Over HTTPS (directly or behind a proxy that says so) the cookie is marked Secure. */
function isHttps(req: SessionRequest & { protocol?: string }): boolean {
  return req.protocol === 'https' || req.headers['x-forwarded-proto'] === 'https';
}

@ApiTags('sessions')
@Controller('sessions')
export class SessionsController {
  constructor(
    private readonly sessions: SessionsService,
    private readonly principals: PrincipalsService,
  ) {}

  @Post()
  @Roles(...ROLES)
  @ApiOperation({
    summary: 'Sign in to the console: exchange your API key (Authorization header) for a session',
    description:
      'Sets an HttpOnly, SameSite=Strict cookie for /api; the browser then calls the same routes ' +
      'without the key. Calls that change something carry `csrfToken` in X-CSRF-Token. The ' +
      'session ends after 15 minutes without a request, 12 hours after sign-in, on sign-out, or ' +
      'when the key it was opened with is replaced. Only an API key opens a session.',
  })
  @ApiCreatedResponse({ type: SessionDto })
  @ApiErrors()
  async start(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Req() req: SessionRequest,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<SessionDto> {
    const header = req.headers.authorization;
    const key =
      typeof header === 'string' && header.startsWith('Bearer ')
        ? parseApiKey(header.slice(7).trim())
        : undefined;
    if (!key) {
      throw new DomainError(
        ErrorCode.UNAUTHENTICATED,
        'A session is opened with an API key (Authorization: Bearer <key>), not from a session',
      );
    }
    const { credentials, view } = await this.sessions.start(actor, key.id);
    res.header('Set-Cookie', sessionCookie(credentials, isHttps(req)));
    res.header('Cache-Control', 'no-store');
    return this.answer(actor, view);
  }

  @Get('current')
  @Roles(...ROLES)
  @ApiOperation({
    summary: 'The console session of this request, with its CSRF token (404 with an API key)',
  })
  @ApiOkResponse({ type: SessionDto })
  @ApiErrors(404)
  async current(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Req() req: SessionRequest,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<SessionDto> {
    res.header('Cache-Control', 'no-store');
    return this.answer(actor, await this.sessions.current(req));
  }

  @Post('current/renew')
  @HttpCode(200)
  @Roles(...ROLES)
  @ApiOperation({ summary: 'Restart the idle timeout of this console session' })
  @ApiOkResponse({ type: SessionDto })
  @ApiErrors(404)
  async renew(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Req() req: SessionRequest,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<SessionDto> {
    res.header('Cache-Control', 'no-store');
    return this.answer(actor, await this.sessions.renew(req));
  }

  @Delete('current')
  @HttpCode(204)
  @Roles(...ROLES)
  @ApiOperation({ summary: 'Sign out: end this console session and remove its cookie' })
  @ApiNoContentResponse({ description: 'Signed out' })
  @ApiErrors(404)
  async end(
    @CurrentPrincipal() actor: AuthenticatedPrincipal,
    @Req() req: SessionRequest,
    @Res({ passthrough: true }) res: HttpResponse,
  ): Promise<void> {
    await this.sessions.end(actor, req);
    res.header('Set-Cookie', clearedSessionCookie(isHttps(req)));
  }

  private async answer(actor: AuthenticatedPrincipal, view: SessionView): Promise<SessionDto> {
    return { ...view, principal: PrincipalDto.from(await this.principals.get(actor.id)) };
  }
}
