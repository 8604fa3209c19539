import { Clock } from '../common/clock';
import { JsonLogger } from '../common/json-logger';
import { DependencyTracker } from './dependency-tracker';
import { MetricsService } from './metrics.service';

class StepClock extends Clock {
  at = Date.parse('2026-01-01T10:00:00.000Z');
  override now(): Date {
    return new Date(this.at);
  }
}

describe('DependencyTracker', () => {
  let clock: StepClock;
  let lines: Record<string, unknown>[];
  let metrics: MetricsService;
  let tracker: DependencyTracker;

  beforeEach(() => {
    clock = new StepClock();
    lines = [];
    metrics = new MetricsService();
    tracker = new DependencyTracker(
      clock,
      new JsonLogger('debug', (l) => lines.push(JSON.parse(l) as Record<string, unknown>)),
      metrics,
    );
  });

  const metric = async (name: string) =>
    (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === name)?.values ?? [];

  it('logs one line when a dependency goes down and one when it is back, with duration and refusals', () => {
    tracker.markUnavailable('database', 'ECONNREFUSED');
    tracker.markUnavailable('database', 'ECONNRESET');
    for (let i = 0; i < 500; i++) tracker.refused('database');
    clock.at += 5250;
    tracker.markAvailable('database');
    tracker.markAvailable('database');
    expect(lines.map((l) => [l.level, l.msg, l.dependency])).toEqual([
      ['warn', 'dependency unavailable', 'database'],
      ['warn', 'dependency available', 'database'],
    ]);
    expect(lines[0]).toMatchObject({ reason: 'ECONNREFUSED' });
    expect(lines[1]).toMatchObject({
      unavailableMs: 5250,
      refusedRequests: 500,
      reason: 'ECONNREFUSED',
    });
    expect(tracker.state('database')).toMatchObject({ available: true, refusedSinceDown: 0 });
  });

  it('keeps each dependency apart and starts the refusal count afresh with each outage', () => {
    tracker.markUnavailable('hsm', 'UNAVAILABLE');
    tracker.refused('hsm');
    tracker.refused('database');
    expect(tracker.isAvailable('database')).toBe(true);
    expect(tracker.state('hsm')).toMatchObject({ available: false, refusedSinceDown: 1 });
    tracker.markAvailable('hsm');
    tracker.markUnavailable('hsm', 'UNAVAILABLE');
    tracker.markAvailable('hsm');
    expect(lines.at(-1)).toMatchObject({ msg: 'dependency available', refusedRequests: 0 });
  });

  it('counts every refusal by cause and exposes availability as a gauge', async () => {
    tracker.refused('database');
    tracker.markUnavailable('database', 'ECONNREFUSED');
    tracker.refused('database');
    tracker.refused('hsm');
    expect(await metric('sts_refused_requests_total')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: { cause: 'database_unavailable' }, value: 2 }),
        expect.objectContaining({ labels: { cause: 'hsm_unavailable' }, value: 1 }),
      ]),
    );
    expect(await metric('sts_dependency_available')).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ labels: { dependency: 'database' }, value: 0 }),
        expect.objectContaining({ labels: { dependency: 'hsm' }, value: 1 }),
      ]),
    );
  });
});
