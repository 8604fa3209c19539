import { Inject, Injectable } from '@nestjs/common';
import { InjectDataSource } from '@nestjs/typeorm';
import {
  type CustodyStatus,
  HsmError,
  KEY_CUSTODY,
  type KeyCustody,
  type SelfTestReport,
} from '@sts/hsm';
import { DataSource } from 'typeorm';
import { APP_CONFIG, type AppConfig } from '../config/app-config';
import { DatabaseGate } from '../database/database-gate';

export interface HealthCheck {
  ok: boolean;
  detail?: string;
}

/** The full report: the database type, the token's label and the self-test's every check. */
export interface HealthReport {
  status: 'ok' | 'unavailable';
  checks: {
    database: HealthCheck & { type: string };
    /** `connection`: the token's state, its last fault, calls in flight and recent latency. */
    token: HealthCheck & { implementation: string; label: string; connection?: CustodyStatus };
    selfTest: HealthCheck & { report?: SelfTestReport };
  };
}

/** What anyone may see: the overall status and whether each check passed, nothing more. */
export interface HealthStatus {
  status: HealthReport['status'];
  checks: Record<keyof HealthReport['checks'], { ok: boolean }>;
}

/** The report without labels, types, mechanisms or failure details. */
export function statusOf(report: HealthReport): HealthStatus {
  const { database, token, selfTest } = report.checks;
  return {
    status: report.status,
    checks: {
      database: { ok: database.ok },
      token: { ok: token.ok },
      selfTest: { ok: selfTest.ok },
    },
  };
}

const SELF_TEST_TTL_MS = 10_000;

/** Database reachable, token logged in (the audit key is there), mechanism self-test passing. */
@Injectable()
export class HealthService {
  private cached?: { at: number; report: SelfTestReport };

  constructor(
    @InjectDataSource() private readonly dataSource: DataSource,
    @Inject(KEY_CUSTODY) private readonly custody: KeyCustody,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly gate: DatabaseGate,
  ) {}

  async report(): Promise<HealthReport> {
    const [database, token, selfTest] = await Promise.all([
      this.database(),
      this.token(),
      this.selfTest(),
    ]);
    return {
      status: database.ok && token.ok && selfTest.ok ? 'ok' : 'unavailable',
      checks: { database, token, selfTest },
    };
  }

  private async database(): Promise<HealthReport['checks']['database']> {
    const type = this.config.database.type;
    try {
      if (!this.dataSource.isInitialized) return { ok: false, type, detail: 'not connected' };
      // While the gate is closed its own probe reconnects; a health check adds no attempts.
      if (!this.gate.open) return { ok: false, type, detail: 'unavailable' };
      await this.dataSource.query('SELECT 1');
      return { ok: true, type };
    } catch (error) {
      this.gate.reportFailure(error);
      return { ok: false, type, detail: error instanceof Error ? error.name : 'unreachable' };
    }
  }

  private async token(): Promise<HealthReport['checks']['token']> {
    const base = { implementation: this.custody.implementation, label: this.config.hsm.tokenLabel };
    let result: HealthReport['checks']['token'];
    try {
      await this.custody.describeKey(this.config.audit.keyLabel);
      result = { ok: true, ...base };
    } catch (error) {
      result = {
        ok: false,
        ...base,
        detail: error instanceof HsmError ? error.code : 'unavailable',
      };
    }
    const connection = this.custody.status?.();
    return connection === undefined ? result : { ...result, connection };
  }

  private async selfTest(): Promise<HealthReport['checks']['selfTest']> {
    const now = Date.now();
    try {
      if (!this.cached || now - this.cached.at > SELF_TEST_TTL_MS || !this.cached.report.ok) {
        this.cached = { at: now, report: await this.custody.selfTest() };
      }
      return { ok: this.cached.report.ok, report: this.cached.report };
    } catch (error) {
      this.cached = undefined;
      return { ok: false, detail: error instanceof HsmError ? error.code : 'unavailable' };
    }
  }
}
