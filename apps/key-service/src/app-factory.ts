import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import type { HttpRequest, HttpResponse, NextFn } from './common/http-types';
import { AppModule } from './app.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { RefusalRecorder } from './common/refusal-recorder';
import { AuditService } from './audit/audit.service';
import { JsonLogger } from './common/json-logger';
import { requestIdFrom, runWithContext } from './common/request-context';
import { createValidationPipe } from './common/validation';
import type { AppConfig } from './config/app-config';
import type { AppOverrides } from './core.module';
import { MetricsService } from './health/metrics.service';

export const API_PREFIX = 'api/v1';

/** Builds the application (not listening). Tests call this with overrides. */
export async function createApp(
  config: AppConfig,
  overrides: AppOverrides = {},
): Promise<INestApplication> {
  const logger = overrides.logger ?? new JsonLogger(config.logLevel);
  const app = await NestFactory.create<NestExpressApplication>(
    AppModule.forRoot(config, { ...overrides, logger }),
    { logger, bufferLogs: false, abortOnError: false },
  );
  configureApp(app, logger);
  await app.init();
  return app;
}

/** Prefix, request ids, access log and metrics, validation, the error filter, OpenAPI at /docs. */
export function configureApp(app: INestApplication, logger: JsonLogger): void {
  const metrics = app.get(MetricsService, { strict: false });
  // No ETag (a hash of every answer body, of no use to an API client: answers are not cached)
  // and no X-Powered-By (it names the framework to whoever asks).
  const express = app.getHttpAdapter().getInstance() as {
    set(name: string, value: unknown): void;
  };
  express.set('etag', false);
  express.set('x-powered-by', false);
  app.use((req: HttpRequest, res: HttpResponse, next: NextFn) => {
    const requestId = requestIdFrom(req.headers['x-request-id']);
    res.setHeader('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    const context = { requestId } as { requestId: string; principalId?: string };
    res.on('finish', () => {
      const seconds = Number(process.hrtime.bigint() - started) / 1e9;
      const route = req.route?.path ?? 'unmatched';
      metrics.httpRequests.inc({ method: req.method, route, status: String(res.statusCode) });
      metrics.httpDuration.observe({ method: req.method, route }, seconds);
      runWithContext(context, () =>
        logger.event('info', 'request', {
          method: req.method,
          route,
          status: res.statusCode,
          ms: Math.round(seconds * 1000),
          ...(context.principalId ? { principalId: context.principalId } : {}),
        }),
      );
    });
    runWithContext(context, next);
  });
  app.setGlobalPrefix(API_PREFIX, { exclude: ['health', 'metrics'] });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(
    new AllExceptionsFilter(logger, new RefusalRecorder(app.get(AuditService, { strict: false }))),
  );
  app.enableShutdownHooks();
  SwaggerModule.setup('docs', app, () => buildOpenApi(app), {
    jsonDocumentUrl: 'docs/openapi.json',
  });
}

/** The OpenAPI document, generated from the controllers and DTOs (committed as docs/openapi.json). */
export function buildOpenApi(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('STS key service')
    .setDescription(
      'Supply groups, vending-key revisions, key ceremonies, dual control and a tamper-evident audit ' +
        'trail for STS (IEC 62055-41) prepaid metering. Every route lists its roles in `x-roles`. ' +
        'Errors: `{statusCode, code, message, details?, errorId?}`.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'API key: sts_<id>_<secret>' })
    .build();
  return SwaggerModule.createDocument(app, config, {
    operationIdFactory: (controllerKey, methodKey) =>
      `${controllerKey.replace(/Controller$/, '')}_${methodKey}`,
  });
}
