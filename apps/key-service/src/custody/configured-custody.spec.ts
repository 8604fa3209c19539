import { Clock } from '../common/clock';
import { JsonLogger } from '../common/json-logger';
import { DependencyTracker } from '../health/dependency-tracker';
import { MetricsService } from '../health/metrics.service';
import { reportTokenStateChange } from './configured-custody';

describe('reportTokenStateChange', () => {
  it('marks the hsm dependency down and up again: one log line per transition, the gauge in /metrics', async () => {
    const lines: string[] = [];
    const logger = new JsonLogger('debug', (line) => lines.push(line));
    const metrics = new MetricsService();
    const tracker = new DependencyTracker(new Clock(), logger, metrics);
    const down = {
      state: 'unavailable',
      at: new Date(0),
      reason: 'deriveDecoderKeys: CKR_DEVICE_ERROR',
    } as const;
    reportTokenStateChange(tracker, down);
    reportTokenStateChange(tracker, down);
    expect(tracker.state('hsm')).toMatchObject({
      available: false,
      reason: 'deriveDecoderKeys: CKR_DEVICE_ERROR',
    });
    expect(await metrics.registry.metrics()).toMatch(
      /^sts_dependency_available\{dependency="hsm"\} 0$/m,
    );
    tracker.refused('hsm');
    reportTokenStateChange(tracker, {
      state: 'available',
      at: new Date(1500),
      unavailableForMs: 1500,
    });
    expect(tracker.isAvailable('hsm')).toBe(true);
    const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(parsed).toHaveLength(2);
    expect(parsed[0]).toMatchObject({
      msg: 'dependency unavailable',
      dependency: 'hsm',
      reason: 'deriveDecoderKeys: CKR_DEVICE_ERROR',
    });
    expect(parsed[1]).toMatchObject({
      msg: 'dependency available',
      dependency: 'hsm',
      refusedRequests: 1,
    });
  });
});
