import { Module } from '@nestjs/common';
import { ApprovalsModule } from '../approvals/approvals.module';
import { MeterKeysModule } from '../meter-keys/meter-keys.module';
import { VendingModule } from '../vending/vending.module';
import { CampaignsController } from './campaigns.controller';
import { CampaignsService } from './campaigns.service';

/** Rekey campaigns: see docs/campaigns.md. */
@Module({
  imports: [ApprovalsModule, VendingModule, MeterKeysModule],
  controllers: [CampaignsController],
  providers: [CampaignsService],
  exports: [CampaignsService],
})
export class CampaignsModule {}
