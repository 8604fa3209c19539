import type { DataSource } from 'typeorm';
import { Clock } from '../common/clock';
import { ErrorCode } from '../common/error-codes';
import { JsonLogger } from '../common/json-logger';
import { type AppConfig, DEFAULT_CAMPAIGN_LIVENESS } from '../config/app-config';
import { DependencyTracker } from '../health/dependency-tracker';
import { MetricsService } from '../health/metrics.service';
import { backoffDelay, DatabaseGate } from './database-gate';

describe('backoffDelay', () => {
  it('doubles from the minimum up to the maximum, within the upper half of each step', () => {
    const low = [0, 1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, 250, 4000, () => 0));
    const high = [0, 1, 2, 3, 4, 5, 10].map((n) => backoffDelay(n, 250, 4000, () => 1));
    expect(low).toEqual([125, 250, 500, 1000, 2000, 2000, 2000]);
    expect(high).toEqual([250, 500, 1000, 2000, 4000, 4000, 4000]);
    expect(backoffDelay(3, 250, 4000, () => 0.5)).toBe(1500);
    expect(backoffDelay(1000, 250, 4000, () => 1)).toBe(4000);
  });
});

describe('DatabaseGate', () => {
  const config = (type: 'postgres' | 'sqlite') =>
    ({
      database:
        type === 'postgres'
          ? { type, url: 'postgres://x@127.0.0.1/x', schema: 'public' }
          : { type, path: '/tmp/x.sqlite' },
      reconnect: { minDelayMs: 100, maxDelayMs: 1000 },
      campaigns: DEFAULT_CAMPAIGN_LIVENESS,
    }) as unknown as AppConfig;

  let up: boolean;
  let probes: number;
  let lines: Record<string, unknown>[];
  let tracker: DependencyTracker;

  const gateOn = (type: 'postgres' | 'sqlite') => {
    const dataSource = {
      query: () => {
        probes += 1;
        return up ? Promise.resolve([{ '?column?': 1 }]) : Promise.reject(refused());
      },
    } as unknown as DataSource;
    return new DatabaseGate(dataSource, tracker, config(type));
  };
  const refused = () => Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });

  beforeEach(() => {
    jest.useFakeTimers();
    up = false;
    probes = 0;
    lines = [];
    tracker = new DependencyTracker(
      new Clock(),
      new JsonLogger('debug', (l) => lines.push(JSON.parse(l) as Record<string, unknown>)),
      new MetricsService(),
    );
  });
  afterEach(() => jest.useRealTimers());

  const code = (fn: () => void): string | undefined => {
    try {
      fn();
      return undefined;
    } catch (error) {
      return (error as { code?: string }).code;
    }
  };

  it('closes after a confirming probe fails, refuses without connecting, reopens on a probe success', async () => {
    const gate = gateOn('postgres');
    gate.reportFailure(refused());
    await jest.advanceTimersByTimeAsync(0);
    expect(gate.open).toBe(false);
    expect(probes).toBe(1);
    expect(code(() => gate.assertOpen())).toBe(ErrorCode.DATABASE_UNAVAILABLE);
    const wait = gate.refusal().details?.retryAfterSeconds as number;
    expect(wait).toBeGreaterThanOrEqual(1);
    // More failures while closed start no probes of their own.
    for (let i = 0; i < 100; i++) gate.reportFailure(refused());
    // 5 s down: probes back off (100, 200, 400, 800, then 1000 ms at most, each jittered).
    await jest.advanceTimersByTimeAsync(5000);
    expect(probes).toBeGreaterThanOrEqual(6);
    expect(probes).toBeLessThanOrEqual(13);
    up = true;
    await jest.advanceTimersByTimeAsync(1000);
    expect(gate.open).toBe(true);
    expect(code(() => gate.assertOpen())).toBeUndefined();
    const settled = probes;
    await jest.advanceTimersByTimeAsync(10_000);
    expect(probes).toBe(settled);
    expect(lines.map((l) => l.msg)).toEqual(['dependency unavailable', 'dependency available']);
    expect(lines[0]).toMatchObject({ dependency: 'database', reason: 'ECONNREFUSED' });
    gate.onModuleDestroy();
  });

  it('stays open when the confirming probe succeeds (one failed statement is no outage)', async () => {
    up = true;
    const gate = gateOn('postgres');
    gate.reportFailure(refused());
    await jest.advanceTimersByTimeAsync(0);
    expect(gate.open).toBe(true);
    expect(probes).toBe(1);
    expect(lines).toEqual([]);
  });

  it('never closes on SQLite (a busy file is contention, not an outage)', async () => {
    const gate = gateOn('sqlite');
    gate.reportFailure(Object.assign(new Error('busy'), { code: 'SQLITE_BUSY' }));
    await jest.advanceTimersByTimeAsync(1000);
    expect(gate.open).toBe(true);
    expect(probes).toBe(0);
  });
});
