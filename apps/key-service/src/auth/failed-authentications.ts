import type { AuditService } from '../audit/audit.service';
import { type AuditActor } from '../audit/audit.service';
import type { Clock } from '../common/clock';
import type { AuthenticationFailure } from '../principals/principals.service';

/** The actor of events about callers whose key did not authenticate. */
export const ANONYMOUS: AuditActor = { id: 'anonymous', name: 'anonymous' };

/** One audit event per key id and minute at most; the next one carries the count since. */
export const REPORT_INTERVAL_MS = 60_000;
/** Failures within a window before a key id's failed answers are slowed. */
export const FREE_FAILURES = 5;
const WINDOW_MS = 60_000;
const FIRST_DELAY_MS = 100;
export const MAX_DELAY_MS = 2_000;
/** Key ids tracked at once; the oldest is dropped beyond it. */
const MAX_TRACKED = 10_000;
/**
 * `auth.failure` events per minute across all key ids: a spray of distinct key ids cannot flood
 * the trail. A key id over the budget keeps its count for its next event.
 */
export const EVENTS_PER_MINUTE = 100;

interface Track {
  windowStart: number;
  failures: number;
  lastReportAt: number;
  unreported: number;
}

/**
 * Failed authentications by API key id (`malformed` for keys not in the format). Each is
 * audited as `auth.failure`, at most once per key id per {@link REPORT_INTERVAL_MS} with the
 * number of failures since the last event, and at most {@link EVENTS_PER_MINUTE} in all. A key id that fails more than {@link FREE_FAILURES}
 * times within a minute has its failed answers delayed, doubling up to {@link MAX_DELAY_MS}: a
 * guesser is slowed while the holder, whose secret checks at once, never waits.
 */
export class FailedAuthentications {
  private readonly tracks = new Map<string, Track>();
  private budget = { minuteStart: -Infinity, events: 0 };

  constructor(
    private readonly audit: AuditService,
    private readonly clock: Clock,
    private readonly sleep: (ms: number) => Promise<void> = (ms) =>
      new Promise((resolve) => setTimeout(resolve, ms)),
  ) {}

  /** Records a failure; resolves when the failed answer may go out. */
  async failed(
    keyId: string | undefined,
    reason: AuthenticationFailure,
    route: string,
  ): Promise<void> {
    const id = keyId ?? 'malformed';
    const now = this.clock.now().getTime();
    const t = this.track(id, now);
    t.failures += 1;
    t.unreported += 1;
    if (now - t.lastReportAt >= REPORT_INTERVAL_MS && this.spend(now)) {
      const failures = t.unreported;
      t.lastReportAt = now;
      t.unreported = 0;
      await this.audit.recordAlone({
        actor: ANONYMOUS,
        action: 'auth.failure',
        subjectType: 'api-key',
        subjectId: id,
        outcome: 'failure',
        details: { reason, route, failures },
      });
    }
    const delay = delayAfter(t.failures);
    if (delay > 0) await this.sleep(delay);
  }

  private spend(now: number): boolean {
    if (now - this.budget.minuteStart >= 60_000) this.budget = { minuteStart: now, events: 0 };
    if (this.budget.events >= EVENTS_PER_MINUTE) return false;
    this.budget.events += 1;
    return true;
  }

  private track(id: string, now: number): Track {
    let t = this.tracks.get(id);
    if (t && now - t.windowStart > WINDOW_MS) {
      t.windowStart = now;
      t.failures = 0;
    }
    if (!t) {
      if (this.tracks.size >= MAX_TRACKED) {
        const oldest = this.tracks.keys().next().value;
        if (oldest !== undefined) this.tracks.delete(oldest);
      }
      t = { windowStart: now, failures: 0, lastReportAt: -Infinity, unreported: 0 };
      this.tracks.set(id, t);
    }
    return t;
  }
}

/** The delay of a failed answer after `failures` failures within the window. */
export function delayAfter(failures: number): number {
  if (failures <= FREE_FAILURES) return 0;
  return Math.min(MAX_DELAY_MS, FIRST_DELAY_MS * 2 ** (failures - FREE_FAILURES - 1));
}
