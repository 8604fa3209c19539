import { type DynamicModule, Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { ApprovalsModule } from './approvals/approvals.module';
import { AuditModule } from './audit/audit.module';
import { AuthGuard } from './auth/auth.guard';
import { SessionsModule } from './auth/sessions/sessions.module';
import { CampaignsModule } from './campaigns/campaigns.module';
import { BodylessRouteGuard } from './common/bodyless-route.guard';
import { CeremoniesModule } from './ceremonies/ceremonies.module';
import type { AppConfig } from './config/app-config';
import { type AppOverrides, CoreModule } from './core.module';
import { HealthModule } from './health/health.module';
import { KeksModule } from './keks/keks.module';
import { MeterKeysModule } from './meter-keys/meter-keys.module';
import { PrincipalsModule } from './principals/principals.module';
import { RecoveryModule } from './recovery/recovery.module';
import { ReportsModule } from './reports/reports.module';
import { SupplyGroupsModule } from './supply-groups/supply-groups.module';
import { VendingKeysModule } from './vending-keys/vending-keys.module';
import { VendingModule } from './vending/vending.module';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, overrides: AppOverrides = {}): DynamicModule {
    return {
      module: AppModule,
      imports: [
        CoreModule.forRoot(config, overrides),
        PrincipalsModule,
        SessionsModule,
        SupplyGroupsModule,
        ApprovalsModule,
        CeremoniesModule,
        KeksModule,
        VendingKeysModule,
        CampaignsModule,
        VendingModule,
        MeterKeysModule,
        AuditModule,
        ReportsModule,
        RecoveryModule,
        HealthModule,
      ],
      // Authentication first: a request that is not signed in learns nothing about the route.
      providers: [
        { provide: APP_GUARD, useClass: AuthGuard },
        { provide: APP_GUARD, useClass: BodylessRouteGuard },
      ],
    };
  }
}
