import type { Campaign, StallCause } from './campaign.entity';

/** What is known of the workers: how many are alive and when one was last heard of. */
export interface WorkerFacts {
  readonly live: number;
  /** The latest heartbeat of any worker (alive or not), if one ever ran. */
  readonly lastHeartbeatAt: string | null;
}

/** What a running campaign's progress is computed from, besides its row. */
export interface ProgressFacts {
  readonly workers: WorkerFacts;
  /** Meters committed (issued, moved or failed) in chunks done since `windowStart`. */
  readonly recentProcessed: number;
  /** The start of the rate's window: the later of now − window and the run's (re)start. */
  readonly windowStart: string;
}

export interface Stall {
  readonly cause: StallCause;
  /** Since when nothing has moved for that reason (ISO time). */
  readonly since: string;
}

/** The moving part of a campaign's progress. */
export interface Motion {
  /** Meters per second over the recent window (0 outside a run). */
  readonly ratePerSecond: number;
  /** Seconds left at that rate; null while nothing moves, when stalled or outside a run. */
  readonly etaSeconds: number | null;
  readonly stalled: Stall | null;
  readonly liveWorkers: number | null;
}

const STILL: Motion = { ratePerSecond: 0, etaSeconds: null, stalled: null, liveWorkers: null };

/** The latest of ISO times (they compare as text). */
function latest(...times: (string | null)[]): string {
  return times.reduce<string>((a, t) => (t !== null && t > a ? t : a), '');
}

/**
 * The honest motion of a campaign at `now`. The rate counts only what was committed in the recent
 * window, so it drops to 0 when nothing moves. A running campaign with work left is `stalled`
 * when no worker is alive (`no_live_worker`, since the last sign of life: the last heartbeat or
 * the last change of the campaign), or when a worker's last attempt failed for an outage it
 * recorded (`hsm_unavailable`, `database_unavailable`) and nothing was committed since. A stalled
 * campaign has no ETA.
 */
export function motionOf(c: Campaign, now: Date, facts: ProgressFacts | undefined): Motion {
  if (c.state !== 'running' || !facts) return STILL;
  const pending = Math.max(0, c.totalRows - c.issued - c.moved - c.failed);
  const seconds = Math.max(1, (now.getTime() - Date.parse(facts.windowStart)) / 1000);
  const rate = Math.round((facts.recentProcessed / seconds) * 10) / 10;
  let stalled: Stall | null = null;
  if (pending > 0 && facts.workers.live === 0) {
    stalled = {
      cause: 'no_live_worker',
      since: latest(facts.workers.lastHeartbeatAt, c.segmentStartedAt, c.updatedAt),
    };
  } else if (pending > 0 && c.stallCause && c.stalledSince) {
    stalled = { cause: c.stallCause, since: c.stalledSince };
  }
  return {
    ratePerSecond: rate,
    etaSeconds: stalled || rate <= 0 ? null : Math.ceil(pending / rate),
    stalled,
    liveWorkers: facts.workers.live,
  };
}
