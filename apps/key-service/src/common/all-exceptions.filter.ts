import { randomUUID } from 'node:crypto';
import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';
import { HsmError } from '@sts/hsm';
import type { DependencyTracker } from '../health/dependency-tracker';
import type { HttpResponse } from './http-types';
import { DomainError, toDomainError } from './domain-error';
import { ErrorCode, httpStatusOf } from './error-codes';
import type { ErrorResponseDto } from './error-response';
import type { JsonLogger } from './json-logger';
import type { RefusableRequest, RefusalRecorder } from '../audit/refusal-recorder';

/**
 * Turns every thrown value into `{statusCode, code, message, details?, errorId?}`. A refusal that
 * is evidence is written to the audit trail before the answer goes out (RefusalRecorder). A
 * refusal that says when to retry (`details.retryAfterSeconds`) carries it as `Retry-After` too.
 * A 503 for an unavailable dependency is counted by the DependencyTracker, which logs the
 * outage once when it begins and once when it ends, not once per refused request.
 */
/** A missing key is alarmed at most this often (every request still answers 503). */
const KEY_MISSING_ALARM_MS = 60_000;

@Catch()
export class AllExceptionsFilter implements ExceptionFilter {
  private lastKeyMissingAlarm = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly logger: JsonLogger,
    private readonly refusals?: RefusalRecorder,
    private readonly dependencies?: DependencyTracker,
  ) {}

  catch(exception: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const res = http.getResponse<HttpResponse>();
    const body = this.toBody(exception);
    const retryAfter = body.details?.retryAfterSeconds;
    const send = (): void => {
      if (res.sent) return;
      if (typeof retryAfter === 'number') res.header('Retry-After', String(retryAfter));
      res.status(body.statusCode).send(body);
    };
    const recorded = this.refusals?.record(http.getRequest<RefusableRequest>(), body.code);
    if (recorded) void recorded.then(send);
    else send();
  }

  /**
   * HSM_UNAVAILABLE is logged by the token's state changes (one line per transition), not here;
   * HSM_KEY_MISSING raises an alarm (error level, at most once a minute); other dependency
   * failures are logged per request.
   */
  private logDependencyFailure(code: ErrorCode, exception: unknown): void {
    if (httpStatusOf(code) < 500 || code === ErrorCode.INTERNAL) return;
    // Counted by the dependency tracker; outages are logged where they begin and end.
    if (code === ErrorCode.HSM_UNAVAILABLE || code === ErrorCode.DATABASE_UNAVAILABLE) return;
    if (code === ErrorCode.HSM_KEY_MISSING) {
      const now = Date.now();
      if (now - this.lastKeyMissingAlarm < KEY_MISSING_ALARM_MS) return;
      this.lastKeyMissingAlarm = now;
      this.logger.event('error', 'token fault: a key the registry holds is missing', {
        code,
        detail: exception instanceof HsmError ? exception.message : null,
      });
      return;
    }
    this.logger.event('warn', 'dependency unavailable', { code });
  }

  toBody(exception: unknown): ErrorResponseDto {
    const domain = toDomainError(exception) ?? fromHttpException(exception);
    if (domain) {
      const statusCode = httpStatusOf(domain.code);
      if (domain.code === ErrorCode.DATABASE_UNAVAILABLE) this.dependencies?.refused('database');
      if (domain.code === ErrorCode.HSM_UNAVAILABLE) this.dependencies?.refused('hsm');
      this.logDependencyFailure(domain.code, exception);
      return {
        statusCode,
        code: domain.code,
        message: domain.message,
        ...(domain.details ? { details: domain.details } : {}),
      };
    }
    const errorId = randomUUID();
    const err = exception instanceof Error ? exception : new Error(String(exception));
    this.logger.event('error', 'unexpected error', {
      errorId,
      error: err.name,
      detail: err.message,
      stack: err.stack,
    });
    return {
      statusCode: 500,
      code: ErrorCode.INTERNAL,
      message: 'Internal error; quote the error id to the operator',
      errorId,
    };
  }
}

function fromHttpException(exception: unknown): DomainError | undefined {
  if (!(exception instanceof HttpException)) return undefined;
  // Nest turns the HTTP server's own refusals (Fastify's, before any handler) into these.
  const status = exception.getStatus();
  switch (status) {
    case 404:
      return new DomainError(ErrorCode.NOT_FOUND, 'No such route');
    case 401:
      return new DomainError(ErrorCode.UNAUTHENTICATED, 'Authentication required');
    case 403:
      return new DomainError(ErrorCode.FORBIDDEN, 'Not allowed');
    case 413:
      return DomainError.validation('body', 'body: is too large');
    case 415:
      return DomainError.validation('Content-Type', 'Content-Type: must be application/json');
    case 400:
      return DomainError.validation('body', `body: ${exception.message}`);
    default:
      return undefined;
  }
}
