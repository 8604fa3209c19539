import type { AuditInput, AuditService } from '../audit/audit.service';
import { Clock } from '../common/clock';
import {
  delayAfter,
  EVENTS_PER_MINUTE,
  FailedAuthentications,
  FREE_FAILURES,
  MAX_DELAY_MS,
} from './failed-authentications';

class FixedClock extends Clock {
  at = Date.parse('2026-12-01T00:00:00.000Z');
  override now(): Date {
    return new Date(this.at);
  }
}

function setUp() {
  const events: AuditInput[] = [];
  const audit = {
    recordAlone: (...inputs: AuditInput[]) => {
      events.push(...inputs);
      return Promise.resolve();
    },
  } as Pick<AuditService, 'recordAlone'> as AuditService;
  const clock = new FixedClock();
  const slept: number[] = [];
  const failures = new FailedAuthentications(audit, clock, (ms) => {
    slept.push(ms);
    return Promise.resolve();
  });
  return { failures, events, clock, slept };
}

describe('failed authentications', () => {
  it('answers the first failures at once, then doubles the delay up to its cap', () => {
    expect(delayAfter(FREE_FAILURES)).toBe(0);
    expect(delayAfter(FREE_FAILURES + 1)).toBe(100);
    expect(delayAfter(FREE_FAILURES + 2)).toBe(200);
    expect(delayAfter(FREE_FAILURES + 5)).toBe(1600);
    expect(delayAfter(FREE_FAILURES + 6)).toBe(MAX_DELAY_MS);
    expect(delayAfter(1000)).toBe(MAX_DELAY_MS);
  });

  it('slows one key id without slowing another, and forgives after a quiet minute', async () => {
    const { failures, clock, slept } = setUp();
    for (let i = 0; i < FREE_FAILURES + 2; i++) await failures.failed('aaaa', 'wrong-secret', 'r');
    expect(slept).toEqual([100, 200]);
    await failures.failed('bbbb', 'wrong-secret', 'r');
    expect(slept).toEqual([100, 200]);
    clock.at += 60_001;
    await failures.failed('aaaa', 'wrong-secret', 'r');
    expect(slept).toEqual([100, 200]);
  });

  it('audits a key id once a minute with the failures counted since the last event', async () => {
    const { failures, events, clock } = setUp();
    await failures.failed('aaaa', 'unknown-key', 'GET /x');
    await failures.failed('aaaa', 'unknown-key', 'GET /x');
    await failures.failed(undefined, 'malformed', 'GET /x');
    expect(events.map((e) => [e.subjectId, e.details?.failures])).toEqual([
      ['aaaa', 1],
      ['malformed', 1],
    ]);
    clock.at += 59_999;
    await failures.failed('aaaa', 'unknown-key', 'GET /x');
    expect(events).toHaveLength(2);
    clock.at += 1;
    await failures.failed('aaaa', 'wrong-secret', 'GET /y');
    expect(events[2]).toMatchObject({
      action: 'auth.failure',
      subjectType: 'api-key',
      subjectId: 'aaaa',
      outcome: 'failure',
      details: { reason: 'wrong-secret', route: 'GET /y', failures: 3 },
    });
  });

  it('writes at most EVENTS_PER_MINUTE events across key ids, keeping the count of the rest', async () => {
    const { failures, events, clock } = setUp();
    for (let i = 0; i <= EVENTS_PER_MINUTE; i++) {
      await failures.failed(i.toString(16).padStart(16, '0'), 'unknown-key', 'r');
    }
    expect(events).toHaveLength(EVENTS_PER_MINUTE);
    const last = EVENTS_PER_MINUTE.toString(16).padStart(16, '0');
    clock.at += 60_000;
    await failures.failed(last, 'unknown-key', 'r');
    expect(events[EVENTS_PER_MINUTE]).toMatchObject({ subjectId: last, details: { failures: 2 } });
  });
});
