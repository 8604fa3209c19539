import { Module } from '@nestjs/common';
import { PrincipalsController } from './principals.controller';
import { PrincipalsService } from './principals.service';

@Module({
  controllers: [PrincipalsController],
  providers: [PrincipalsService],
  exports: [PrincipalsService],
})
export class PrincipalsModule {}
