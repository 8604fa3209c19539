import { type DynamicModule, Global, Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { KEY_CUSTODY, type KeyCustody } from '@sts/hsm';
import { AuditService } from './audit/audit.service';
import { Clock } from './common/clock';
import { JsonLogger } from './common/json-logger';
import { APP_CONFIG, type AppConfig } from './config/app-config';
import { CustodyLifecycle, openConfiguredCustody } from './custody/configured-custody';
import { dataSourceOptions } from './database/data-source';
import { DatabaseGate } from './database/database-gate';
import { TransactionRunner } from './database/transaction-runner';
import { DependencyTracker } from './health/dependency-tracker';
import { MetricsService } from './health/metrics.service';

/** How a test replaces the defaults. Production passes nothing. */
export interface AppOverrides {
  /** A key custody built by the test (e.g. the in-memory one); bypasses the PKCS#11 binding. */
  readonly custody?: KeyCustody;
  readonly logger?: JsonLogger;
  readonly clock?: Clock;
}

/** Shared infrastructure: configuration, database, the key-custody port, audit, clock, logs. */
@Global()
@Module({})
export class CoreModule {
  static forRoot(config: AppConfig, overrides: AppOverrides = {}): DynamicModule {
    const logger = overrides.logger ?? new JsonLogger(config.logLevel);
    return {
      module: CoreModule,
      imports: [
        TypeOrmModule.forRoot({
          ...dataSourceOptions(config.database),
          retryAttempts: 0,
        }),
      ],
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: JsonLogger, useValue: logger },
        overrides.clock ? { provide: Clock, useValue: overrides.clock } : Clock,
        {
          // The one place the port is bound: PKCS#11 from configuration. Only tests inject another.
          provide: KEY_CUSTODY,
          useFactory: (): Promise<KeyCustody> | KeyCustody =>
            overrides.custody ?? openConfiguredCustody(config, logger),
        },
        CustodyLifecycle,
        MetricsService,
        DependencyTracker,
        DatabaseGate,
        TransactionRunner,
        AuditService,
      ],
      exports: [
        APP_CONFIG,
        JsonLogger,
        Clock,
        KEY_CUSTODY,
        TransactionRunner,
        MetricsService,
        DependencyTracker,
        DatabaseGate,
        AuditService,
      ],
    };
  }
}
