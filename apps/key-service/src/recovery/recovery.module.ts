import { Module } from '@nestjs/common';
import { VendingModule } from '../vending/vending.module';
import { CustodyCheckService } from './custody-check.service';
import { CustodyController } from './custody.controller';
import { RecoveryStateModule } from './recovery-state.module';
import { RestoreService } from './restore.service';

/** Backup and restore support: the custody check and the completion of a database restore. */
@Module({
  imports: [RecoveryStateModule, VendingModule],
  controllers: [CustodyController],
  providers: [CustodyCheckService, RestoreService],
  exports: [CustodyCheckService, RestoreService],
})
export class RecoveryModule {}
