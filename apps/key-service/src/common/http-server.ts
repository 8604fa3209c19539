import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { MetricsService } from '../health/metrics.service';
import { DomainError } from './domain-error';
import type { JsonLogger } from './json-logger';
import {
  REQUEST_ID_RULE,
  type RequestContext,
  requestIdFrom,
  runWithContext,
} from './request-context';

/**
 * The HTTP server under Nest: Fastify (its router and reply path cost a fraction of Express's per
 * request, which the vending routes feel at thousands of requests a second).
 */

/** Largest JSON body accepted (Express's default before; the service's requests are far smaller). */
export const JSON_BODY_LIMIT = 100 * 1024;

/** Deepest nesting of arrays and objects a JSON body may have. */
export const JSON_MAX_DEPTH = 32;

/** Keys that name an object's prototype machinery: refused anywhere in a body. */
const PROTOTYPE_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

/**
 * A JSON request body: an empty body is `{}`; text that is not JSON, nests deeper than
 * {@link JSON_MAX_DEPTH}, or has a {@link PROTOTYPE_KEYS} key anywhere is a 400 naming the
 * body (or the key's path) that does not echo the text.
 */
export function parseJsonBody(text: string): unknown {
  if (text.length === 0) return {};
  if (nestingDepth(text) > JSON_MAX_DEPTH) {
    throw DomainError.validation('body', `body: nests deeper than ${JSON_MAX_DEPTH} levels`);
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw DomainError.validation('body', 'body: is not valid JSON');
  }
  const key = prototypeKeyIn(value, 'body');
  if (key) throw DomainError.validation(key, `${key}: is not allowed`);
  return value;
}

/** The deepest nesting of brackets and braces outside strings (run before parsing, in one pass). */
function nestingDepth(text: string): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) {
      inString = true;
    } else if (c === 0x5b || c === 0x7b) {
      depth++;
      if (depth > deepest) deepest = depth;
    } else if (c === 0x5d || c === 0x7d) {
      depth--;
    }
  }
  return deepest;
}

/** The path of the first prototype key in a parsed body, or undefined. */
function prototypeKeyIn(value: unknown, path: string): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) {
      const found = prototypeKeyIn(value[i], `${path}[${i}]`);
      if (found) return found;
    }
    return undefined;
  }
  for (const [key, inner] of Object.entries(value)) {
    if (PROTOTYPE_KEYS.has(key)) return `${path}.${key}`;
    const found = prototypeKeyIn(inner, `${path}.${key}`);
    if (found) return found;
  }
  return undefined;
}

/**
 * Route config (`@RouteConfig(STREAMED_BODY)` from `@nestjs/platform-fastify`) of a route that
 * reads a `text/csv` body as a stream (`request.body`), of any length.
 */
export const STREAMED_BODY = { streamedBody: true } as const;

const CONTEXT = Symbol('requestContext');
type WithContext = { [CONTEXT]?: RequestContext };

/** Whether a Content-Type header is `text/csv` (with or without parameters). */
export function isCsv(contentType: unknown): boolean {
  return typeof contentType === 'string' && /^text\/csv\s*(;|$)/i.test(contentType);
}

/** The 400 for a body of the wrong type: CSV on the routes that stream it, JSON elsewhere. */
export function contentTypeError(streamed: boolean): DomainError {
  const wanted = streamed ? 'text/csv' : 'application/json';
  return DomainError.validation('Content-Type', `Content-Type: must be ${wanted}`);
}

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
 * - JSON: {@link parseJsonBody}; an empty body is `{}`, as clients that POST an action without a
 *   body send it.
 * - `text/csv`: handed over unread as a stream on the routes that declare {@link STREAMED_BODY}.
 *   Any other type is a 400 naming `Content-Type` and the type the route reads.
 * - Every answer carries `X-Request-Id`: the caller's, or a new one when the caller sent none; a
 *   malformed one is a 400 naming the header. The handler runs in the request's context, so its
 *   log lines and audit events carry the same id.
 */
export function configureHttpServer(
  app: NestFastifyApplication,
  logger: JsonLogger,
  metrics: MetricsService,
): void {
  const server = app.getHttpAdapter().getInstance();
  // Fastify's own parsers (JSON, text/plain) give way to the ones below.
  server.removeAllContentTypeParsers();
  server.addContentTypeParser<string>(
    'application/json',
    { parseAs: 'string', bodyLimit: JSON_BODY_LIMIT },
    (_req, body, done) => {
      try {
        done(null, parseJsonBody(body));
      } catch (error) {
        done(error as Error);
      }
    },
  );
  // Any type but JSON: a stream for a route that reads CSV, otherwise a 400 naming the type wanted.
  server.addContentTypeParser('*', (req, payload, done) => {
    const streamed = (req.routeOptions.config as { streamedBody?: boolean }).streamedBody === true;
    if (streamed && isCsv(req.headers['content-type'])) done(null, payload);
    else done(contentTypeError(streamed));
  });

  server.addHook('onRequest', (req, reply, done) => {
    const header = req.headers['x-request-id'];
    const requestId = requestIdFrom(header);
    (req as WithContext)[CONTEXT] = { requestId };
    reply.header('X-Request-Id', requestId);
    if (header !== undefined && header !== requestId) {
      done(DomainError.validation('X-Request-Id', `X-Request-Id: ${REQUEST_ID_RULE}`));
    } else {
      done();
    }
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
