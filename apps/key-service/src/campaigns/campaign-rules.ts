import { type BaseDate, type Ea, parseDerivationInput, StsError, withCheckDigit } from '@sts/core';
import { DomainError, fromStsError } from '../common/domain-error';
import { ErrorCode } from '../common/error-codes';
import type { SupplyGroup } from '../supply-groups/supply-group.entity';
import type { VendingKey } from '../vending-keys/vending-key.entity';
import { KEY_TYPE_NUMBER } from '../vending-keys/key-attributes';
import { assertSupplyGroupActive, effectiveKeyState } from '../vending/rules/sts-rules';

/** The key parameters of one side of a plan, as the officer states them. */
export interface PlanSide {
  readonly sgc: string;
  readonly krn: number;
  readonly tariffIndex: string;
  readonly baseDate: BaseDate;
}

export interface PlanSideFacts {
  readonly group: SupplyGroup;
  /** The live revision with that SGC and KRN, if any. */
  readonly key: VendingKey | undefined;
}

const PROBE = { iin: '600727', drn: withCheckDigit('0000000000') };

function refuse(code: ErrorCode, message: string, field: string): never {
  throw new DomainError(code, message, { field });
}

/**
 * The STS rules a campaign plan must keep (STS-SPEC §13), checked before anything is stored:
 * both supply groups are active (a suspended group issues nothing), the current key may still
 * derive (active or superseded), the target key is active (a due scheduled supersession counts
 * as superseded) and within its issue period, the base dates match the keys and never go back, the KRN is the next one for
 * a revision of the same SGC, an SGC move stays inside its cluster, the meters are not moved to a
 * default key (VDDK), the EA is allowed by both keys and every DKGA / key type / EA combination
 * is defined. Each violation is a 422 with its code and the field.
 */
export function checkPlan(
  from: PlanSide,
  to: PlanSide,
  ea: Ea,
  facts: { from: PlanSideFacts; to: PlanSideFacts },
  nowIso: string,
): { fromKey: VendingKey; toKey: VendingKey } {
  if (from.sgc === to.sgc) {
    const next = (from.krn % 9) + 1;
    if (to.krn !== next) {
      throw new DomainError(
        ErrorCode.KRN_NOT_NEXT,
        `A revision of ${from.sgc} after KRN ${from.krn} is KRN ${next}`,
        { field: 'to.krn', next },
      );
    }
  } else {
    const a = facts.from.group.cluster;
    const b = facts.to.group.cluster;
    if (a === null || b === null || a !== b) {
      refuse(
        ErrorCode.STS_CROSS_CLUSTER,
        `${from.sgc} and ${to.sgc} are not in one cluster: a key change may not cross clusters`,
        'to.sgc',
      );
    }
  }
  assertSupplyGroupActive(from.sgc, facts.from.group.state, 'from.sgc');
  assertSupplyGroupActive(to.sgc, facts.to.group.state, 'to.sgc');
  const fromKey = facts.from.key;
  const toKey = facts.to.key;
  if (!fromKey || !['active', 'superseded'].includes(fromKey.state)) {
    refuse(
      ErrorCode.STS_KEY_NOT_ACTIVE,
      `No active or superseded revision KRN ${from.krn} of ${from.sgc} to derive the current keys`,
      'from.krn',
    );
  }
  if (!toKey || effectiveKeyState(toKey, nowIso) !== 'active') {
    refuse(
      ErrorCode.STS_KEY_NOT_ACTIVE,
      `Revision KRN ${to.krn} of ${to.sgc} is not active`,
      'to.krn',
    );
  }
  if (toKey.activateAt && toKey.activateAt > nowIso) {
    refuse(ErrorCode.STS_KEY_NOT_YET_ACTIVE, 'The target key is not active yet', 'to.krn');
  }
  if (toKey.issueUntil && toKey.issueUntil <= nowIso) {
    refuse(ErrorCode.STS_KEY_ISSUE_PERIOD_ENDED, 'The target key may no longer issue', 'to.krn');
  }
  if (fromKey.baseDate !== from.baseDate) {
    refuse(
      ErrorCode.STS_KEY_PARAMETER_MISMATCH,
      `The current key uses base date ${fromKey.baseDate}`,
      'from.baseDate',
    );
  }
  if (toKey.baseDate !== to.baseDate) {
    refuse(
      ErrorCode.STS_KEY_PARAMETER_MISMATCH,
      `The target key uses base date ${toKey.baseDate}`,
      'to.baseDate',
    );
  }
  if (to.baseDate < from.baseDate) {
    refuse(ErrorCode.STS_KEY_CHANGE_INVALID, 'The base date cannot go back', 'to.baseDate');
  }
  if (toKey.keyType === 'VDDK') {
    refuse(
      ErrorCode.STS_KEY_CHANGE_INVALID,
      'Meters are moved to a unique or common key, never to a default key (VDDK)',
      'to.krn',
    );
  }
  for (const [side, key, field] of [
    [from, fromKey, 'from'],
    [to, toKey, 'to'],
  ] as const) {
    if (!key.allowedEas.includes(ea)) {
      refuse(ErrorCode.STS_EA_NOT_ALLOWED, `EA${ea} is not allowed by the ${field} key`, 'ea');
    }
    try {
      parseDerivationInput({
        dkga: key.dkga,
        ...PROBE,
        keyType: KEY_TYPE_NUMBER[key.keyType],
        sgc: side.sgc,
        tariffIndex: side.tariffIndex,
        krn: side.krn,
        baseDate: side.baseDate,
        ea,
      });
    } catch (error) {
      if (error instanceof StsError) throw fromStsError(error);
      throw error;
    }
  }
  return { fromKey, toKey };
}
