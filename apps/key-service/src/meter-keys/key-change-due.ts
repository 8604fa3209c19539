import type { KeyForRules } from '../vending/rules/sts-rules';
import { assertKeyUsable, effectiveKeyState } from '../vending/rules/sts-rules';

/** A revision as the decision needs it: the rules' view plus its supply group. */
export interface Revision extends KeyForRules {
  readonly supplyGroupId: string;
}

/** The registry's view of a meter: its key, and the last key-change set issued to it. */
export interface MeterKeyState {
  readonly key: Revision;
  readonly tariffIndex: string;
  readonly ea: string;
  /** A set the vending system reported as never entered: the next change re-issues it. */
  readonly refusedChange: {
    readonly changeId: string;
    readonly to: Revision;
    readonly tariffIndex: string;
  } | null;
}

/** Why a meter should change key with its next purchase. */
export type KeyChangeReason =
  /** Its revision was superseded by a newer one of the same supply group. */
  | 'superseded'
  /** A key-change set was issued before and reported as never entered. */
  | 'refused-change';

export interface DueKeyChange {
  readonly to: Revision;
  readonly tariffIndex: string;
  readonly reason: KeyChangeReason;
  /** 1 when the base date changes (the meter clears its TID memory). */
  readonly ro: 0 | 1;
  /** The earlier issuance whose key-change tokens are handed out again, if any. */
  readonly reprintOf: string | null;
}

function usable(
  key: KeyForRules,
  purpose: 'key-change-from' | 'key-change-to',
  now: string,
): boolean {
  try {
    assertKeyUsable(key, purpose, now);
    return true;
  } catch {
    return false;
  }
}

/**
 * The key change the meter should receive with its next purchase at `now`, or null when none is
 * due or none can be made yet. `revisions` are the revisions of the meter's supply group.
 *
 * - A set reported as refused is due again, to the same target, while that target may still be
 *   moved to (the meter never took it, so it needs exactly those tokens).
 * - Otherwise a meter on a superseded revision moves to the newest revision of its group that a
 *   key change may move to (active, inside its activation and issue period, not a default key,
 *   allowing the meter's EA).
 * - The meter's own key must still allow a key change from it (active or superseded, not
 *   suspended or expired): the sections are encrypted under it.
 */
export function dueKeyChange(
  meter: MeterKeyState,
  revisions: readonly Revision[],
  now: string,
): DueKeyChange | null {
  if (!usable(meter.key, 'key-change-from', now)) return null;
  const ro = (to: Revision): 0 | 1 => (to.baseDate === meter.key.baseDate ? 0 : 1);
  const refused = meter.refusedChange;
  if (refused && refused.to.id !== meter.key.id && usable(refused.to, 'key-change-to', now)) {
    return {
      to: refused.to,
      tariffIndex: refused.tariffIndex,
      reason: 'refused-change',
      ro: ro(refused.to),
      reprintOf: refused.changeId,
    };
  }
  if (effectiveKeyState(meter.key, now) !== 'superseded') return null;
  const newest = revisions
    .filter(
      (r) =>
        r.id !== meter.key.id &&
        r.supplyGroupId === meter.key.supplyGroupId &&
        r.allowedEas.includes(meter.ea) &&
        r.baseDate >= meter.key.baseDate &&
        usable(r, 'key-change-to', now),
    )
    .sort((a, b) => (a.activateAt ?? '').localeCompare(b.activateAt ?? '') || a.krn - b.krn)
    .at(-1);
  if (!newest) return null;
  return {
    to: newest,
    tariffIndex: meter.tariffIndex,
    reason: 'superseded',
    ro: ro(newest),
    reprintOf: null,
  };
}
