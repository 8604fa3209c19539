import { Module } from '@nestjs/common';
import { SupplyGroupsController } from './supply-groups.controller';
import { SupplyGroupsService } from './supply-groups.service';

@Module({
  controllers: [SupplyGroupsController],
  providers: [SupplyGroupsService],
  exports: [SupplyGroupsService],
})
export class SupplyGroupsModule {}
