import { Module } from '@nestjs/common';
import { CeremoniesModule } from '../ceremonies/ceremonies.module';
import { KeksController } from './keks.controller';
import { KeksService } from './keks.service';

@Module({ imports: [CeremoniesModule], controllers: [KeksController], providers: [KeksService] })
export class KeksModule {}
