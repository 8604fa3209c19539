import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { HttpRequest } from '../common/http-types';
import type { AuditActor } from '../audit/audit.service';
import type { Role } from './role';

/** The caller of a request, attached by the auth guard. */
export interface AuthenticatedPrincipal extends AuditActor {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly sgcScope: readonly string[];
}

export interface AuthenticatedRequest extends HttpRequest {
  principal?: AuthenticatedPrincipal;
}

/** Injects the authenticated principal into a handler. */
export const CurrentPrincipal = createParamDecorator(
  (_data: unknown, ctx: ExecutionContext): AuthenticatedPrincipal => {
    const principal = ctx.switchToHttp().getRequest<AuthenticatedRequest>().principal;
    if (!principal) throw new Error('route has no authenticated principal');
    return principal;
  },
);
