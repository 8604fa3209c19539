import { Module } from '@nestjs/common';
import { AuditController } from './audit.controller';

/** The auditor's routes; AuditService itself lives in CoreModule (every feature writes to it). */
@Module({ controllers: [AuditController] })
export class AuditModule {}
