import {
  type CallHandler,
  type ExecutionContext,
  Injectable,
  type NestInterceptor,
} from '@nestjs/common';
import { catchError, from, mergeMap, type Observable, throwError } from 'rxjs';
import { AuditService } from '../audit/audit.service';
import type { AuthenticatedRequest } from '../auth/authenticated-principal';
import { toDomainError } from './domain-error';
import { ErrorCode } from './error-codes';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * A refused change is evidence too: every mutating request by a known principal that is refused
 * for its role, state or a rule (403, 404, 409, 422, 503 token) is recorded (route, ids from the path, error code; never the body). Successful changes are
 * recorded by the services inside their own transactions.
 */
@Injectable()
export class AuditFailuresInterceptor implements NestInterceptor {
  constructor(private readonly audit: AuditService) {}

  intercept(ctx: ExecutionContext, next: CallHandler): Observable<unknown> {
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    if (!MUTATING.has(req.method)) return next.handle();
    return next.handle().pipe(
      catchError((error: unknown) => {
        const principal = req.principal;
        const code = toDomainError(error)?.code ?? ErrorCode.INTERNAL;
        // Malformed input (400) changes nothing and is not evidence; an outage cannot be recorded.
        if (
          !principal ||
          code === ErrorCode.VALIDATION_FAILED ||
          code === ErrorCode.DATABASE_UNAVAILABLE
        ) {
          return throwError(() => error);
        }
        const route = req.route?.path ?? req.path;
        const recorded = this.audit.recordAlone({
          actor: principal,
          action: 'request.refused',
          subjectType: 'route',
          subjectId: `${req.method} ${route}`.slice(0, 64),
          outcome: 'failure',
          details: { code, params: { ...req.params } },
        });
        return from(recorded).pipe(mergeMap(() => throwError(() => error)));
      }),
    );
  }
}
