import { Module } from '@nestjs/common';
import { ApprovalsModule } from '../approvals/approvals.module';
import { PrincipalsController } from './principals.controller';
import { PrincipalsService } from './principals.service';

@Module({
  imports: [ApprovalsModule],
  controllers: [PrincipalsController],
  providers: [PrincipalsService],
  exports: [PrincipalsService],
})
export class PrincipalsModule {}
