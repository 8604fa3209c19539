import { StsError, checkInt, describe } from './errors';

/** The three STS base dates (STS-SPEC §6). */
export type BaseDate = 1993 | 2014 | 2035;

/** Every supported base date, oldest first. */
export const BASE_DATES: readonly BaseDate[] = [1993, 2014, 2035];

/** Largest TID: 24 bits of minutes. */
export const MAX_TID = 0xffffff;

const MINUTE = 60_000;

/** Asserts a base date year; throws `INVALID_INPUT` naming `field`. */
export function checkBaseDate(value: unknown, field = 'baseDate'): BaseDate {
  if (value !== 1993 && value !== 2014 && value !== 2035) {
    throw new StsError(
      'INVALID_INPUT',
      field,
      `${field}: must be 1993, 2014 or 2035, got ${describe(value)}`,
    );
  }
  return value;
}

/** Minutes since 1970 of the base date, read as UTC. */
function baseMinutes(baseDate: BaseDate): number {
  return Date.UTC(baseDate, 0, 1) / MINUTE;
}

/** A naive wall-clock date-time: no zone, no DST (STS-SPEC §6, wall-clock convention). */
export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
}

const WALL_CLOCK = /^(\d{4})-(\d{2})-(\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?$/;

/**
 * Parses `YYYY-MM-DDTHH:MM[:SS]` (seconds truncated). Zone designators are refused: TIDs count
 * wall-clock minutes, so a zone would silently shift every TID.
 */
export function parseWallClock(text: unknown, field = 'issuedAt'): WallClock {
  const m = typeof text === 'string' ? WALL_CLOCK.exec(text) : null;
  if (!m) {
    throw new StsError(
      'INVALID_INPUT',
      field,
      `${field}: must be a wall-clock time YYYY-MM-DDTHH:MM without zone, got ${describe(text)}`,
    );
  }
  const [year, month, day, hour, minute, second] = m.slice(1).map((s) => (s ? Number(s) : 0));
  const wallClock = { year, month, day, hour, minute };
  // A field out of range (month 13, 30 February, 24:00; year 0050, which Date.UTC reads as 1950)
  // moves the instant, so its wall clock is no longer the one written.
  const instant = new Date(Date.UTC(year, month - 1, day, hour, minute));
  if (second > 59 || formatWallClock(wallClockOf(instant)) !== formatWallClock(wallClock)) {
    throw new StsError(
      'INVALID_INPUT',
      field,
      `${field}: ${text as string} is not a valid date and time`,
    );
  }
  return wallClock;
}

/** The wall clock of an instant: its UTC fields (the service keeps its clock in UTC). */
function wallClockOf(t: Date): WallClock {
  return {
    year: t.getUTCFullYear(),
    month: t.getUTCMonth() + 1,
    day: t.getUTCDate(),
    hour: t.getUTCHours(),
    minute: t.getUTCMinutes(),
  };
}

/**
 * STS-SPEC §6: the TID of a wall-clock issue time, whole minutes since 00:00 on the base date.
 * Throws `TID_OUT_OF_RANGE` before the base date or past the 24-bit limit.
 */
export function tidFromWallClock(
  at: WallClock | string,
  baseDate: BaseDate,
  field = 'issuedAt',
): number {
  const wc = typeof at === 'string' ? parseWallClock(at, field) : at;
  const base = checkBaseDate(baseDate);
  const minutes = Date.UTC(wc.year, wc.month - 1, wc.day, wc.hour, wc.minute) / MINUTE;
  const tid = minutes - baseMinutes(base);
  if (!Number.isInteger(tid) || tid < 0 || tid > MAX_TID) {
    throw new StsError(
      'TID_OUT_OF_RANGE',
      field,
      `${field}: must be from ${base}-01-01 00:00 to ${formatWallClock(tidToWallClock(MAX_TID, base))} for base date ${base}`,
    );
  }
  return tid;
}

/**
 * The TID of an instant whose UTC fields are the wall-clock time (the service keeps its
 * clock in UTC, so the wall clock is UTC).
 */
export function tidFromDate(date: Date, baseDate: BaseDate, field = 'issuedAt'): number {
  return tidFromWallClock(wallClockOf(date), baseDate, field);
}

/** The wall-clock minute a TID stands for. */
export function tidToWallClock(tid: number, baseDate: BaseDate): WallClock {
  checkTid(tid);
  return wallClockOf(new Date((baseMinutes(checkBaseDate(baseDate)) + tid) * MINUTE));
}

/** `YYYY-MM-DDTHH:MM`. */
export function formatWallClock(wc: WallClock): string {
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${p(wc.year, 4)}-${p(wc.month)}-${p(wc.day)}T${p(wc.hour)}:${p(wc.minute)}`;
}

/** Asserts a 24-bit TID. */
export function checkTid(tid: unknown, field = 'tid'): number {
  const n = Number.isInteger(tid) ? (tid as number) : -1;
  if (n < 0 || n > MAX_TID) {
    throw new StsError(
      'TID_OUT_OF_RANGE',
      field,
      `${field}: must be an integer from 0 to ${MAX_TID}, got ${describe(tid)}`,
    );
  }
  return n;
}

/** Asserts an 8-bit key expiry number. */
export function checkKen(ken: unknown, field = 'ken'): number {
  return checkInt(field, ken, 0, 255);
}

/**
 * STS-SPEC §6 and §14 #11: a key with expiry number `ken` has expired for `tid` iff
 * `(tid >> 16) > ken`. The same rule serves the meter (refuse) and vending (never issue).
 */
export function isKeyExpired(tid: number, ken: number): boolean {
  return tid >>> 16 > ken;
}

/** Vending-side KEN check: throws `KEY_EXPIRED` when a meter would refuse the token. */
export function assertKenCovers(tid: number, ken: number): void {
  if (isKeyExpired(checkTid(tid), checkKen(ken))) {
    throw new StsError(
      'KEY_EXPIRED',
      'tid',
      `tid: ${tid} is past the key expiry number ${ken} (TID >> 16 = ${tid >>> 16}); the meter would refuse it`,
    );
  }
}

/** The last TID a key with expiry number `ken` may issue (inclusive). */
export function lastTidForKen(ken: number): number {
  return Math.min(MAX_TID, (checkKen(ken) + 1) * 65536 - 1);
}
