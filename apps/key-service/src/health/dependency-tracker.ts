import { Injectable } from '@nestjs/common';
import { Gauge, Counter } from 'prom-client';
import { Clock } from '../common/clock';
import { JsonLogger } from '../common/json-logger';
import { MetricsService } from './metrics.service';

/** The dependencies whose outages the service reports. */
export const DEPENDENCIES = ['database', 'hsm'] as const;
export type Dependency = (typeof DEPENDENCIES)[number];

/** The `cause` label of a refusal, and the cause a stalled campaign names. */
export type OutageCause = `${Dependency}_unavailable`;

export function causeOf(dependency: Dependency): OutageCause {
  return `${dependency}_unavailable`;
}

/** What the tracker knows of one dependency. */
export interface DependencyState {
  readonly available: boolean;
  /** When the current state began (process start for a dependency never seen down). */
  readonly since: Date;
  /** Requests refused for this dependency since it became unavailable (0 while available). */
  readonly refusedSinceDown: number;
  /** Why it went down (an error name or code; never a message that could quote data). */
  readonly reason?: string;
}

/**
 * Availability of the service's dependencies, one state per dependency: it changes state only
 * when told ({@link markUnavailable}, {@link markAvailable}) and writes one log line per change
 * (the way back names how long the outage lasted and how many requests were refused meanwhile),
 * never one per failed request. Every refused request is counted in `/metrics` by cause
 * (`sts_refused_requests_total{cause}`), and the state is a gauge (`sts_dependency_available`).
 */
@Injectable()
export class DependencyTracker {
  private readonly states = new Map<Dependency, DependencyState>();
  private readonly refusedTotal: Counter<'cause'>;
  private readonly availableGauge: Gauge<'dependency'>;

  constructor(
    private readonly clock: Clock,
    private readonly logger: JsonLogger,
    metrics: MetricsService,
  ) {
    this.refusedTotal = metrics.refusedRequests;
    this.availableGauge = metrics.dependencyAvailable;
    const now = clock.now();
    for (const d of DEPENDENCIES) {
      this.states.set(d, { available: true, since: now, refusedSinceDown: 0 });
      this.availableGauge.set({ dependency: d }, 1);
    }
  }

  state(dependency: Dependency): DependencyState {
    return this.states.get(dependency) as DependencyState;
  }

  isAvailable(dependency: Dependency): boolean {
    return this.state(dependency).available;
  }

  /** Records that the dependency cannot be used; logs only when it was available until now. */
  markUnavailable(dependency: Dependency, reason: string): void {
    if (!this.state(dependency).available) return;
    const now = this.clock.now();
    this.states.set(dependency, { available: false, since: now, refusedSinceDown: 0, reason });
    this.availableGauge.set({ dependency }, 0);
    this.logger.event('warn', 'dependency unavailable', { dependency, reason });
  }

  /**
   * Records that the dependency works again; logs the outage's duration and refusals once (as a
   * warning too: it is the outage's summary, and processes that log warnings only must show it).
   */
  markAvailable(dependency: Dependency): void {
    const before = this.state(dependency);
    if (before.available) return;
    const now = this.clock.now();
    this.states.set(dependency, { available: true, since: now, refusedSinceDown: 0 });
    this.availableGauge.set({ dependency }, 1);
    this.logger.event('warn', 'dependency available', {
      dependency,
      unavailableMs: now.getTime() - before.since.getTime(),
      refusedRequests: before.refusedSinceDown,
      reason: before.reason,
    });
  }

  /** Counts one request refused (503) because `dependency` is unavailable. */
  refused(dependency: Dependency): void {
    this.refusedTotal.inc({ cause: causeOf(dependency) });
    const s = this.state(dependency);
    if (!s.available)
      this.states.set(dependency, { ...s, refusedSinceDown: s.refusedSinceDown + 1 });
  }
}
