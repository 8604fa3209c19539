import type { Campaign } from './campaign.entity';
import { motionOf, type ProgressFacts } from './campaign-progress';

const NOW = new Date('2026-01-01T10:10:00.000Z');

function campaign(over: Partial<Campaign> = {}): Campaign {
  return {
    state: 'running',
    totalRows: 10_000,
    issued: 4000,
    moved: 0,
    failed: 0,
    segmentStartedAt: '2026-01-01T10:00:00.000Z',
    updatedAt: '2026-01-01T10:09:50.000Z',
    stallCause: null,
    stalledSince: null,
    ...over,
  } as Campaign;
}

function facts(over: Partial<ProgressFacts> = {}): ProgressFacts {
  return {
    workers: { live: 2, lastHeartbeatAt: '2026-01-01T10:09:59.000Z' },
    recentProcessed: 6000,
    windowStart: '2026-01-01T10:09:00.000Z',
    ...over,
  };
}

describe('motionOf', () => {
  it('rates over the recent window and gives the ETA at that rate', () => {
    expect(motionOf(campaign(), NOW, facts())).toEqual({
      ratePerSecond: 100,
      etaSeconds: 60,
      stalled: null,
      liveWorkers: 2,
    });
  });

  it('drops the rate to 0 and the ETA to null when nothing was committed in the window', () => {
    expect(motionOf(campaign(), NOW, facts({ recentProcessed: 0 }))).toMatchObject({
      ratePerSecond: 0,
      etaSeconds: null,
      stalled: null,
    });
  });

  it('says no_live_worker, since the last sign of life, instead of an ETA', () => {
    const m = motionOf(
      campaign(),
      NOW,
      facts({ workers: { live: 0, lastHeartbeatAt: '2026-01-01T10:09:55.000Z' } }),
    );
    expect(m).toEqual({
      ratePerSecond: 100,
      etaSeconds: null,
      stalled: { cause: 'no_live_worker', since: '2026-01-01T10:09:55.000Z' },
      liveWorkers: 0,
    });
    // Never a worker at all: since the campaign last changed.
    expect(
      motionOf(campaign(), NOW, facts({ workers: { live: 0, lastHeartbeatAt: null } })).stalled,
    ).toEqual({ cause: 'no_live_worker', since: '2026-01-01T10:09:50.000Z' });
  });

  it('reports the outage a worker recorded, while workers live', () => {
    const c = campaign({ stallCause: 'hsm_unavailable', stalledSince: '2026-01-01T10:08:00.000Z' });
    expect(motionOf(c, NOW, facts({ recentProcessed: 0 }))).toMatchObject({
      etaSeconds: null,
      stalled: { cause: 'hsm_unavailable', since: '2026-01-01T10:08:00.000Z' },
    });
  });

  it('is never stalled with nothing pending, nor outside a run', () => {
    const done = campaign({ issued: 10_000 });
    expect(
      motionOf(done, NOW, facts({ workers: { live: 0, lastHeartbeatAt: null } })).stalled,
    ).toBe(null);
    expect(motionOf(campaign({ state: 'paused' }), NOW, facts())).toEqual({
      ratePerSecond: 0,
      etaSeconds: null,
      stalled: null,
      liveWorkers: null,
    });
  });
});
