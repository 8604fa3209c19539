import { Module } from '@nestjs/common';
import { ApprovalsModule } from '../approvals/approvals.module';
import { CeremoniesModule } from '../ceremonies/ceremonies.module';
import { VendingKeysController } from './vending-keys.controller';
import { VendingKeysService } from './vending-keys.service';

@Module({
  imports: [ApprovalsModule, CeremoniesModule],
  controllers: [VendingKeysController],
  providers: [VendingKeysService],
  exports: [VendingKeysService],
})
export class VendingKeysModule {}
