import { existsSync } from 'node:fs';
import { join } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { JsonLogger } from '../common/json-logger';

/** Where the console is served: same origin as the API. */
export const CONSOLE_PATH = '/console/';

/** The built console (`npm run build` writes it): apps/console/dist beside this app. */
export const CONSOLE_DIST = join(__dirname, '..', '..', '..', 'console', 'dist');

/**
 * The console's Content-Security-Policy: its own scripts, styles and API only; no inline script
 * or style, no other origin, no framing, no plug-ins.
 */
export const CONSOLE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
].join('; ');

const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'Content-Security-Policy': CONSOLE_CSP,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  'Referrer-Policy': 'no-referrer',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
};

interface ConsoleReply {
  header(name: string, value: string): unknown;
  redirect(url: string, code?: number): unknown;
}

/**
 * Serves the built console at /console/ with its security headers. A service built without the
 * console (its dist folder missing) serves the API alone and says so once.
 */
export function serveConsole(
  app: NestFastifyApplication,
  logger: JsonLogger,
  root = CONSOLE_DIST,
): void {
  if (!existsSync(join(root, 'index.html'))) {
    logger.event('warn', 'console not built: /console is not served', { root });
    return;
  }
  const fastify = app.getHttpAdapter().getInstance();
  fastify.addHook('onSend', (req, reply, payload, done) => {
    if (req.url === '/console' || req.url.startsWith(CONSOLE_PATH)) {
      for (const [name, value] of Object.entries(CONSOLE_HEADERS)) reply.header(name, value);
    }
    done(null, payload);
  });
  void fastify.register(fastifyStatic, {
    root,
    prefix: CONSOLE_PATH,
    decorateReply: false,
    index: ['index.html'],
    cacheControl: true,
    maxAge: 0,
  });
  fastify.get('/console', (_req: unknown, reply: ConsoleReply) => {
    reply.redirect(CONSOLE_PATH, 302);
  });
}
