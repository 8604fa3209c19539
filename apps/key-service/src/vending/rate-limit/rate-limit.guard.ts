import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import type { AuthenticatedRequest } from '../../auth/authenticated-principal';
import { DomainError } from '../../common/domain-error';
import type { HttpResponse } from '../../common/http-types';
import { ErrorCode } from '../../common/error-codes';
import { VendingClientsService } from '../clients/vending-clients.service';
import { RateLimiter } from './token-bucket';

/**
 * Per-client token bucket on the vending routes (runs after the global auth guard, so the caller
 * is known): 429 RATE_LIMITED with `Retry-After` (whole seconds) when the bucket is empty. Each
 * service process keeps its own buckets.
 */
@Injectable()
export class VendingRateLimitGuard implements CanActivate {
  private readonly limiter = new RateLimiter();

  constructor(private readonly clients: VendingClientsService) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const principal = req.principal;
    if (!principal) return true;
    const profile = await this.clients.profile(principal.id);
    const waitMs = this.limiter.take(
      principal.id,
      profile.ratePerSecond,
      profile.burst,
      performance.now(),
    );
    if (waitMs === 0) return true;
    const seconds = Math.max(1, Math.ceil(waitMs / 1000));
    ctx.switchToHttp().getResponse<HttpResponse>().header('Retry-After', String(seconds));
    throw new DomainError(
      ErrorCode.RATE_LIMITED,
      'Too many requests: slow down and retry after the given time',
      {
        retryAfterSeconds: seconds,
        ratePerSecond: profile.ratePerSecond,
        burst: profile.burst,
      },
    );
  }
}
