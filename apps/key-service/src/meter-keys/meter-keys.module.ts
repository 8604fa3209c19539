import { Module } from '@nestjs/common';
import { MeterKeysController } from './meter-keys.controller';
import { MeterKeyMoves } from './meter-key-moves';
import { MeterKeysService } from './meter-keys.service';

/** The meter key registry: which key each meter holds, and the key change due at its next purchase. */
@Module({
  controllers: [MeterKeysController],
  providers: [MeterKeysService, MeterKeyMoves],
  exports: [MeterKeyMoves],
})
export class MeterKeysModule {}
