import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { MetricsService } from '../health/metrics.service';
import { DomainError } from './domain-error';
import type { JsonLogger } from './json-logger';
import { type RequestContext, requestIdFrom, runWithContext } from './request-context';

/**
 * The HTTP server under Nest: Fastify (its router and reply path cost a fraction of Express's per
 * request, which the vending routes feel at thousands of requests a second).
 */

/** Largest JSON body accepted (Express's default before; the service's requests are far smaller). */
export const JSON_BODY_LIMIT = 100 * 1024;

/**
 * Route config (`@RouteConfig(STREAMED_BODY)` from `@nestjs/platform-fastify`) of a route that
 * reads a `text/csv` or `text/plain` body as a stream (`request.body`), of any length.
 */
export const STREAMED_BODY = { streamedBody: true } as const;

const CONTEXT = Symbol('requestContext');
type WithContext = { [CONTEXT]?: RequestContext };

/** The request context the `onRequest` hook attached. */
function contextOf(req: object): RequestContext | undefined {
  return (req as WithContext)[CONTEXT];
}

export function createHttpAdapter(): FastifyAdapter {
  return new FastifyAdapter({ bodyLimit: JSON_BODY_LIMIT });
}

/**
 * Bodies, request ids, the access log and the HTTP metrics, on an application created with
 * `bodyParser: false` (these parsers replace Nest's). Call before `app.init()`.
 *
 * - JSON: Fastify's parser (prototype poisoning refused); an empty body is `{}`, as clients that
 *   POST an action without a body send it; a malformed body is a 400 that does not echo it.
 * - `text/csv` and `text/plain`: handed over unread as a stream on the routes that declare
 *   {@link STREAMED_BODY}; anywhere else a 400 naming `Content-Type`. Any other type: 400 too.
 * - Every answer carries `X-Request-Id` (the caller's when well-formed); the handler runs in the
 *   request's context, so its log lines and audit events carry the same id.
 */
export function configureHttpServer(
  app: NestFastifyApplication,
  logger: JsonLogger,
  metrics: MetricsService,
): void {
  const server = app.getHttpAdapter().getInstance();
  // Fastify's JSON parser (it refuses __proto__ and constructor.prototype keys), callback style.
  const json = server.getDefaultJsonParser('error', 'error') as (
    req: unknown,
    body: string,
    done: (error: Error | null, value?: unknown) => void,
  ) => void;
  server.addContentTypeParser<string>(
    'application/json',
    { parseAs: 'string', bodyLimit: JSON_BODY_LIMIT },
    (req, body, done) => {
      if (body.length === 0) return done(null, {});
      json(req, body, (error, value) => {
        if (error) done(DomainError.validation('body', 'body: is not valid JSON'));
        else done(null, value);
      });
    },
  );
  server.addContentTypeParser(['text/csv', 'text/plain'], (req, payload, done) => {
    if ((req.routeOptions.config as { streamedBody?: boolean }).streamedBody) {
      done(null, payload);
    } else {
      done(DomainError.validation('Content-Type', 'Content-Type: must be application/json'));
    }
  });

  server.addHook('onRequest', (req, reply, done) => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    (req as WithContext)[CONTEXT] = { requestId };
    reply.header('X-Request-Id', requestId);
    done();
  });
  server.addHook('preHandler', (req, _reply, done) => {
    const context = contextOf(req);
    if (context) runWithContext(context, done);
    else done();
  });
  server.addHook('onResponse', (req, reply, done) => {
    const route = req.routeOptions.url ?? 'unmatched';
    const seconds = reply.elapsedTime / 1000;
    metrics.httpRequests.inc({ method: req.method, route, status: String(reply.statusCode) });
    metrics.httpDuration.observe({ method: req.method, route }, seconds);
    const context = contextOf(req) ?? { requestId: requestIdFrom(undefined) };
    runWithContext(context, () =>
      logger.event('info', 'request', {
        method: req.method,
        route,
        status: reply.statusCode,
        ms: Math.round(seconds * 1000),
        ...(context.principalId ? { principalId: context.principalId } : {}),
      }),
    );
    done();
  });
}
