import { Module } from '@nestjs/common';
import { ApprovalNotifier } from './approval-notifier';
import { ApprovalsController } from './approvals.controller';
import { ApprovalsService } from './approvals.service';

@Module({
  controllers: [ApprovalsController],
  providers: [ApprovalsService, ApprovalNotifier],
  exports: [ApprovalsService],
})
export class ApprovalsModule {}
