import { type CanActivate, type ExecutionContext, Injectable } from '@nestjs/common';
import { ROUTE_ARGS_METADATA } from '@nestjs/common/constants';
import { RouteParamtypes } from '@nestjs/common/enums/route-paramtypes.enum';
import { DomainError } from './domain-error';
import type { HttpRequest } from './http-types';

/** Whether a parsed body says nothing: absent, or an empty JSON object (what an empty body parses to). */
function isEmptyBody(body: unknown): boolean {
  if (body === undefined) return true;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return false;
  return Object.keys(body).length === 0;
}

/**
 * A route whose handler takes no `@Body()` (and does not stream one) refuses a body with
 * something in it: 400 naming `body`, before the handler runs. A guard rather than an
 * interceptor: it runs once per request as a plain call, after authentication (it is registered
 * after the authentication guard), without wrapping the handler in an observable.
 */
@Injectable()
export class BodylessRouteGuard implements CanActivate {
  private readonly readsBody = new WeakMap<object, boolean>();

  canActivate(context: ExecutionContext): boolean {
    const req = context.switchToHttp().getRequest<HttpRequest>();
    if (!isEmptyBody(req.body) && !this.handlerReadsBody(context, req)) {
      throw DomainError.validation('body', 'body: this route takes no body');
    }
    return true;
  }

  private handlerReadsBody(context: ExecutionContext, req: HttpRequest): boolean {
    const handler = context.getHandler();
    let reads = this.readsBody.get(handler);
    if (reads === undefined) {
      const args = (Reflect.getMetadata(ROUTE_ARGS_METADATA, context.getClass(), handler.name) ??
        {}) as Record<string, unknown>;
      const streamed =
        (req.routeOptions?.config as { streamedBody?: boolean } | undefined)?.streamedBody === true;
      reads =
        streamed || Object.keys(args).some((key) => key.startsWith(`${RouteParamtypes.BODY}:`));
      this.readsBody.set(handler, reads);
    }
    return reads;
  }
}
