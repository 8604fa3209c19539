import { Module } from '@nestjs/common';
import { MeterKeysController } from './meter-keys.controller';
import { MeterKeysService } from './meter-keys.service';

/** The meter key registry: which key each meter holds, and the key change due at its next purchase. */
@Module({
  controllers: [MeterKeysController],
  providers: [MeterKeysService],
  exports: [MeterKeysService],
})
export class MeterKeysModule {}
