import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NestFactory } from '@nestjs/core';
import { AppModule } from '../app.module';
import { API_PREFIX, UNPREFIXED_ROUTES, buildOpenApi } from '../app-factory';
import { createHttpAdapter } from '../common/http-server';
import {
  type AppConfig,
  DEFAULT_CAMPAIGN_LIVENESS,
  DEFAULT_RECONNECT,
  DEFAULT_VENDING,
} from '../config/app-config';

/** A configuration for document generation only: preview mode connects to nothing. */
const PREVIEW_CONFIG: AppConfig = {
  database: { type: 'sqlite', path: join(tmpdir(), 'sts-openapi-preview.sqlite') },
  http: { host: '127.0.0.1', port: 0 },
  hsm: {
    module: '/nonexistent',
    tokenLabel: 'preview',
    pin: 'preview',
    maxInFlight: 8,
    callTimeoutMs: 5000,
  },
  audit: { keyLabel: 'sts-audit', checkpointEvery: 1000, checkpointSeconds: 0 },
  approvals: { quorum: 1, ttlSeconds: 86_400 },
  enrolmentTtlSeconds: 72 * 3600,
  schedulerSeconds: 0,
  authCacheMs: 1000,
  reconnect: DEFAULT_RECONNECT,
  campaigns: DEFAULT_CAMPAIGN_LIVENESS,
  campaignWorker: false,
  vending: DEFAULT_VENDING,
  logLevel: 'error',
};

/**
 * The OpenAPI document as committed in docs/openapi.json: generated from the controllers and
 * DTOs in Nest's preview mode (no database, no token).
 */
export async function generateOpenApiJson(): Promise<string> {
  const app = await NestFactory.create(AppModule.forRoot(PREVIEW_CONFIG), createHttpAdapter(), {
    preview: true,
    logger: false,
  });
  app.setGlobalPrefix(API_PREFIX, { exclude: UNPREFIXED_ROUTES });
  const doc = buildOpenApi(app);
  await app.close();
  return `${JSON.stringify(doc, null, 2)}\n`;
}
