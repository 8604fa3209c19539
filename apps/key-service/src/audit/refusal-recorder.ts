import type { AuditService } from './audit.service';
import type { AuthenticatedRequest } from '../auth/authenticated-principal';
import { ErrorCode } from '../common/error-codes';
import { routeSubjectOf } from '../common/http-types';

const MUTATING = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Refusals that are not evidence: malformed input changes nothing, an outage cannot be recorded,
 * an unknown caller has no actor, a rate limit is traffic shaping, and a role denial is recorded
 * by the auth guard itself (`access.denied`).
 */
const NOT_EVIDENCE: ReadonlySet<ErrorCode> = new Set([
  ErrorCode.VALIDATION_FAILED,
  ErrorCode.DATABASE_UNAVAILABLE,
  ErrorCode.UNAUTHENTICATED,
  ErrorCode.ENROLMENT_REQUIRED,
  ErrorCode.RATE_LIMITED,
]);

/** Marks a request whose refusal the auth guard has recorded already. */
export const ACCESS_DENIAL_RECORDED = Symbol('accessDenialRecorded');

export type RefusableRequest = AuthenticatedRequest & { [ACCESS_DENIAL_RECORDED]?: true };

/**
 * A refused change is evidence too: every mutating request by a known principal that is refused
 * for its state or a rule (403 scope, 404, 409, 422, 503 token, 500) is recorded as
 * `request.refused` (route, ids from the path, error code; never the body). Successful changes are
 * recorded by the services inside their own transactions.
 */
export class RefusalRecorder {
  constructor(private readonly audit: AuditService) {}

  /** Records the refusal when it is evidence; resolves once written (never rejects). */
  record(req: RefusableRequest, code: ErrorCode): Promise<void> | undefined {
    const principal = req.principal;
    if (!principal || !MUTATING.has(req.method) || NOT_EVIDENCE.has(code)) return undefined;
    if (code === ErrorCode.FORBIDDEN && req[ACCESS_DENIAL_RECORDED]) return undefined;
    return this.audit.recordAlone({
      actor: principal,
      action: 'request.refused',
      subjectType: 'route',
      subjectId: routeSubjectOf(req),
      outcome: 'failure',
      details: { code, params: { ...req.params } },
    });
  }
}
