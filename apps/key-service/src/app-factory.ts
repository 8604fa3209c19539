import type { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { configureHttpServer, createHttpAdapter } from './common/http-server';
import { AppModule } from './app.module';
import { AllExceptionsFilter } from './common/all-exceptions.filter';
import { CustodyCheckService } from './recovery/custody-check.service';
import { RefusalRecorder } from './audit/refusal-recorder';
import { AuditService } from './audit/audit.service';
import { JsonLogger } from './common/json-logger';
import { createValidationPipe } from './common/validation';
import type { AppConfig } from './config/app-config';
import type { AppOverrides } from './core.module';
import { DependencyTracker } from './health/dependency-tracker';
import { MetricsService } from './health/metrics.service';

export const API_PREFIX = 'api/v1';
/** Operations routes served outside the API prefix. */
export const UNPREFIXED_ROUTES = ['health', 'health/details', 'metrics'];

/** Builds the application (not listening). Tests call this with overrides. */
export async function createApp(
  config: AppConfig,
  overrides: AppOverrides = {},
): Promise<INestApplication> {
  const logger = overrides.logger ?? new JsonLogger(config.logLevel);
  const app = await NestFactory.create<NestFastifyApplication>(
    AppModule.forRoot(config, { ...overrides, logger }),
    createHttpAdapter(),
    { logger, bufferLogs: false, abortOnError: false, bodyParser: false },
  );
  configureApp(app, logger);
  await app.init();
  // The serving process checks its keys against the token before it answers (CLI contexts do not).
  await app.get(CustodyCheckService).checkAtStart();
  // Fastify registers its routes when ready; the server answers in-process requests (tests) only then.
  await app.getHttpAdapter().getInstance().ready();
  return app;
}

/**
 * Prefix, request ids, access log and metrics, validation, the error filter, OpenAPI at /docs.
 */
export function configureApp(app: NestFastifyApplication, logger: JsonLogger): void {
  configureHttpServer(app, logger, app.get(MetricsService, { strict: false }));
  app.setGlobalPrefix(API_PREFIX, { exclude: UNPREFIXED_ROUTES });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(
    new AllExceptionsFilter(
      logger,
      new RefusalRecorder(app.get(AuditService, { strict: false })),
      app.get(DependencyTracker, { strict: false }),
    ),
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
