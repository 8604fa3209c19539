import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import { DomainError } from '../common/domain-error';
import { ErrorCode } from '../common/error-codes';
import { type HttpResponse, routeSubjectOf } from '../common/http-types';
import { currentContext } from '../common/request-context';
import { PrincipalsService } from '../principals/principals.service';
import { ACCESS_DENIAL_RECORDED, type RefusableRequest } from '../audit/refusal-recorder';
import { FailedAuthentications } from './failed-authentications';
import type { Role } from './role';
import { ENROLMENT_KEY, PUBLIC_KEY, ROLES_KEY } from './roles.decorator';

/**
 * Global guard, deny by default: a route must declare `@Roles(...)` or `@Public()`. No or an
 * unknown key is 401 (UNAUTHENTICATED; failures are audited and slowed per key id, see
 * {@link FailedAuthentications}); an enrolment key anywhere but the route that exchanges it is
 * 401 ENROLMENT_REQUIRED; a known principal without the role is 403 (FORBIDDEN), recorded in the
 * audit trail.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  private readonly failures: FailedAuthentications;

  constructor(
    private readonly reflector: Reflector,
    private readonly principals: PrincipalsService,
    private readonly audit: AuditService,
    clock: Clock,
  ) {
    this.failures = new FailedAuthentications(audit, clock);
  }

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC_KEY, targets)) return true;
    const roles = this.reflector.getAllAndOverride<Role[] | undefined>(ROLES_KEY, targets);
    const req = ctx.switchToHttp().getRequest<RefusableRequest>();
    const header = req.headers.authorization;
    const presented =
      typeof header === 'string' && header.startsWith('Bearer ') ? header.slice(7).trim() : '';
    const outcome = presented ? await this.principals.authenticate(presented) : undefined;
    if (!outcome?.ok) {
      if (outcome) await this.failures.failed(outcome.keyId, outcome.reason, routeSubjectOf(req));
      ctx
        .switchToHttp()
        .getResponse<HttpResponse>()
        .header('WWW-Authenticate', 'Bearer realm="sts-key-service"');
      throw new DomainError(
        ErrorCode.UNAUTHENTICATED,
        'A valid API key is required (Authorization: Bearer <key>)',
      );
    }
    if (outcome.enrolment && !this.reflector.get<boolean>(ENROLMENT_KEY, ctx.getHandler())) {
      throw new DomainError(
        ErrorCode.ENROLMENT_REQUIRED,
        'This is an enrolment key: exchange it for your own key at POST ' +
          '/api/v1/principals/me/api-key, then use that one',
      );
    }
    const principal = outcome.principal;
    req.principal = principal;
    const ctxStore = currentContext();
    if (ctxStore) ctxStore.principalId = principal.id;
    if (!roles || !principal.roles.some((r) => roles.includes(r))) {
      await this.audit.recordAlone({
        actor: principal,
        action: 'access.denied',
        subjectType: 'route',
        subjectId: routeSubjectOf(req),
        outcome: 'failure',
        details: { required: roles ?? [] },
      });
      req[ACCESS_DENIAL_RECORDED] = true;
      throw new DomainError(ErrorCode.FORBIDDEN, 'Your roles do not allow this operation', {
        required: roles ?? [],
      });
    }
    return true;
  }
}
