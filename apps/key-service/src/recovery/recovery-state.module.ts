import { Module } from '@nestjs/common';
import { RecoveryState } from './recovery-state';

/** The restore state the issuing paths read (TID floor, keys refused by the custody check). */
@Module({ providers: [RecoveryState], exports: [RecoveryState] })
export class RecoveryStateModule {}
