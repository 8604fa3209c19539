import { Module } from '@nestjs/common';
import { CeremoniesModule } from '../ceremonies/ceremonies.module';
import { MeterKeysModule } from '../meter-keys/meter-keys.module';
import { RecoveryStateModule } from '../recovery/recovery-state.module';
import { VendingClientsController } from './clients/vending-clients.controller';
import { VendingClientsService } from './clients/vending-clients.service';
import { IdempotencyPurge } from './idempotency/idempotency-purge';
import { IssuancePipeline } from './issuance/issuance-pipeline';
import { KeyChangeIssuer } from './issuance/key-change-issuer';
import { KeyLookup } from './keys/key-lookup';
import { TidAllocator } from './tid-allocation/tid-allocator';
import { IssuanceReprints } from './issuance/reprints';
import { VendingRateLimitGuard } from './rate-limit/rate-limit.guard';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { VENDING_CONFIG, type VendingConfig } from './vending-config';
import { VendingController } from './vending.controller';
import { VendingService } from './vending.service';

/** The vending interface: client onboarding, derived keys, tokens, reprints. */
@Module({
  imports: [CeremoniesModule, RecoveryStateModule, MeterKeysModule],
  controllers: [VendingController, VendingClientsController],
  providers: [
    { provide: VENDING_CONFIG, useFactory: (c: AppConfig) => c.vending, inject: [APP_CONFIG] },
    VendingClientsService,
    {
      provide: TidAllocator,
      useFactory: (config: VendingConfig) => new TidAllocator(config.tidWindowMinutes),
      inject: [VENDING_CONFIG],
    },
    KeyLookup,
    IssuancePipeline,
    VendingService,
    IdempotencyPurge,
    KeyChangeIssuer,
    IssuanceReprints,
    VendingRateLimitGuard,
  ],
  exports: [TidAllocator, IdempotencyPurge, KeyChangeIssuer, VendingClientsService, VENDING_CONFIG],
})
export class VendingModule {}
