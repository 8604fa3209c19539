import { Module } from '@nestjs/common';
import { CeremoniesModule } from '../ceremonies/ceremonies.module';
import { RecoveryStateModule } from '../recovery/recovery-state.module';
import { VendingClientsController } from './clients/vending-clients.controller';
import { VendingClientsService } from './clients/vending-clients.service';
import { KeyChangeIssuer } from './issuance/key-change-issuer';
import { IssuanceReprints } from './issuance/reprints';
import { VendingRateLimitGuard } from './rate-limit/rate-limit.guard';
import { loadVendingConfig, VENDING_CONFIG } from './vending-config';
import { VendingController } from './vending.controller';
import { VendingService } from './vending.service';

/** The vending interface (issue 5): client onboarding, derived keys, tokens, reprints. */
@Module({
  imports: [CeremoniesModule, RecoveryStateModule],
  controllers: [VendingController, VendingClientsController],
  providers: [
    { provide: VENDING_CONFIG, useFactory: () => loadVendingConfig(process.env) },
    VendingClientsService,
    VendingService,
    KeyChangeIssuer,
    IssuanceReprints,
    VendingRateLimitGuard,
  ],
  exports: [VendingService, KeyChangeIssuer, VendingClientsService, VENDING_CONFIG],
})
export class VendingModule {}
